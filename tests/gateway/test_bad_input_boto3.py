"""Bad input gets AWS's errors, through boto3 and the gateway (issue 3, Must show).

One test a case: the exact error code, HTTP status and message (or the part of it AWS
documents), and that the failed call changed nothing: no item written and no stream record
appended, no Kinesis record, no message queued or delivered, no subscription made, no
attribute changed.

Sources for the messages: the DynamoDB Developer Guide ("Expressions", "Reserved words",
"Error handling"); the API references' Errors sections; botocore's service models (limits);
and, where AWS's wording is not documented, what AWS answers as recorded by tests run against
it (LocalStack's snapshot-validated providers, ScyllaDB's Alternator tests), cited at the case.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim import SimulatorConfig
from eventsim.testing import ThreadedSimulator

ACCOUNT = "000000000000"
KEY = {"pk": {"S": "a"}}
ITEM = {**KEY, "v": {"N": "1"}}
KIB = 1024
MIB = 1024 * KIB

_names = itertools.count()


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    """One simulator for the module, on a virtual clock so that iterator expiry can be
    reached without waiting."""
    with ThreadedSimulator(SimulatorConfig(clock="virtual")) as threaded:
        yield threaded


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A resource name of its own for each test (the module's simulator is shared)."""
    base = request.node.originalname.removeprefix("test_").replace("_", "-")[:60]
    return f"{base}-{next(_names)}"


def aws_error(call: Callable[[], Any], exception: type[Exception] = ClientError,
              ) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the error `call` raises, as botocore parsed it."""
    with pytest.raises(exception) as info:
        call()
    assert isinstance(info.value, ClientError)
    response = info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


# --- DynamoDB -----------------------------------------------------------------------------


@pytest.fixture
def ddb(sim: ThreadedSimulator) -> Any:
    return sim.client("dynamodb")


@pytest.fixture
def table(ddb: Any, name: str) -> str:
    """A table keyed by pk holding ITEM, with a stream so that writes would show."""
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.put_item(TableName=name, Item=ITEM)
    return name


def stream_events(sim: ThreadedSimulator, ddb: Any, table: str) -> list[str]:
    """The eventNames of every record on the table's stream."""
    streams = sim.client("dynamodbstreams")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["eventName"] for r in streams.get_records(ShardIterator=iterator)["Records"]]


def assert_unchanged(sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    """The table still holds ITEM alone, and its stream only the INSERT that wrote it."""
    assert ddb.scan(TableName=table)["Items"] == [ITEM]
    assert stream_events(sim, ddb, table) == ["INSERT"]


def test_key_condition_expression_syntax_error_names_the_token(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    assert aws_error(lambda: ddb.query(
        TableName=table, KeyConditionExpression="pk = = :v",
        ExpressionAttributeValues={":v": {"S": "a"}})) == (
        "ValidationException", 400,
        'Invalid KeyConditionExpression: Syntax error; token: "=", near: "= = :v"')


def test_update_expression_syntax_error_names_the_token_and_writes_nothing(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    assert aws_error(lambda: ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression="SET v = = :v",
        ExpressionAttributeValues={":v": {"N": "2"}})) == (
        "ValidationException", 400,
        'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"')
    assert_unchanged(sim, ddb, table)


def test_condition_expression_syntax_error_at_the_end_and_writes_nothing(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    """An unclosed call: the offending token is the end of the input, "<EOF>"."""
    assert aws_error(lambda: ddb.put_item(
        TableName=table, Item={**KEY, "v": {"N": "9"}},
        ConditionExpression="attribute_exists(v")) == (
        "ValidationException", 400,
        'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "v"')
    assert_unchanged(sim, ddb, table)


def test_undefined_expression_attribute_value_is_named_and_writes_nothing(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    assert aws_error(lambda: ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression="SET v = :nope")) == (
        "ValidationException", 400,
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :nope")
    assert_unchanged(sim, ddb, table)


def test_undefined_expression_attribute_name_is_named_and_deletes_nothing(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    assert aws_error(lambda: ddb.delete_item(
        TableName=table, Key=KEY, ConditionExpression="attribute_exists(#n)",
        ExpressionAttributeNames={"#other": "v"})) == (
        "ValidationException", 400,
        "Invalid ConditionExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #n")
    assert_unchanged(sim, ddb, table)


def test_reserved_word_as_attribute_name_is_named_and_writes_nothing(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    """STATUS is on the list of reserved words (Developer Guide, "Reserved words in
    DynamoDB"); it must be written through an #name."""
    assert aws_error(lambda: ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression="SET status = :v",
        ExpressionAttributeValues={":v": {"S": "done"}})) == (
        "ValidationException", 400,
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
        "status")
    assert_unchanged(sim, ddb, table)


def test_unused_expression_attribute_value_is_rejected(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    assert aws_error(lambda: ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}, ":spare": {"N": "3"}})) == (
        "ValidationException", 400,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:spare}")
    assert_unchanged(sim, ddb, table)


def test_key_condition_without_the_partition_key_names_the_missing_element(
        ddb: Any, table: str) -> None:
    """A KeyConditionExpression must test the partition key for equality (API_Query,
    KeyConditionExpression); OR is not among its operators."""
    assert aws_error(lambda: ddb.query(
        TableName=table, KeyConditionExpression="v = :v",
        ExpressionAttributeValues={":v": {"N": "1"}})) == (
        "ValidationException", 400, "Query condition missed key schema element: pk")
    assert aws_error(lambda: ddb.query(
        TableName=table, KeyConditionExpression="pk = :a OR pk = :b",
        ExpressionAttributeValues={":a": {"S": "a"}, ":b": {"S": "b"}})) == (
        "ValidationException", 400, "Invalid operator used in KeyConditionExpression: OR")


def test_item_over_400_kb_is_rejected_by_put_and_by_update(
        sim: ThreadedSimulator, ddb: Any, table: str) -> None:
    """"The maximum item size in DynamoDB is 400 KB, which includes both attribute name binary
    length and attribute value lengths" (Developer Guide, "Quotas"). PutItem and UpdateItem
    word it differently: "Item size to update ..." is listed among the ValidationError
    messages of TransactionCanceledException (botocore's dynamodb model)."""
    big = {"S": "x" * (400 * KIB)}
    assert aws_error(lambda: ddb.put_item(TableName=table, Item={**KEY, "big": big})) == (
        "ValidationException", 400, "Item size has exceeded the maximum allowed size")
    assert aws_error(lambda: ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression="SET big = :b",
        ExpressionAttributeValues={":b": big})) == (
        "ValidationException", 400, "Item size to update has exceeded the maximum allowed size")
    assert_unchanged(sim, ddb, table)


MISSING_TABLE_CALLS: dict[str, Callable[[Any], Any]] = {
    "GetItem": lambda d: d.get_item(TableName="no-such-table", Key=KEY),
    "PutItem": lambda d: d.put_item(TableName="no-such-table", Item=ITEM),
    "Query": lambda d: d.query(TableName="no-such-table", KeyConditionExpression="pk = :v",
                               ExpressionAttributeValues={":v": {"S": "a"}}),
}


@pytest.mark.parametrize("operation", sorted(MISSING_TABLE_CALLS))
def test_missing_table_is_resource_not_found(ddb: Any, operation: str) -> None:
    """Item operations on a table that does not exist: ResourceNotFoundException, "Requested
    resource not found" (API reference, Errors of GetItem/PutItem/Query); and the PutItem
    made no table."""
    assert aws_error(lambda: MISSING_TABLE_CALLS[operation](ddb),
                     ddb.exceptions.ResourceNotFoundException) == (
        "ResourceNotFoundException", 400, "Requested resource not found")
    assert "no-such-table" not in ddb.list_tables()["TableNames"]


def test_describe_missing_table_names_the_table(ddb: Any) -> None:
    assert aws_error(lambda: ddb.describe_table(TableName="no-such-table"),
                     ddb.exceptions.ResourceNotFoundException) == (
        "ResourceNotFoundException", 400,
        "Requested resource not found: Table: no-such-table not found")


# --- DynamoDB Streams ---------------------------------------------------------------------


@pytest.fixture
def streams(sim: ThreadedSimulator) -> Any:
    return sim.client("dynamodbstreams")


@pytest.fixture
def stream(ddb: Any, streams: Any, table: str) -> tuple[str, str]:
    """(stream ARN, shard id) of the table's stream."""
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    return arn, shard["ShardId"]


def test_unknown_stream_arn_is_resource_not_found(
        streams: Any, stream: tuple[str, str]) -> None:
    arn, shard_id = stream
    unknown = arn.replace(":table/", ":table/no-such-table-")
    message = f"Requested resource not found: Stream: {unknown} not found"
    assert aws_error(lambda: streams.describe_stream(StreamArn=unknown),
                     streams.exceptions.ResourceNotFoundException) == (
        "ResourceNotFoundException", 400, message)
    assert aws_error(lambda: streams.get_shard_iterator(
        StreamArn=unknown, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"),
        streams.exceptions.ResourceNotFoundException) == (
        "ResourceNotFoundException", 400, message)


def test_stream_arn_that_is_no_arn_is_validation_exception(
        streams: Any, stream: tuple[str, str]) -> None:
    """DynamoDB answers a StreamArn that is not an ARN with ValidationException, not
    ResourceNotFoundException (ScyllaDB's Alternator tests against DynamoDB:
    test_describe_nonexistent_stream, test_get_shard_iterator_for_nonexistent_stream,
    test_list_streams_with_nonexistent_last_stream)."""
    _, shard_id = stream
    garbage = "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"
    expected = ("ValidationException", 400, "Invalid StreamArn")
    assert aws_error(lambda: streams.describe_stream(StreamArn=garbage)) == expected
    assert aws_error(lambda: streams.get_shard_iterator(
        StreamArn=garbage, ShardId=shard_id, ShardIteratorType="LATEST")) == expected
    assert aws_error(lambda: streams.list_streams(ExclusiveStartStreamArn=garbage)) == expected


def test_unknown_shard_is_resource_not_found(streams: Any, stream: tuple[str, str]) -> None:
    arn, _ = stream
    assert aws_error(lambda: streams.get_shard_iterator(
        StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
        ShardIteratorType="TRIM_HORIZON"), streams.exceptions.ResourceNotFoundException) == (
        "ResourceNotFoundException", 400, "Requested resource not found: Shard does not exist")


def test_invalid_shard_iterator_is_validation_exception(streams: Any) -> None:
    """An iterator DynamoDB did not issue: ValidationException (Alternator's
    test_get_records_nonexistent_iterator, run against DynamoDB)."""
    assert aws_error(lambda: streams.get_records(
        ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg")) == (
        "ValidationException", 400, "Invalid ShardIterator")


def test_iterator_expires_after_15_minutes(
        sim: ThreadedSimulator, streams: Any, stream: tuple[str, str]) -> None:
    """"A shard iterator expires 15 minutes after it is retrieved" (API_streams_GetShardIterator);
    GetRecords then answers ExpiredIteratorException, "Shard iterator has expired"."""
    arn, shard_id = stream
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    async def advance(seconds: float) -> None:
        sim.sim.clock.advance(seconds)  # type: ignore[attr-defined]

    sim.run(advance(15 * 60 - 1))
    assert [r["eventName"] for r in streams.get_records(ShardIterator=iterator)["Records"]] == [
        "INSERT"]
    sim.run(advance(2))
    assert aws_error(lambda: streams.get_records(ShardIterator=iterator),
                     streams.exceptions.ExpiredIteratorException) == (
        "ExpiredIteratorException", 400, "Shard iterator has expired")


# --- Kinesis ------------------------------------------------------------------------------


@pytest.fixture
def kinesis(sim: ThreadedSimulator) -> Any:
    return sim.client("kinesis")


@pytest.fixture
def kstream(kinesis: Any, name: str) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return name


def kinesis_records(kinesis: Any, stream: str) -> list[Any]:
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records: list[Any] = kinesis.get_records(ShardIterator=iterator)["Records"]
    return records


def test_kinesis_unknown_stream_is_resource_not_found(kinesis: Any) -> None:
    message = f"Stream no-such-stream under account {ACCOUNT} not found."
    expected = ("ResourceNotFoundException", 400, message)
    assert aws_error(lambda: kinesis.put_record(
        StreamName="no-such-stream", Data=b"x", PartitionKey="k"),
        kinesis.exceptions.ResourceNotFoundException) == expected
    assert aws_error(lambda: kinesis.get_shard_iterator(
        StreamName="no-such-stream", ShardId="shardId-000000000000",
        ShardIteratorType="TRIM_HORIZON"),
        kinesis.exceptions.ResourceNotFoundException) == expected
    assert "no-such-stream" not in kinesis.list_streams()["StreamNames"]


def test_kinesis_record_over_1_mib_is_validation_exception(kinesis: Any, kstream: str) -> None:
    """A stream takes records of at most 1 MiB unless UpdateMaxRecordSize raises its limit
    ("The default maximum record size for existing, and newly created streams is set to 1 MiB",
    Developer Guide, "Handle large records"). The message is AWS's from before large records
    (awslabs/kinesis-aggregation#30), quoting the value as Java prints a ByteBuffer; botocore's
    model now allows Data up to 10 MiB, and how AWS words the 1 MiB refusal of a default stream
    since is not published."""
    assert aws_error(lambda: kinesis.put_record(
        StreamName=kstream, Data=b"x" * (MIB + 1), PartitionKey="k")) == (
        "ValidationException", 400,
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 "
        "cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less "
        "than or equal to 1048576")
    assert kinesis_records(kinesis, kstream) == []


def test_kinesis_put_records_over_500_is_validation_exception(
        kinesis: Any, kstream: str) -> None:
    """At most 500 records a request (API_PutRecords; botocore's model: Records max 500)."""
    code, status, message = aws_error(lambda: kinesis.put_records(
        StreamName=kstream, Records=[{"Data": b"x", "PartitionKey": "k"}] * 501))
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value '[")
    assert message.endswith("' at 'records' failed to satisfy constraint: Member must have "
                            "length less than or equal to 500")
    assert kinesis_records(kinesis, kstream) == []


def test_kinesis_put_records_over_10_mib_is_invalid_argument(
        kinesis: Any, kstream: str) -> None:
    """"Each PutRecords request can support up to 500 records. Each record in the request can
    be as large as 10 MiB, up to a limit of 10 MiB for the entire request, including partition
    keys" (botocore's kinesis model, PutRecords; the limit was 5 MiB before large-record
    support). A stream's records stay at most 1 MiB unless UpdateMaxRecordSize raises it, so
    eleven records of 1 MiB (data plus key) are over while ten are not. Nothing of a refused
    request is put."""
    record = {"Data": b"x" * (MIB - 1), "PartitionKey": "k"}
    assert aws_error(lambda: kinesis.put_records(StreamName=kstream, Records=[record] * 11)) == (
        "InvalidArgumentException", 400, "Records size exceeds 10 MB limit")
    assert kinesis_records(kinesis, kstream) == []
    assert kinesis.put_records(StreamName=kstream, Records=[record] * 10)[
        "FailedRecordCount"] == 0


def test_kinesis_invalid_iterator_is_invalid_argument(kinesis: Any) -> None:
    assert aws_error(lambda: kinesis.get_records(ShardIterator="AAAAAAAAAAEAAAAA"),
                     kinesis.exceptions.InvalidArgumentException) == (
        "InvalidArgumentException", 400, "Invalid ShardIterator.")


def test_kinesis_iterator_expires_after_5_minutes(
        sim: ThreadedSimulator, kinesis: Any, kstream: str) -> None:
    """"A shard iterator expires 5 minutes after it is returned to the requester"
    (API_GetShardIterator); GetRecords then answers ExpiredIteratorException with the times
    in Java's Date format."""
    iterator = kinesis.get_shard_iterator(StreamName=kstream, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    async def advance() -> None:
        sim.sim.clock.advance(5 * 60 + 1)  # type: ignore[attr-defined]

    sim.run(advance())
    code, status, message = aws_error(lambda: kinesis.get_records(ShardIterator=iterator),
                                      kinesis.exceptions.ExpiredIteratorException)
    assert (code, status) == ("ExpiredIteratorException", 400)
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert message.endswith("which is further in the future than the tolerated delay of "
                            "300000 milliseconds.")


# --- SNS ----------------------------------------------------------------------------------


@pytest.fixture
def sns(sim: ThreadedSimulator) -> Any:
    return sim.client("sns")


@pytest.fixture
def sqs(sim: ThreadedSimulator) -> Any:
    return sim.client("sqs")


@pytest.fixture
def topic(sns: Any, name: str) -> str:
    return str(sns.create_topic(Name=name)["TopicArn"])


@pytest.fixture
def queue(sqs: Any, name: str) -> str:
    return str(sqs.create_queue(QueueName=name)["QueueUrl"])


def queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"])


def queued(sim: ThreadedSimulator, sqs: Any, url: str) -> list[Any]:
    sim.settle()
    messages: list[Any] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", [])
    return messages


def test_sns_unknown_topic_is_not_found_404(sns: Any, topic: str, sqs: Any, queue: str) -> None:
    """NotFound, 404, "Topic does not exist" (API_Publish and API_Subscribe, Errors:
    NotFound); the Subscribe made no subscription."""
    unknown = topic + "-missing"
    expected = ("NotFound", 404, "Topic does not exist")
    assert aws_error(lambda: sns.publish(TopicArn=unknown, Message="m"),
                     sns.exceptions.NotFoundException) == expected
    assert aws_error(lambda: sns.subscribe(TopicArn=unknown, Protocol="sqs",
                                           Endpoint=queue_arn(sqs, queue)),
                     sns.exceptions.NotFoundException) == expected
    assert all(s["TopicArn"] != unknown for s in sns.list_subscriptions()["Subscriptions"])


def test_sns_message_over_256_kib_is_rejected_and_not_delivered(
        sim: ThreadedSimulator, sns: Any, topic: str, sqs: Any, queue: str) -> None:
    """"The maximum size of a message is 256 KiB", message attributes included (API_Publish,
    Message). Error as LocalStack's snapshot-validated provider answers it."""
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue),
                  Attributes={"RawMessageDelivery": "true"})
    expected = ("InvalidParameter", 400, "Invalid parameter: Message too long")
    assert aws_error(lambda: sns.publish(TopicArn=topic, Message="x" * (256 * KIB + 1)),
                     sns.exceptions.InvalidParameterException) == expected
    # 256 KiB of body plus an attribute is over too.
    assert aws_error(lambda: sns.publish(
        TopicArn=topic, Message="x" * (256 * KIB),
        MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})) == expected
    assert queued(sim, sqs, queue) == []
    sns.publish(TopicArn=topic, Message="x" * (256 * KIB))
    assert [len(m["Body"]) for m in queued(sim, sqs, queue)] == [256 * KIB]


def test_sns_topic_maximum_message_size_sets_the_limit(
        sim: ThreadedSimulator, sns: Any, topic: str, sqs: Any, queue: str) -> None:
    """"When you publish to a topic, the maximum size is determined by the topic's
    MaximumMessageSize attribute, which supports values up to 1 MiB ... Amazon SNS validates
    the combined size of the message body and message attributes against this value and
    returns an InvalidParameter error if the limit is exceeded" (botocore's sns model,
    Publish, Message)."""
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue),
                  Attributes={"RawMessageDelivery": "true"})
    sns.set_topic_attributes(TopicArn=topic, AttributeName="MaximumMessageSize",
                             AttributeValue=str(MIB))
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["MaximumMessageSize"] == str(
        MIB)
    assert aws_error(lambda: sns.publish(TopicArn=topic, Message="x" * (MIB + 1)),
                     sns.exceptions.InvalidParameterException) == (
        "InvalidParameter", 400, "Invalid parameter: Message too long")
    sns.publish(TopicArn=topic, Message="x" * MIB)
    assert [len(m["Body"]) for m in queued(sim, sqs, queue)] == [MIB]


def test_sns_maximum_message_size_out_of_range_is_refused_and_kept(
        sns: Any, topic: str, name: str) -> None:
    """Valid values are 1024 to 1048576 (botocore's sns model, SetTopicAttributes); a topic
    above 256 KiB may only have SQS, Firehose or Lambda subscriptions."""
    for value in ("1023", str(MIB + 1), "big"):
        code, status, message = aws_error(lambda value=value: sns.set_topic_attributes(
            TopicArn=topic, AttributeName="MaximumMessageSize", AttributeValue=value),
            sns.exceptions.InvalidParameterException)
        assert (code, status) == ("InvalidParameter", 400)
        assert message.startswith("Invalid parameter: MaximumMessageSize")
    assert "MaximumMessageSize" not in sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook")
    code, status, _ = aws_error(lambda: sns.set_topic_attributes(
        TopicArn=topic, AttributeName="MaximumMessageSize", AttributeValue=str(512 * KIB)))
    assert (code, status) == ("InvalidParameter", 400)
    assert aws_error(lambda: sns.create_topic(
        Name=name + "-new", Attributes={"MaximumMessageSize": "0"}))[:2] == (
        "InvalidParameter", 400)
    assert all(not t["TopicArn"].endswith(f":{name}-new")
               for t in sns.list_topics()["Topics"])


INVALID_FILTER_POLICIES: dict[str, tuple[str, str]] = {
    # (policy, the message after "FilterPolicy: "), as LocalStack's provider (validated
    # against AWS by its snapshot tests) and the SNS Developer Guide's constraints give them:
    # "Filter policy constraints": at most 5 keys, at most 150 combinations.
    "bad_json": ("{not json", "failed to parse JSON."),
    "unknown_operator": (json.dumps({"a": [{"foo": "x"}]}), "Unrecognized match type foo"),
    "too_many_keys": (json.dumps({f"k{i}": ["x"] for i in range(6)}),
                      "Filter policy can not have more than 5 keys"),
    # 4 keys of 10 values: 10,000 combinations.
    "too_many_combinations": (json.dumps({f"k{i}": [f"v{j}" for j in range(10)]
                                          for i in range(4)}),
                              "Filter policy is too complex"),
}


@pytest.mark.parametrize("case", sorted(INVALID_FILTER_POLICIES))
def test_invalid_filter_policy_on_subscribe_makes_no_subscription(
        sns: Any, topic: str, sqs: Any, queue: str, case: str) -> None:
    """Subscribe names the Attributes parameter: "Invalid parameter: Attributes Reason:
    FilterPolicy: ..."."""
    policy, reason = INVALID_FILTER_POLICIES[case]
    code, status, message = aws_error(lambda: sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue),
        Attributes={"FilterPolicy": policy}), sns.exceptions.InvalidParameterException)
    assert (code, status) == ("InvalidParameter", 400)
    # AWS appends the JSON parser's own account of a parse error; its start is fixed.
    assert message.startswith(f"Invalid parameter: Attributes Reason: FilterPolicy: {reason}")
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


@pytest.mark.parametrize("case", sorted(INVALID_FILTER_POLICIES))
def test_invalid_filter_policy_on_set_subscription_attributes_keeps_the_old_one(
        sns: Any, topic: str, sqs: Any, queue: str, case: str) -> None:
    """SetSubscriptionAttributes: "Invalid parameter: FilterPolicy: ..."."""
    old = json.dumps({"kind": ["order"]})
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue),
                                 Attributes={"FilterPolicy": old},
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    policy, reason = INVALID_FILTER_POLICIES[case]
    code, status, message = aws_error(lambda: sns.set_subscription_attributes(
        SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue=policy),
        sns.exceptions.InvalidParameterException)
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith(f"Invalid parameter: FilterPolicy: {reason}")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == json.loads(old)


# --- SQS ----------------------------------------------------------------------------------


def test_sqs_unknown_queue_is_queue_does_not_exist(sqs: Any, queue: str) -> None:
    """botocore raises its QueueDoesNotExist class for the query code the json protocol
    carries in x-amzn-query-error (AWS.SimpleQueueService.NonExistentQueue)."""
    unknown = queue + "-missing"
    for call in (lambda: sqs.send_message(QueueUrl=unknown, MessageBody="m"),
                 lambda: sqs.get_queue_url(QueueName=unknown.rsplit("/", 1)[1])):
        assert aws_error(call, sqs.exceptions.QueueDoesNotExist) == (
            "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
    assert all(not u.endswith("-missing") for u in sqs.list_queues().get("QueueUrls", []))


def test_sqs_message_over_1_mib_is_invalid_parameter_value(
        sim: ThreadedSimulator, sqs: Any, queue: str) -> None:
    """The limit is 1 MiB, body and attributes together (botocore's model, SendMessage
    MessageBody: "The maximum is 1,048,576 bytes (1 MiB)"; MaximumMessageSize defaults to
    1,048,576). The message is AWS's, with the limit in bytes."""
    expected = ("InvalidParameterValue", 400,
                "One or more parameters are invalid. Reason: Message must be shorter than "
                "1048576 bytes.")
    assert aws_error(lambda: sqs.send_message(QueueUrl=queue, MessageBody="x" * (MIB + 1))) == (
        expected)
    assert aws_error(lambda: sqs.send_message(
        QueueUrl=queue, MessageBody="x" * MIB,
        MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})) == expected
    assert queued(sim, sqs, queue) == []
    sqs.send_message(QueueUrl=queue, MessageBody="x" * MIB)
    assert [len(m["Body"]) for m in queued(sim, sqs, queue)] == [MIB]


def test_sqs_batch_with_duplicate_ids_queues_nothing(
        sim: ThreadedSimulator, sqs: Any, queue: str) -> None:
    assert aws_error(lambda: sqs.send_message_batch(QueueUrl=queue, Entries=[
        {"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"},
        {"Id": "a", "MessageBody": "3"}]), sqs.exceptions.BatchEntryIdsNotDistinct) == (
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "Id a repeated.")
    assert queued(sim, sqs, queue) == []


def test_sqs_invalid_attribute_name_changes_nothing(sqs: Any, queue: str, name: str) -> None:
    expected = ("InvalidAttributeName", 400, "Unknown Attribute Nope.")
    assert aws_error(lambda: sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Nope"]),
                     sqs.exceptions.InvalidAttributeName) == expected
    assert aws_error(lambda: sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"DelaySeconds": "5", "Nope": "1"}),
        sqs.exceptions.InvalidAttributeName) == expected
    assert sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["DelaySeconds"])[
        "Attributes"] == {"DelaySeconds": "0"}
    assert aws_error(lambda: sqs.create_queue(QueueName=name + "-new",
                                              Attributes={"Nope": "1"}),
                     sqs.exceptions.InvalidAttributeName) == expected
    assert all(not u.endswith(name + "-new") for u in sqs.list_queues().get("QueueUrls", []))
