"""boto3 against a running gateway with the real SNS service (query protocol end to end)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent.parent / "engine" / "handlers"


@pytest.fixture
def sns(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("sns")


@pytest.fixture
def topic(sns: Any, bucket_name: str) -> str:
    return str(sns.create_topic(Name=bucket_name)["TopicArn"])


def test_create_topic_then_list_get_and_delete(sns: Any, bucket_name: str) -> None:
    arn = sns.create_topic(Name=bucket_name, Attributes={"DisplayName": "Orders"},
                           Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:{bucket_name}"
    assert {"TopicArn": arn} in sns.list_topics()["Topics"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders"
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team",
                                                                    "Value": "a"}]
    sns.delete_topic(TopicArn=arn)
    assert {"TopicArn": arn} not in sns.list_topics()["Topics"]


def test_unknown_topic_is_not_found_404(sns: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:000000000000:nope")
    assert exc.value.response["Error"]["Code"] == "NotFound"
    assert exc.value.response["Error"]["Message"] == "Topic does not exist"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_invalid_filter_policy_is_invalid_parameter_400(sns: Any, topic: str) -> None:
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs",
                      Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                      Attributes={"FilterPolicy": '{"a": "b"}'})
    error = exc.value.response["Error"]
    assert error["Code"] == "InvalidParameter"
    assert error["Message"] == ('Invalid parameter: Attributes Reason: FilterPolicy: "a" must be '
                                "an object or an array")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_publish_with_attributes_invokes_the_subscribed_function(
        threaded_sim: ThreadedSimulator, sns: Any, topic: str, bucket_name: str) -> None:
    fn = threaded_sim.functions.create_function(name=bucket_name, handler="behaviours.echo",
                                                code_dir=HANDLERS)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn.arn,
                  Attributes={"FilterPolicy": json.dumps({"size": [{"numeric": [">", 10]}]})})
    sns.publish(TopicArn=topic, Message="small", MessageAttributes={
        "size": {"DataType": "Number", "StringValue": "3"}})
    published = sns.publish(TopicArn=topic, Message="big", Subject="hello", MessageAttributes={
        "size": {"DataType": "Number", "StringValue": "30"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    threaded_sim.settle()
    [record] = threaded_sim.invocations.list(function=bucket_name)
    sns_record = record.event["Records"][0]["Sns"]
    assert sns_record["MessageId"] == published["MessageId"]
    assert sns_record["Message"] == "big"
    assert sns_record["Subject"] == "hello"
    assert sns_record["MessageAttributes"]["raw"] == {"Type": "Binary", "Value": "AAE="}
    # The UnsubscribeUrl points at the gateway that served the subscription.
    assert sns_record["UnsubscribeUrl"].startswith(threaded_sim.url + "/?Action=Unsubscribe")


def test_publish_batch_through_boto3(sns: Any, topic: str) -> None:
    result = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": ""}])
    assert [s["Id"] for s in result["Successful"]] == ["a"]
    assert result["Failed"][0]["Id"] == "b"
    assert result["Failed"][0]["Code"] == "InvalidParameter"
    assert result["Failed"][0]["SenderFault"] is True


def test_fifo_publish_returns_sequence_number(sns: Any, bucket_name: str) -> None:
    arn = sns.create_topic(Name=bucket_name + ".fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    result = sns.publish(TopicArn=arn, Message="m", MessageGroupId="g")
    assert result["SequenceNumber"] == "10000000000000000001"


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_endpoint() -> Iterator[tuple[str, list[tuple[dict[str, str], str]]]]:
    received: ClassVar[list[tuple[dict[str, str], str]]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_http_subscription_confirmed_by_opening_subscribe_url(
        threaded_sim: ThreadedSimulator, sns: Any, topic: str,
        http_endpoint: tuple[str, list[tuple[dict[str, str], str]]]) -> None:
    url, received = http_endpoint
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url)["SubscriptionArn"] == \
        "pending confirmation"
    threaded_sim.settle()
    [(headers, body)] = received
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    confirmation = json.loads(body)
    # Opened unsigned, as an endpoint's code would: the gateway routes it to SNS by its Action.
    with urllib.request.urlopen(confirmation["SubscribeURL"]) as response:
        answer = response.read().decode()
    assert "<ConfirmSubscriptionResult><SubscriptionArn>" in answer
    [sub] = [s for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]]
    assert sub["SubscriptionArn"].startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="hello http")
    threaded_sim.settle()
    assert json.loads(received[-1][1])["Message"] == "hello http"
    assert received[-1][0]["x-amz-sns-subscription-arn"] == sub["SubscriptionArn"]


def test_unsubscribe_url_opened_unsigned_removes_the_subscription(
        threaded_sim: ThreadedSimulator, sns: Any, topic: str, bucket_name: str) -> None:
    fn = threaded_sim.functions.create_function(name=bucket_name, handler="behaviours.echo",
                                                code_dir=HANDLERS)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn.arn)
    sns.publish(TopicArn=topic, Message="once")
    threaded_sim.settle()
    [record] = threaded_sim.invocations.list(function=bucket_name)
    with urllib.request.urlopen(record.event["Records"][0]["Sns"]["UnsubscribeUrl"]) as response:
        assert b"<UnsubscribeResponse" in response.read()
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
