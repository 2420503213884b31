"""DynamoDB and DynamoDB Streams: one sequence of boto3 calls against moto's server and
eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP
status. Where they do not, moto is wrong; the step is listed in `MOTO_DIFFERS` with what AWS
does (and the doc it follows), and eventsim's answer is held to AWS's behaviour instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, outcome  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any, Any], Any]]

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def _table(**extra: Any) -> dict[str, Any]:
    return {
        "TableName": "things",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST",
        **extra,
    }


def _stream_arn(d: Any) -> str:
    return str(d.describe_table(TableName="things")["Table"]["LatestStreamArn"])


def _shard(d: Any, s: Any) -> tuple[str, str]:
    arn = _stream_arn(d)
    shards = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return arn, str(shards[0]["ShardId"])


def _iterator(d: Any, s: Any) -> str:
    arn, shard = _shard(d, s)
    got = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return str(got["ShardIterator"])


STEPS: list[Step] = [
    ("create_table", lambda d, s: d.create_table(**_table(StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}))),
    ("create_existing_table", lambda d, s: d.create_table(**_table())),
    ("create_table_undefined_key", lambda d, s: d.create_table(
        TableName="bad", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "x", "KeyType": "HASH"}])),
    ("describe_table", lambda d, s: d.describe_table(TableName="things")),
    ("describe_unknown_table", lambda d, s: d.describe_table(TableName="nope")),
    ("list_tables", lambda d, s: d.list_tables()),
    ("put_item", lambda d, s: d.put_item(TableName="things", Item={**KEY, "v": {"N": "1"}})),
    ("put_item_all_old", lambda d, s: d.put_item(
        TableName="things", Item={**KEY, "v": {"N": "2"}}, ReturnValues="ALL_OLD")),
    ("put_item_unknown_table", lambda d, s: d.put_item(TableName="nope", Item=KEY)),
    ("put_item_wrong_key_type", lambda d, s: d.put_item(
        TableName="things", Item={"pk": {"N": "1"}, "sk": {"N": "1"}})),
    ("put_item_missing_key", lambda d, s: d.put_item(TableName="things",
                                                     Item={"pk": {"S": "a"}})),
    ("put_item_condition_fails", lambda d, s: d.put_item(
        TableName="things", Item=KEY, ConditionExpression="attribute_not_exists(pk)")),
    ("put_item_too_large", lambda d, s: d.put_item(
        TableName="things", Item={**KEY, "big": {"S": "x" * 410_000}})),
    ("get_item", lambda d, s: d.get_item(TableName="things", Key=KEY)),
    ("get_item_projection", lambda d, s: d.get_item(
        TableName="things", Key=KEY, ProjectionExpression="v")),
    ("get_missing_item", lambda d, s: d.get_item(
        TableName="things", Key={"pk": {"S": "zz"}, "sk": {"N": "1"}})),
    ("get_item_bad_key", lambda d, s: d.get_item(TableName="things",
                                                 Key={"pk": {"S": "a"}})),
    ("update_item_all_new", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET v = v + :one ADD tags :t",
        ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"SS": ["x"]}},
        ReturnValues="ALL_NEW")),
    ("update_item_updated_old", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "9"}}, ReturnValues="UPDATED_OLD")),
    ("update_item_syntax_error", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET v = = :v",
        ExpressionAttributeValues={":v": {"N": "9"}})),
    ("update_item_unused_value", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "9"}, ":x": {"N": "1"}})),
    ("update_item_undefined_name", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET #n = :v",
        ExpressionAttributeValues={":v": {"N": "9"}})),
    ("update_item_reserved_word", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET status = :v",
        ExpressionAttributeValues={":v": {"N": "9"}})),
    ("update_item_key_attribute", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "b"}})),
    ("update_item_overlapping_paths", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET m = :v REMOVE m",
        ExpressionAttributeValues={":v": {"N": "9"}})),
    ("update_item_condition_fails", lambda d, s: d.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET v = :v",
        ConditionExpression="v = :zero",
        ExpressionAttributeValues={":v": {"N": "9"}, ":zero": {"N": "0"}})),
    ("put_item_condition_syntax_error", lambda d, s: d.put_item(
        TableName="things", Item=KEY, ConditionExpression="v = ")),
    ("put_item_unknown_function", lambda d, s: d.put_item(
        TableName="things", Item=KEY, ConditionExpression="nope(v)")),
    ("query_or_in_key_condition", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p OR pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}})),
    ("query_key_value_of_wrong_type", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"N": "1"}})),
    ("batch_write_item", lambda d, s: d.batch_write_item(RequestItems={"things": [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}, "even": {
            "BOOL": i % 2 == 0}}}} for i in range(2, 12)]})),
    ("batch_write_over_25", lambda d, s: d.batch_write_item(RequestItems={"things": [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}}}}
        for i in range(26)]})),
    ("batch_get_item", lambda d, s: d.batch_get_item(RequestItems={"things": {"Keys": [
        {"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(1, 4)]}})),
    ("query", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":p": {"S": "a"}, ":a": {"N": "2"}, ":b": {"N": "6"}})),
    ("query_limit", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}}, Limit=3, ScanIndexForward=False)),
    ("query_filter", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p", FilterExpression="even = :t",
        ExpressionAttributeValues={":p": {"S": "a"}, ":t": {"BOOL": True}})),
    ("query_count", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="pk = :p", Select="COUNT",
        ExpressionAttributeValues={":p": {"S": "a"}})),
    ("query_missing_hash_key", lambda d, s: d.query(
        TableName="things", KeyConditionExpression="sk = :v",
        ExpressionAttributeValues={":v": {"N": "1"}})),
    ("scan", lambda d, s: d.scan(TableName="things")),
    ("scan_limit", lambda d, s: d.scan(TableName="things", Limit=2)),
    ("scan_filter", lambda d, s: d.scan(
        TableName="things", FilterExpression="sk > :five",
        ExpressionAttributeValues={":five": {"N": "5"}})),
    ("transact_write_items", lambda d, s: d.transact_write_items(TransactItems=[
        {"Put": {"TableName": "things", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Delete": {"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
    ])),
    ("transact_write_items_cancelled", lambda d, s: d.transact_write_items(TransactItems=[
        {"Put": {"TableName": "things", "Item": {"pk": {"S": "t"}, "sk": {"N": "2"}}}},
        {"ConditionCheck": {"TableName": "things", "Key": KEY,
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ])),
    ("delete_item_all_old", lambda d, s: d.delete_item(
        TableName="things", Key=KEY, ReturnValues="ALL_OLD")),
    ("delete_missing_item", lambda d, s: d.delete_item(TableName="things", Key=KEY)),
    ("list_streams", lambda d, s: s.list_streams(TableName="things")),
    ("describe_stream", lambda d, s: s.describe_stream(StreamArn=_stream_arn(d))),
    ("get_shard_iterator", lambda d, s: s.get_shard_iterator(
        StreamArn=_shard(d, s)[0], ShardId=_shard(d, s)[1], ShardIteratorType="LATEST")),
    ("get_records", lambda d, s: s.get_records(ShardIterator=_iterator(d, s), Limit=5)),
    # Where moto accepts what AWS rejects, its table changes: these come last.
    ("put_item_duplicate_set_members", lambda d, s: d.put_item(
        TableName="things", Item={**KEY, "tags": {"SS": ["x", "x"]}})),
    ("put_item_values_without_expression", lambda d, s: d.put_item(
        TableName="things", Item=KEY, ExpressionAttributeValues={":v": {"N": "1"}})),
    ("update_table_stream_off", lambda d, s: d.update_table(
        TableName="things", StreamSpecification={"StreamEnabled": False})),
    ("delete_table", lambda d, s: d.delete_table(TableName="things")),
    ("delete_unknown_table", lambda d, s: d.delete_table(TableName="things")),
]

MOTO_DIFFERS: dict[str, tuple[Outcome, str]] = {
    "update_item_undefined_name": (
        ("error", ("ValidationException", 400)),
        "moto answers 500; AWS rejects an undefined #name with ValidationException "
        "(DynamoDB Developer Guide, 'Expression attribute names': 'An expression attribute "
        "name used in the document path is not defined').",
    ),
    "put_item_condition_syntax_error": (
        ("error", ("ValidationException", 400)),
        "moto answers 500; AWS answers ValidationException 'Invalid ConditionExpression: "
        "Syntax error; token: ...' (DynamoDB Developer Guide, 'Condition expressions').",
    ),
    "put_item_unknown_function": (
        ("error", ("ValidationException", 400)),
        "moto answers 500; AWS answers ValidationException 'Invalid ConditionExpression: "
        "Invalid function name; function: nope'.",
    ),
    "put_item_duplicate_set_members": (
        ("error", ("ValidationException", 400)),
        "moto stores the set; AWS rejects duplicates ('Input collection [x, x] contains "
        "duplicates'): set members are unique (Developer Guide, 'Data types', Sets).",
    ),
    "put_item_values_without_expression": (
        ("error", ("ValidationException", 400)),
        "moto ignores the map; AWS answers 'ExpressionAttributeValues can only be specified "
        "when using expressions'.",
    ),
    "query_or_in_key_condition": (
        ("error", ("ValidationException", 400)),
        "moto answers 500; AWS answers 'Invalid operator used in KeyConditionExpression: OR' "
        "(Developer Guide, 'Key condition expressions for query': only AND).",
    ),
    "query_key_value_of_wrong_type": (
        ("error", ("ValidationException", 400)),
        "moto answers an empty page; AWS answers 'One or more parameter values were invalid: "
        "Condition parameter type does not match schema type'.",
    ),
    "batch_write_over_25": (
        ("error", ("ValidationException", 400)),
        "moto accepts 26 requests; AWS allows at most 25 put or delete requests per "
        "BatchWriteItem (API Reference, BatchWriteItem: 'up to 25 item put or delete "
        "operations') and answers ValidationException.",
    ),
}
"""Steps where moto's answer is not AWS's: step -> (AWS's outcome, what AWS does and where
it says so). eventsim is held to AWS's outcome."""

_UNREQUESTED = ("ConsumedCapacity", "ItemCollectionMetrics")


def _normalise(value: Any, top: bool = True) -> Any:
    """Drop what moto sends and AWS does not (none of these calls ask for them):

    - ``ConsumedCapacity`` / ``ItemCollectionMetrics``: AWS returns them only when
      ReturnConsumedCapacity / ReturnItemCollectionMetrics ask for them (API Reference,
      PutItem/UpdateItem/BatchWriteItem/...: "returned only if the ReturnConsumedCapacity
      parameter was specified"); moto always sends them.
    - empty ``GlobalSecondaryIndexes`` / ``LocalSecondaryIndexes`` lists: AWS omits the
      members for a table without indexes.
    - ``TableId`` (AWS sends it, moto does not) and the billing summary's
      ``LastUpdateToPayPerRequestDateTime`` (AWS sends it for on-demand tables, moto does not).
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if top and key in _UNREQUESTED:
                continue
            if key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes") and item == []:
                continue
            if key in ("TableId", "LastUpdateToPayPerRequestDateTime"):
                continue
            out[key] = _normalise(item, top=False)
        return out
    if isinstance(value, list):
        return [_normalise(v, top=False) for v in value]
    return value


@pytest.fixture(scope="module")
def outcomes(clients: Any) -> dict[str, tuple[Outcome, Outcome]]:
    moto_ddb, sim_ddb = clients("dynamodb")
    moto_streams, sim_streams = clients("dynamodbstreams")
    results: dict[str, tuple[Outcome, Outcome]] = {}
    for name, step in STEPS:
        results[name] = (outcome(lambda s=step: s(moto_ddb, moto_streams)),
                         outcome(lambda s=step: s(sim_ddb, sim_streams)))
    return results


@pytest.mark.parametrize("name", [name for name, _ in STEPS])
def test_eventsim_answers_like_moto(name: str, outcomes: dict[str, tuple[Outcome, Outcome]]
                                   ) -> None:
    moto, ours = outcomes[name]
    if name in MOTO_DIFFERS:
        expected, _why = MOTO_DIFFERS[name]
        assert ours == expected
        assert moto != expected  # if moto is fixed, the entry goes
        return
    assert (ours[0], _normalise(ours[1])) == (moto[0], _normalise(moto[1]))
