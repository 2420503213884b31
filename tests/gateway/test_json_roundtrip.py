"""The json protocol: botocore's serializer -> our parser, our serializer -> botocore's parser,
for DynamoDB, SQS and Kinesis (no services needed: canned answers)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.errors import AwsError, ResourceNotFoundException
from eventsim.gateway.protocols import HttpRequest, create_parser
from eventsim.gateway.protocols.json import SerializationException, UnknownOperationException
from eventsim.gateway.specs import load_service_model
from eventsim.testing import ThreadedSimulator
from eventsim.tracing import RequestIds

WHEN = dt.datetime(2024, 5, 17, 12, 30, 45, 123000, tzinfo=dt.UTC)


def test_dynamodb_put_item_request_reaches_the_service_with_blobs_as_bytes(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("dynamodb")
    parsed, response = rt.call(
        "PutItem",
        {"TableName": "pets", "Item": {"id": {"S": "cat"}, "n": {"N": "7"},
                                       "photo": {"B": b"\x00\xff"}, "tags": {"SS": ["a"]}},
         "ConditionExpression": "attribute_not_exists(id)"},
        {"ConsumedCapacity": {"TableName": "pets", "CapacityUnits": 1.0}},
    )
    assert parsed.operation.name == "PutItem"
    assert parsed.params == {
        "TableName": "pets",
        "Item": {"id": {"S": "cat"}, "n": {"N": "7"}, "photo": {"B": b"\x00\xff"},
                 "tags": {"SS": ["a"]}},
        "ConditionExpression": "attribute_not_exists(id)",
    }
    assert rt.requests[-1].headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem"
    assert response["ConsumedCapacity"] == {"TableName": "pets", "CapacityUnits": 1.0}


def test_dynamodb_get_item_answer_decodes_blobs_and_timestamps(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("dynamodb")
    _, response = rt.call("GetItem", {"TableName": "pets", "Key": {"id": {"S": "cat"}}},
                          {"Item": {"id": {"S": "cat"}, "photo": {"B": b"\x01\x02"}}})
    assert response["Item"] == {"id": {"S": "cat"}, "photo": {"B": b"\x01\x02"}}
    _, described = rt.call("DescribeTable", {"TableName": "pets"},
                           {"Table": {"TableName": "pets", "CreationDateTime": WHEN,
                                      "ItemCount": 3}})
    assert described["Table"]["CreationDateTime"] == WHEN
    assert described["Table"]["ItemCount"] == 3


def test_dynamodb_error_reaches_botocore_with_its_code_and_message(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("dynamodb")
    with pytest.raises(ClientError) as raised:
        rt.call("DescribeTable", {"TableName": "nope"},
                ResourceNotFoundException("Requested resource not found: Table: nope not found"))
    error = raised.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == "Requested resource not found: Table: nope not found"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert raised.value.response["ResponseMetadata"]["RequestId"] == "0123456789ABCDEF"
    wire = json.loads(rt.serializer.serialize_error(
        ResourceNotFoundException("x"), None, rt.requests[-1], _ids()).body)
    assert wire["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"


class _QueueDoesNotExist(AwsError):
    code = "QueueDoesNotExist"
    query_code: ClassVar[str] = "AWS.SimpleQueueService.NonExistentQueue"
    status_code = 400
    sender_fault = True


def test_sqs_error_carries_the_query_code_botocore_maps_to_its_modeled_exception(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("sqs")
    with pytest.raises(rt.client.exceptions.QueueDoesNotExist) as raised:
        rt.call("GetQueueUrl", {"QueueName": "missing"},
                _QueueDoesNotExist("The specified queue does not exist."))
    assert raised.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert raised.value.response["Error"]["Type"] == "Sender"
    wire = rt.serializer.serialize_error(_QueueDoesNotExist("x"), None, rt.requests[-1], _ids())
    assert wire.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


def test_sqs_send_message_attributes_roundtrip(roundtrip_factory: Callable[..., Any]) -> None:
    rt = roundtrip_factory("sqs")
    parsed, response = rt.call(
        "SendMessage",
        {"QueueUrl": "http://localhost:4566/000000000000/jobs", "MessageBody": "hi",
         "DelaySeconds": 5,
         "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\x00"},
                               "s": {"DataType": "String", "StringValue": "v"}}},
        {"MessageId": "m-1", "MD5OfMessageBody": "49f68a5c8493ec2c0bf489821c21fc3b"},
    )
    assert parsed.params["DelaySeconds"] == 5
    assert parsed.params["MessageAttributes"]["bin"] == {"DataType": "Binary",
                                                         "BinaryValue": b"\x00"}
    assert response["MessageId"] == "m-1"


def test_kinesis_put_records_and_get_records_roundtrip(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("kinesis")
    parsed, _ = rt.call(
        "PutRecords",
        {"StreamName": "s", "Records": [{"Data": b"abc", "PartitionKey": "k"}]},
        {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "shardId-0"}]},
    )
    assert parsed.params["Records"] == [{"Data": b"abc", "PartitionKey": "k"}]
    assert rt.requests[-1].headers["Content-Type"] == "application/x-amz-json-1.1"
    _, got = rt.call(
        "GetRecords", {"ShardIterator": "it"},
        {"Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": WHEN,
                      "Data": b"abc", "PartitionKey": "k"}],
         "NextShardIterator": "it2", "MillisBehindLatest": 0},
    )
    assert got["Records"][0]["Data"] == b"abc"
    assert got["Records"][0]["ApproximateArrivalTimestamp"] == WHEN


def _request(target: str, body: bytes) -> HttpRequest:
    return HttpRequest(method="POST", path="/", headers={"X-Amz-Target": target}, body=body)


def test_unknown_target_is_unknown_operation() -> None:
    parser = create_parser(load_service_model("dynamodb"))
    with pytest.raises(UnknownOperationException):
        parser.parse(_request("DynamoDB_20120810.Teleport", b"{}"))
    with pytest.raises(UnknownOperationException):
        parser.parse(_request("Kinesis_20131202.PutRecord", b"{}"))


def test_body_that_is_not_json_is_a_serialization_exception() -> None:
    parser = create_parser(load_service_model("dynamodb"))
    with pytest.raises(SerializationException):
        parser.parse(_request("DynamoDB_20120810.PutItem", b"{not json"))


def test_value_of_the_wrong_type_is_a_serialization_exception() -> None:
    parser = create_parser(load_service_model("dynamodb"))
    with pytest.raises(SerializationException, match="Limit"):
        parser.parse(_request("DynamoDB_20120810.Scan", b'{"TableName":"t","Limit":"ten"}'))
    with pytest.raises(SerializationException):
        parser.parse(_request("DynamoDB_20120810.PutItem", b'["not", "a", "structure"]'))


def test_empty_body_is_an_empty_input() -> None:
    parser = create_parser(load_service_model("dynamodb"))
    parsed = parser.parse(_request("DynamoDB_20120810.ListTables", b""))
    assert (parsed.operation.name, parsed.params) == ("ListTables", {})


def _ids() -> RequestIds:
    return RequestIds("0123456789ABCDEF")


def test_json_operation_without_an_implementation_answers_not_implemented_through_boto3(
    threaded_sim: ThreadedSimulator,
) -> None:
    # DynamoDB's backups are not simulated: the operation has no method.
    client = threaded_sim.client("dynamodb")
    with pytest.raises(ClientError) as raised:
        client.list_backups()
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_integers_beyond_64_bits_are_still_written() -> None:
    from eventsim.gateway.protocols.json import _dumps

    assert json.loads(_dumps({"n": 2**70, "s": "x"})) == {"n": 2**70, "s": "x"}


def test_nested_attribute_values_are_read_through_recursive_shapes(
    roundtrip_factory: Callable[..., Any],
) -> None:
    rt = roundtrip_factory("dynamodb")
    item = {"id": {"S": "a"}, "m": {"M": {"l": {"L": [{"N": "1"}, {"B": b"\x01"},
                                                      {"M": {"deep": {"BOOL": True}}}]}}}}
    parsed, _ = rt.call("PutItem", {"TableName": "pets", "Item": item})
    assert parsed.params["Item"] == item


@pytest.mark.parametrize("entries", [
    [{"SequenceNumber": "1", "ShardId": "shardId-000000000000"}] * 3,
    [{"SequenceNumber": "1", "ShardId": "s"}, {"SequenceNumber": "2", "ShardId": None}],
    [{"SequenceNumber": "1", "ShardId": "s"}, {"SequenceNumber": "2", "Other": "x"}],
    [{"SequenceNumber": "", "ShardId": "s"}, {"ErrorCode": "E", "ErrorMessage": "m"}],
    [],
])
def test_put_records_result_entries_are_written_as_one_by_one(
    entries: list[dict[str, Any]],
) -> None:
    # The list of plain entries is checked in bulk; what it writes is what each entry's own
    # writer writes: None values and members outside the shape left out.
    from eventsim.gateway.protocols.json import JSONResponseSerializer

    model = load_service_model("kinesis")
    serializer = JSONResponseSerializer(model)
    response = serializer.serialize_response(
        model.operation_model("PutRecords"), {"FailedRecordCount": 0, "Records": entries},
        _request("Kinesis_20131202.PutRecords", b""), _ids())
    expected = [{k: v for k, v in e.items() if v is not None and k != "Other"} for e in entries]
    assert json.loads(response.body) == {"FailedRecordCount": 0, "Records": expected}
