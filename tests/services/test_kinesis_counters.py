"""Shard counters: a put stores only its records, yet sequence numbers keep growing per shard
across restarts, also when a trim has deleted every record a shard had."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.clock import VirtualClock

LOW, HIGH = "1", str(2**128 - 1)  # explicit hash keys of the first and the second shard


async def _put(sim: Simulator, hash_key: str) -> tuple[str, int]:
    put = await sim.kinesis.put_records(stream_name="s", records=[
        {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": hash_key}] * 3)
    entries = put["Records"]
    assert len({e["ShardId"] for e in entries}) == 1
    return entries[0]["ShardId"], int(entries[-1]["SequenceNumber"])


@pytest.mark.asyncio
async def test_numbers_grow_across_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Simulator(config) as sim:
        await sim.kinesis.create_stream(stream_name="s", shard_count=2)
        shard, before = await _put(sim, LOW)
    async with Simulator(config) as sim:
        again, after = await _put(sim, LOW)
        assert again == shard and after > before


@pytest.mark.asyncio
async def test_numbers_grow_after_a_trim_took_every_record_of_a_shard(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as sim:
        await sim.kinesis.create_stream(stream_name="s", shard_count=2)
        _, low_before = await _put(sim, LOW)
        high, high_before = await _put(sim, HIGH)
        assert isinstance(sim.clock, VirtualClock)
        sim.clock.advance(25 * 3600)  # past the 24-hour retention
        await _put(sim, LOW)  # trims: the second shard has no record left
    async with Simulator(config) as sim:
        shard, high_after = await _put(sim, HIGH)
        assert shard == high and high_after > high_before
        _, low_after = await _put(sim, LOW)
        assert low_after > low_before
