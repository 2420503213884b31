"""SNS over the query protocol: botocore's serializer -> our parser, our serializer -> botocore's
parser."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.errors import AwsError
from eventsim.gateway.protocols import HttpRequest
from eventsim.gateway.protocols.query import InvalidAction
from eventsim.gateway.routing import ServiceNameResolver
from eventsim.gateway.specs import load_service_model
from eventsim.tracing import RequestIds

IDS = RequestIds("0123456789ABCDEF", "host-id")  # what the RoundTrip fixture answers with
TOPIC = "arn:aws:sns:us-east-1:000000000000:orders"
SUBSCRIPTION = TOPIC + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"
NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


class _NotFound(AwsError):
    code = "NotFound"
    status_code = 404
    sender_fault = True


class _Internal(AwsError):
    code = "InternalError"
    status_code = 500
    sender_fault = False


@pytest.fixture
def sns_roundtrip(roundtrip_factory: Any) -> Any:
    return roundtrip_factory("sns")


def _body(roundtrip: Any, operation: str, answer: dict[str, Any]) -> str:
    parsed = roundtrip.parsed[-1]
    assert parsed.operation.name == operation
    wire = roundtrip.serializer.serialize_response(parsed.operation, answer,
                                                   roundtrip.requests[-1], IDS)
    return str(wire.body.decode())


def test_create_topic_roundtrip_attributes_map_and_tags_list(sns_roundtrip: Any) -> None:
    parsed, response = sns_roundtrip.call(
        "CreateTopic",
        {"Name": "orders.fifo", "Attributes": {"FifoTopic": "true", "DisplayName": "a.b=c&d"},
         "Tags": [{"Key": "team", "Value": "x"}, {"Key": "env", "Value": ""}]},
        {"TopicArn": TOPIC},
    )
    assert parsed.params == {
        "Name": "orders.fifo",
        "Attributes": {"FifoTopic": "true", "DisplayName": "a.b=c&d"},
        "Tags": [{"Key": "team", "Value": "x"}, {"Key": "env", "Value": ""}],
    }
    assert response["TopicArn"] == TOPIC
    assert response["ResponseMetadata"]["RequestId"] == IDS.request_id
    body = _body(sns_roundtrip, "CreateTopic", {"TopicArn": TOPIC})
    assert f'<CreateTopicResponse xmlns="{NAMESPACE}"><CreateTopicResult>' in body
    assert "<ResponseMetadata><RequestId>" in body


def test_create_topic_request_is_a_form_post(sns_roundtrip: Any) -> None:
    sns_roundtrip.call("CreateTopic", {"Name": "t"}, {"TopicArn": TOPIC})
    sent = sns_roundtrip.requests[-1]
    assert sent.method == "POST"
    assert sent.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert b"Action=CreateTopic" in sent.body


def test_publish_roundtrip_message_attributes(sns_roundtrip: Any) -> None:
    parsed, response = sns_roundtrip.call(
        "Publish",
        {"TopicArn": TOPIC, "Message": "héllo\nwörld + 100%", "Subject": "s",
         "MessageAttributes": {
             "colour": {"DataType": "String", "StringValue": "blue"},
             "size": {"DataType": "Number", "StringValue": "3.5"},
             "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
         }},
        {"MessageId": "m-1", "SequenceNumber": "10000000000000000001"},
    )
    assert parsed.params["Message"] == "héllo\nwörld + 100%"
    assert parsed.params["MessageAttributes"] == {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "size": {"DataType": "Number", "StringValue": "3.5"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }
    assert response["MessageId"] == "m-1"
    assert response["SequenceNumber"] == "10000000000000000001"
    sent = sns_roundtrip.requests[-1].body.decode()
    assert "MessageAttributes.entry.1.Name=colour" in sent
    assert "MessageAttributes.entry.1.Value.DataType=String" in sent


def test_publish_batch_roundtrip_entries_and_failures(sns_roundtrip: Any) -> None:
    answer = {
        "Successful": [{"Id": "1", "MessageId": "m-1"}],
        "Failed": [{"Id": "2", "Code": "InvalidParameter", "Message": "bad", "SenderFault": True}],
    }
    parsed, response = sns_roundtrip.call(
        "PublishBatch",
        {"TopicArn": TOPIC, "PublishBatchRequestEntries": [
            {"Id": "1", "Message": "a"},
            {"Id": "2", "Message": "b", "MessageAttributes": {
                "k": {"DataType": "String.Array", "StringValue": '["x", 1]'}}},
        ]},
        answer,
    )
    assert parsed.params["PublishBatchRequestEntries"] == [
        {"Id": "1", "Message": "a"},
        {"Id": "2", "Message": "b",
         "MessageAttributes": {"k": {"DataType": "String.Array", "StringValue": '["x", 1]'}}},
    ]
    assert response["Successful"] == answer["Successful"]
    assert response["Failed"] == answer["Failed"]


def test_subscribe_roundtrip_boolean(sns_roundtrip: Any) -> None:
    parsed, response = sns_roundtrip.call(
        "Subscribe",
        {"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:0:q",
         "ReturnSubscriptionArn": True, "Attributes": {"RawMessageDelivery": "true"}},
        {"SubscriptionArn": SUBSCRIPTION},
    )
    assert parsed.params["ReturnSubscriptionArn"] is True
    assert parsed.params["Attributes"] == {"RawMessageDelivery": "true"}
    assert response["SubscriptionArn"] == SUBSCRIPTION


def test_list_topics_roundtrip_members_and_next_token(sns_roundtrip: Any) -> None:
    answer = {"Topics": [{"TopicArn": TOPIC}, {"TopicArn": TOPIC + "2"}], "NextToken": "n"}
    parsed, response = sns_roundtrip.call("ListTopics", {"NextToken": "p"}, answer)
    assert parsed.params == {"NextToken": "p"}
    assert response["Topics"] == answer["Topics"]
    assert response["NextToken"] == "n"
    assert "<Topics><member><TopicArn>" in _body(sns_roundtrip, "ListTopics", answer)


def test_list_topics_roundtrip_empty(sns_roundtrip: Any) -> None:
    _, response = sns_roundtrip.call("ListTopics", {}, {"Topics": []})
    assert response["Topics"] == []


def test_get_topic_attributes_roundtrip_map(sns_roundtrip: Any) -> None:
    answer = {"Attributes": {"TopicArn": TOPIC, "Policy": '{"a": "<b>&"}'}}
    _, response = sns_roundtrip.call("GetTopicAttributes", {"TopicArn": TOPIC}, answer)
    assert response["Attributes"] == answer["Attributes"]
    assert "<Attributes><entry><key>TopicArn</key>" in _body(
        sns_roundtrip, "GetTopicAttributes", answer)


def test_untag_resource_roundtrip_string_list(sns_roundtrip: Any) -> None:
    parsed, _ = sns_roundtrip.call("UntagResource",
                                   {"ResourceArn": TOPIC, "TagKeys": ["a", "b"]}, {})
    assert parsed.params == {"ResourceArn": TOPIC, "TagKeys": ["a", "b"]}


def test_untag_resource_roundtrip_empty_list(sns_roundtrip: Any) -> None:
    parsed, _ = sns_roundtrip.call("UntagResource", {"ResourceArn": TOPIC, "TagKeys": []}, {})
    assert parsed.params["TagKeys"] == []


def test_delete_topic_roundtrip_no_output_shape(sns_roundtrip: Any) -> None:
    parsed, response = sns_roundtrip.call("DeleteTopic", {"TopicArn": TOPIC}, {})
    assert parsed.params == {"TopicArn": TOPIC}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    body = _body(sns_roundtrip, "DeleteTopic", {})
    assert body.endswith("<DeleteTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                         f"<ResponseMetadata><RequestId>{IDS.request_id}</RequestId>"
                         "</ResponseMetadata></DeleteTopicResponse>")


def test_error_roundtrip_sender_fault(sns_roundtrip: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sns_roundtrip.call("GetTopicAttributes", {"TopicArn": TOPIC},
                           _NotFound("Topic does not exist"))
    assert exc.value.response["Error"] == {"Type": "Sender", "Code": "NotFound",
                                           "Message": "Topic does not exist"}
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert exc.value.response["ResponseMetadata"]["RequestId"] == IDS.request_id


def test_error_roundtrip_receiver_fault(sns_roundtrip: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sns_roundtrip.call("ListTopics", {}, _Internal("boom <&>"))
    assert exc.value.response["Error"]["Type"] == "Receiver"
    assert exc.value.response["Error"]["Message"] == "boom <&>"


def test_get_request_query_string_is_parsed(sns_roundtrip: Any) -> None:
    request = HttpRequest("GET", "/", f"Action=ConfirmSubscription&TopicArn={TOPIC}&Token=tok",
                          {"Host": "localhost"})
    parsed = sns_roundtrip.parser.parse(request)
    assert parsed.operation.name == "ConfirmSubscription"
    assert parsed.params == {"TopicArn": TOPIC, "Token": "tok"}


def test_unknown_action_is_invalid_action(sns_roundtrip: Any) -> None:
    request = HttpRequest("POST", "/", "", {"Content-Type": "application/x-www-form-urlencoded"},
                          b"Action=Explode&Version=2010-03-31")
    with pytest.raises(InvalidAction) as exc:
        sns_roundtrip.parser.parse(request)
    assert exc.value.message == "The action Explode is not valid for this web service."


def test_bad_boolean_is_a_validation_error(sns_roundtrip: Any) -> None:
    request = HttpRequest("POST", "/", "", {},
                          b"Action=Subscribe&TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=maybe")
    with pytest.raises(AwsError) as exc:
        sns_roundtrip.parser.parse(request)
    assert exc.value.code == "ValidationException"
    assert "ReturnSubscriptionArn" in exc.value.message


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        pytest.param({"Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/"
                                       "aws4_request, SignedHeaders=host, Signature=x"},
                     "", "sns", id="signed"),
        pytest.param({}, "Action=ConfirmSubscription&Token=t", "sns", id="unsigned-get"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, "", "s3",
                     id="unsigned-form-put-stays-s3"),
        pytest.param({}, "list-type=2", "s3", id="unsigned-s3"),
    ],
)
def test_sns_requests_are_routed_to_sns(headers: dict[str, str], query: str,
                                        expected: str) -> None:
    resolver = ServiceNameResolver([load_service_model(name) for name in ("s3", "sns")])
    assert resolver.resolve(headers, query) == expected
