"""Must-show: insert, modify, no-op modify, remove yield exactly three stream records with
the images each view type calls for, read through the Python API and through boto3's
dynamodbstreams client against the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import ThreadedSimulator

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]

FIRST = {"id": {"S": "cat"}, "legs": {"N": "4"}}
SECOND = {"id": {"S": "cat"}, "legs": {"N": "4"}, "name": {"S": "Tom"}}
KEYS = {"id": {"S": "cat"}}

EXPECTED_IMAGES = {
    # view type -> per event (INSERT, MODIFY, REMOVE): (NewImage, OldImage)
    "KEYS_ONLY": [(None, None), (None, None), (None, None)],
    "NEW_IMAGE": [(FIRST, None), (SECOND, None), (None, None)],
    "OLD_IMAGE": [(None, None), (None, FIRST), (None, SECOND)],
    "NEW_AND_OLD_IMAGES": [(FIRST, None), (SECOND, FIRST), (None, SECOND)],
}


def _table_spec(view_type: str) -> dict[str, Any]:
    return {
        "TableName": "pets",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": view_type},
    }


def _check(records: list[dict[str, Any]], view_type: str) -> None:
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    for record, (new, old) in zip(records, EXPECTED_IMAGES[view_type], strict=True):
        body = record["dynamodb"]
        assert body["Keys"] == KEYS
        assert body.get("NewImage") == new
        assert body.get("OldImage") == old
        assert body["StreamViewType"] == view_type
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventVersion"] == "1.1"
        assert record["awsRegion"] == "us-east-1"


@pytest.mark.asyncio
@pytest.mark.parametrize("view_type", VIEW_TYPES)
async def test_write_sequence_yields_three_records_through_the_python_api(view_type: str) -> None:
    async with Simulator(SimulatorConfig()) as sim:
        spec = _table_spec(view_type)
        await sim.dynamodb.create_table(
            table_name="pets", attribute_definitions=spec["AttributeDefinitions"],
            key_schema=spec["KeySchema"], billing_mode="PAY_PER_REQUEST",
            stream_specification=spec["StreamSpecification"],
        )
        await sim.dynamodb.put_item(table_name="pets", item=FIRST)
        await sim.dynamodb.update_item(
            table_name="pets", key=KEYS, update_expression="SET #n = :n",
            expression_attribute_names={"#n": "name"},
            expression_attribute_values={":n": {"S": "Tom"}},
        )
        # No-op modifications: the same item put again, an update that changes nothing.
        await sim.dynamodb.put_item(table_name="pets", item=SECOND)
        await sim.dynamodb.update_item(
            table_name="pets", key=KEYS, update_expression="SET legs = :four",
            expression_attribute_values={":four": {"N": "4.0"}},
        )
        await sim.dynamodb.delete_item(table_name="pets", key=KEYS)
        await sim.dynamodb.delete_item(table_name="pets", key=KEYS)  # missing: no record
        streams = sim.dynamodbstreams
        arn = (await streams.list_streams(table_name="pets"))["Streams"][0]["StreamArn"]
        shard = (await streams.describe_stream(stream_arn=arn))["StreamDescription"]["Shards"][0]
        iterator = (await streams.get_shard_iterator(
            stream_arn=arn, shard_id=shard["ShardId"], shard_iterator_type="TRIM_HORIZON"
        ))["ShardIterator"]
        page = await streams.get_records(shard_iterator=iterator)
        _check(page["Records"], view_type)
        again = await streams.get_records(shard_iterator=page["NextShardIterator"])
        assert again["Records"] == []


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_write_sequence_yields_three_records_through_boto3(view_type: str) -> None:
    with ThreadedSimulator() as sim:
        ddb = sim.client("dynamodb")
        streams = sim.client("dynamodbstreams")
        table = ddb.create_table(**_table_spec(view_type))["TableDescription"]
        arn = table["LatestStreamArn"]
        assert arn.startswith("arn:aws:dynamodb:us-east-1:000000000000:table/pets/stream/")
        assert arn.endswith(table["LatestStreamLabel"])
        ddb.put_item(TableName="pets", Item=FIRST)
        ddb.update_item(
            TableName="pets", Key=KEYS, UpdateExpression="SET #n = :n",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":n": {"S": "Tom"}},
        )
        ddb.put_item(TableName="pets", Item=SECOND)
        ddb.delete_item(TableName="pets", Key=KEYS)
        ddb.delete_item(TableName="pets", Key=KEYS)
        listed = streams.list_streams(TableName="pets")["Streams"]
        assert [s["StreamArn"] for s in listed] == [arn]
        description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
        assert description["StreamStatus"] == "ENABLED"
        assert description["StreamViewType"] == view_type
        assert description["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        shard_id = description["Shards"][0]["ShardId"]
        assert shard_id.startswith("shardId-") and len(shard_id) == 37
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        _check(records, view_type)
        created = records[0]["dynamodb"]["ApproximateCreationDateTime"]
        assert created.tzinfo is not None
