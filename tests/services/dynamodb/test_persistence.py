"""Everything DynamoDB holds survives a restart on the same database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig

from .conftest import make_table


@pytest.mark.asyncio
async def test_tables_items_indexes_and_stream_records_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Simulator(config) as sim:
        await make_table(
            sim, stream="NEW_AND_OLD_IMAGES",
            more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
            global_secondary_indexes=[{
                "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
        )
        for i in range(3):
            await sim.dynamodb.put_item(table_name="things", item={
                "pk": {"S": "a"}, "sk": {"N": str(i)}, "g": {"S": "x"}, "b": {"B": b"\x00"}})
        arn = (await sim.dynamodb.describe_table(table_name="things"))["Table"]["LatestStreamArn"]
        shard = (await sim.dynamodbstreams.describe_stream(stream_arn=arn))[
            "StreamDescription"]["Shards"][0]["ShardId"]
        it = (await sim.dynamodbstreams.get_shard_iterator(
            stream_arn=arn, shard_id=shard, shard_iterator_type="TRIM_HORIZON"))["ShardIterator"]
        first = await sim.dynamodbstreams.get_records(shard_iterator=it, limit=2)
        before = await sim.dynamodb.describe_table(table_name="things")

    async with Simulator(config) as sim:
        table = (await sim.dynamodb.describe_table(table_name="things"))["Table"]
        assert table == before["Table"]
        assert table["ItemCount"] == 3
        items = (await sim.dynamodb.query(
            table_name="things", index_name="by-g", key_condition_expression="g = :g",
            expression_attribute_values={":g": {"S": "x"}}))["Items"]
        assert [i["sk"]["N"] for i in items] == ["0", "1", "2"]
        assert items[0]["b"] == {"B": b"\x00"}
        # The iterator handed out before the restart goes on where it stopped.
        rest = await sim.dynamodbstreams.get_records(shard_iterator=first["NextShardIterator"])
        assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in rest["Records"]] == ["2"]
        # New writes continue the sequence.
        await sim.dynamodb.delete_item(table_name="things",
                                       key={"pk": {"S": "a"}, "sk": {"N": "0"}})
        last = await sim.dynamodbstreams.get_records(shard_iterator=rest["NextShardIterator"])
        assert [r["eventName"] for r in last["Records"]] == ["REMOVE"]
        numbers = [int(r["dynamodb"]["SequenceNumber"])
                   for r in first["Records"] + rest["Records"] + last["Records"]]
        assert numbers == sorted(numbers)
