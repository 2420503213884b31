"""Stream record positions: taken from a counter in memory, they still grow across restarts,
trims and failed writes, and the streams API reads the stream's end from the records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.errors import AwsError

from .conftest import make_table

pytestmark = pytest.mark.asyncio


async def _put(sim: Simulator, sk: int, **kwargs: Any) -> None:
    await sim.dynamodb.put_item(table_name="things",
                                item={"pk": {"S": "a"}, "sk": {"N": str(sk)}}, **kwargs)


async def _numbers(sim: Simulator) -> list[int]:
    arn = (await sim.dynamodb.describe_table(table_name="things"))["Table"]["LatestStreamArn"]
    shard = (await sim.dynamodbstreams.describe_stream(stream_arn=arn))[
        "StreamDescription"]["Shards"][0]["ShardId"]
    it = (await sim.dynamodbstreams.get_shard_iterator(
        stream_arn=arn, shard_id=shard, shard_iterator_type="TRIM_HORIZON"))["ShardIterator"]
    numbers: list[int] = []
    while True:
        got = await sim.dynamodbstreams.get_records(shard_iterator=it)
        if not got["Records"]:
            return numbers
        numbers += [int(r["dynamodb"]["SequenceNumber"]) for r in got["Records"]]
        it = got["NextShardIterator"]


async def _latest(sim: Simulator) -> str:
    arn = (await sim.dynamodb.describe_table(table_name="things"))["Table"]["LatestStreamArn"]
    shard = (await sim.dynamodbstreams.describe_stream(stream_arn=arn))[
        "StreamDescription"]["Shards"][0]["ShardId"]
    result = await sim.dynamodbstreams.get_shard_iterator(
        stream_arn=arn, shard_id=shard, shard_iterator_type="LATEST")
    return str(result["ShardIterator"])


async def test_positions_grow_across_a_restart_and_latest_starts_after_the_last(
    tmp_path: Path,
) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Simulator(config) as sim:
        await make_table(sim, stream="NEW_IMAGE")
        for sk in range(3):
            await _put(sim, sk)
        before = await _numbers(sim)
    async with Simulator(config) as sim:
        latest = await _latest(sim)
        await _put(sim, 3)
        after = await _numbers(sim)
        assert after[:3] == before
        assert after == sorted(set(after)) and len(after) == 4
        fresh = await sim.dynamodbstreams.get_records(shard_iterator=latest)
        assert [int(r["dynamodb"]["SequenceNumber"]) for r in fresh["Records"]] == after[3:]


async def test_a_failed_transaction_takes_no_position(sim: Simulator) -> None:
    await make_table(sim, stream="NEW_IMAGE")
    await _put(sim, 0)
    with pytest.raises(AwsError):
        await sim.dynamodb.transact_write_items(transact_items=[
            {"Put": {"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
            {"Put": {"TableName": "gone", "Item": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
        ])
    await _put(sim, 3)
    first, second = await _numbers(sim)
    assert second == first + 1


async def test_positions_grow_past_a_trim_and_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as sim:
        await make_table(sim, stream="KEYS_ONLY")
        await _put(sim, 0)
        sim.clock.advance(25 * 3600)  # type: ignore[attr-defined]
        for sk in range(1, 1025):  # the 1,024th record trims the first, past retention
            await _put(sim, sk)
        kept = await _numbers(sim)
        stored = await sim.db.read(
            lambda c: c.execute("SELECT COUNT(*) FROM ddb_stream_records").fetchone()[0])
        assert stored == 1024  # the expired record is gone, not only hidden
    async with Simulator(config) as sim:
        await _put(sim, 2000)
        numbers = await _numbers(sim)
        assert numbers[:-1] == kept and numbers[-1] > kept[-1]
