"""SQS through boto3 and the gateway's json protocol."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from eventsim.testing import ThreadedSimulator, boto3_client


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedSimulator]:
    with ThreadedSimulator() as sim:
        yield sim


@pytest.fixture
def sqs(server: ThreadedSimulator) -> Any:
    return server.client("sqs")


def test_errors_map_to_botocore_exception_classes_with_the_query_codes(sqs: Any) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as missing:
        sqs.get_queue_url(QueueName="nope")
    error = missing.value.response["Error"]
    assert (error["Code"], error["QueryErrorCode"], error["Type"]) == (
        "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "Sender")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    url = sqs.create_queue(QueueName="errors", Attributes={"DelaySeconds": "1"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.QueueNameExists) as exists:
        sqs.create_queue(QueueName="errors", Attributes={"DelaySeconds": "2"})
    assert exists.value.response["Error"]["Code"] == "QueueAlreadyExists"
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.send_message_batch(QueueUrl=url, Entries=[])
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}])
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])


def test_messages_round_trip_with_binary_attributes_and_digests(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="roundtrip")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="héllo", MessageAttributes={
        "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
        "num": {"DataType": "Number", "StringValue": "42"}})
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                              MessageSystemAttributeNames=["All"])["Messages"][0]
    assert got["Body"] == "héllo"
    assert got["MD5OfBody"] == sent["MD5OfMessageBody"] == hashlib.md5(
        "héllo".encode()).hexdigest()
    assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert got["MessageAttributes"]["bin"] == {"DataType": "Binary", "BinaryValue": b"\x00\xff"}
    assert got["Attributes"]["ApproximateReceiveCount"] == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_queue_url_works_from_a_client_with_another_host(server: ThreadedSimulator) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="anyhost")["QueueUrl"]
    assert url == f"{server.url}/000000000000/anyhost"
    other = boto3_client("sqs", server.url.replace("127.0.0.1", "localhost"))
    other.send_message(QueueUrl="http://sqs.us-east-1.amazonaws.com/000000000000/anyhost",
                       MessageBody="m")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "m"


def test_long_poll_through_the_gateway_returns_when_a_message_is_sent(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="longpoll")["QueueUrl"]
    result: dict[str, Any] = {}

    def poll() -> None:
        result.update(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))

    poller = threading.Thread(target=poll)
    poller.start()
    sender = boto3_client("sqs", sqs.meta.endpoint_url)
    sender.send_message(QueueUrl=url, MessageBody="wake up")
    poller.join(timeout=15)
    assert not poller.is_alive()
    # The poll either caught the message or started after it was sent and found it at once.
    assert result["Messages"][0]["Body"] == "wake up"


def test_s3_queue_notification_through_boto3(server: ThreadedSimulator) -> None:
    sqs, s3 = server.client("sqs"), server.client("s3")
    url = sqs.create_queue(QueueName="uploads-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="uploads")
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="uploads", Key="a.txt", Body=b"hi")
    server.settle()
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    events = {b.get("Event") or b["Records"][0]["eventName"] for b in bodies}
    assert events == {"s3:TestEvent", "ObjectCreated:Put"}
