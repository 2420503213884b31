"""Kinesis through the Python API: the one implementation every surface calls."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig
from eventsim.clock import VirtualClock

ACCOUNT = "000000000000"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def _error(coro: Any) -> AwsError:
    with pytest.raises(AwsError) as exc:
        await coro
    return exc.value


def _md5(key: str) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def _clock(sim: Simulator) -> VirtualClock:
    assert isinstance(sim.clock, VirtualClock)
    return sim.clock


async def _iterator(sim: Simulator, shard: str, kind: str = "TRIM_HORIZON", **kw: Any) -> str:
    got = await sim.kinesis.get_shard_iterator(
        stream_name="s", shard_id=shard, shard_iterator_type=kind, **kw)
    return str(got["ShardIterator"])


# -- streams and shards ---------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize(("count", "ends"), [
    pytest.param(1, ["340282366920938463463374607431768211455"], id="1-shard"),
    pytest.param(2, ["170141183460469231731687303715884105727",
                     "340282366920938463463374607431768211455"], id="2-shards"),
    pytest.param(3, ["113427455640312821154458202477256070484",
                     "226854911280625642308916404954512140969",
                     "340282366920938463463374607431768211455"], id="3-shards"),
    pytest.param(4, ["85070591730234615865843651857942052863",
                     "170141183460469231731687303715884105727",
                     "255211775190703847597530955573826158591",
                     "340282366920938463463374607431768211455"], id="4-shards"),
])
async def test_shards_split_the_hash_space_evenly(sim: Simulator, count: int,
                                                  ends: list[str]) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=count)
    shards = (await sim.kinesis.list_shards(stream_name="s"))["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(count)]
    assert [s["HashKeyRange"]["EndingHashKey"] for s in shards] == ends
    starts = ["0"] + [str(int(e) + 1) for e in ends[:-1]]
    assert [s["HashKeyRange"]["StartingHashKey"] for s in shards] == starts
    for shard in shards:
        assert len(shard["SequenceNumberRange"]["StartingSequenceNumber"]) == 56


@pytest.mark.asyncio
async def test_on_demand_stream_has_four_shards(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s",
                                    stream_mode_details={"StreamMode": "ON_DEMAND"})
    summary = (await sim.kinesis.describe_stream_summary(stream_name="s"))[
        "StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["StreamARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"


@pytest.mark.asyncio
async def test_creating_an_existing_stream_is_resource_in_use(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    err = await _error(sim.kinesis.create_stream(stream_name="s", shard_count=1))
    assert err.code == "ResourceInUseException"
    assert err.status_code == 400


@pytest.mark.asyncio
async def test_invalid_stream_name_is_a_validation_error_worded_as_aws(sim: Simulator) -> None:
    err = await _error(sim.kinesis.create_stream(stream_name="bad name", shard_count=1))
    assert err.code == "ValidationException"
    assert err.message == (
        "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    err = await _error(sim.kinesis.create_stream(stream_name="x" * 129, shard_count=0))
    assert err.message.startswith("2 validation errors detected: ")
    assert "Member must have length less than or equal to 128" in err.message
    assert "Member must have value greater than or equal to 1" in err.message


@pytest.mark.asyncio
async def test_too_many_shards_is_limit_exceeded(sim: Simulator) -> None:
    err = await _error(sim.kinesis.create_stream(stream_name="s", shard_count=501))
    assert err.code == "LimitExceededException"


@pytest.mark.asyncio
async def test_unknown_stream_is_resource_not_found_with_aws_message(sim: Simulator) -> None:
    err = await _error(sim.kinesis.describe_stream(stream_name="nope"))
    assert err.code == "ResourceNotFoundException"
    assert err.message == f"Stream nope under account {ACCOUNT} not found."
    err = await _error(sim.kinesis.put_record(stream_name="nope", data=b"x", partition_key="k"))
    assert err.code == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_stream_arn_names_the_stream_wherever_the_name_does(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=2)
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"
    assert (await sim.kinesis.describe_stream(stream_arn=arn))["StreamDescription"][
        "StreamName"] == "s"
    put = await sim.kinesis.put_record(stream_arn=arn, data=b"x", partition_key="k")
    it = await sim.kinesis.get_shard_iterator(stream_arn=arn, shard_id=put["ShardId"],
                                              shard_iterator_type="TRIM_HORIZON")
    got = await sim.kinesis.get_records(shard_iterator=it["ShardIterator"], stream_arn=arn)
    assert [r["Data"] for r in got["Records"]] == [b"x"]
    both = await sim.kinesis.put_records(stream_name="s", stream_arn=arn,
                                         records=[{"Data": b"y", "PartitionKey": "k"}])
    assert both["Records"][0]["ShardId"] == put["ShardId"]
    err = await _error(sim.kinesis.put_records(
        stream_name="other", stream_arn=arn, records=[{"Data": b"y", "PartitionKey": "k"}]))
    assert err.code == "InvalidArgumentException"
    err = await _error(sim.kinesis.put_records(
        stream_arn=f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/s",
        records=[{"Data": b"y", "PartitionKey": "k"}]))
    assert err.code == "ResourceNotFoundException"
    await sim.kinesis.add_tags_to_stream(stream_arn=arn, tags={"a": "1"})
    assert (await sim.kinesis.list_tags_for_stream(stream_arn=arn))["Tags"] == [
        {"Key": "a", "Value": "1"}]
    await sim.kinesis.delete_stream(stream_arn=arn)
    err = await _error(sim.kinesis.describe_stream(stream_arn=arn))
    assert err.code == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_describe_stream_pages_shards(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=5)
    first = (await sim.kinesis.describe_stream(stream_name="s", limit=2))["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000",
                                                       "shardId-000000000001"]
    assert first["HasMoreShards"] is True
    rest = (await sim.kinesis.describe_stream(
        stream_name="s", exclusive_start_shard_id="shardId-000000000001"))["StreamDescription"]
    assert len(rest["Shards"]) == 3
    assert rest["HasMoreShards"] is False


@pytest.mark.asyncio
async def test_describe_stream_returns_at_most_100_shards(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=150)
    page = (await sim.kinesis.describe_stream(stream_name="s", limit=500))["StreamDescription"]
    assert len(page["Shards"]) == 100
    assert page["HasMoreShards"] is True


@pytest.mark.asyncio
async def test_list_shards_pages_with_next_token(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=5)
    page = await sim.kinesis.list_shards(stream_name="s", max_results=3)
    assert len(page["Shards"]) == 3
    rest = await sim.kinesis.list_shards(next_token=page["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000003",
                                                      "shardId-000000000004"]
    assert "NextToken" not in rest
    err = await _error(sim.kinesis.list_shards(stream_name="s", next_token=page["NextToken"]))
    assert err.code == "InvalidArgumentException"
    after = await sim.kinesis.list_shards(
        stream_name="s", shard_filter={"Type": "AFTER_SHARD_ID",
                                       "ShardId": "shardId-000000000003"})
    assert [s["ShardId"] for s in after["Shards"]] == ["shardId-000000000004"]


@pytest.mark.asyncio
async def test_list_streams_pages_with_summaries(sim: Simulator) -> None:
    for name in ("c", "a", "b"):
        await sim.kinesis.create_stream(stream_name=name, shard_count=1)
    page = await sim.kinesis.list_streams(limit=2)
    assert page["StreamNames"] == ["a", "b"]
    assert page["HasMoreStreams"] is True
    assert [s["StreamName"] for s in page["StreamSummaries"]] == ["a", "b"]
    rest = await sim.kinesis.list_streams(next_token=page["NextToken"])
    assert rest["StreamNames"] == ["c"]
    assert rest["HasMoreStreams"] is False
    by_name = await sim.kinesis.list_streams(exclusive_start_stream_name="a")
    assert by_name["StreamNames"] == ["b", "c"]


@pytest.mark.asyncio
async def test_retention_period_changes_within_aws_bounds(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    await sim.kinesis.increase_stream_retention_period(stream_name="s",
                                                       retention_period_hours=48)
    err = await _error(sim.kinesis.decrease_stream_retention_period(
        stream_name="s", retention_period_hours=72))
    assert err.code == "InvalidArgumentException"
    assert "can not be longer than existing retention period (48 hours)" in err.message
    err = await _error(sim.kinesis.increase_stream_retention_period(
        stream_name="s", retention_period_hours=8761))
    assert err.message == ("Maximum allowed retention period is 8760 hours. Requested retention "
                           "period (8761 hours) is too long.")
    err = await _error(sim.kinesis.decrease_stream_retention_period(
        stream_name="s", retention_period_hours=23))
    assert err.message == ("Minimum allowed retention period is 24 hours. Requested retention "
                           "period (23 hours) is too short.")
    await sim.kinesis.decrease_stream_retention_period(stream_name="s",
                                                       retention_period_hours=24)
    summary = await sim.kinesis.describe_stream_summary(stream_name="s")
    assert summary["StreamDescriptionSummary"]["RetentionPeriodHours"] == 24


@pytest.mark.asyncio
async def test_tags_are_added_listed_in_pages_and_removed(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1, tags={"z": "26"})
    await sim.kinesis.add_tags_to_stream(stream_name="s", tags={"a": "1", "b": "2"})
    page = await sim.kinesis.list_tags_for_stream(stream_name="s", limit=2)
    assert page == {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
                    "HasMoreTags": True}
    rest = await sim.kinesis.list_tags_for_stream(stream_name="s", exclusive_start_tag_key="b")
    assert rest == {"Tags": [{"Key": "z", "Value": "26"}], "HasMoreTags": False}
    await sim.kinesis.remove_tags_from_stream(stream_name="s", tag_keys=["a", "nope"])
    keys = [t["Key"] for t in (await sim.kinesis.list_tags_for_stream(stream_name="s"))["Tags"]]
    assert keys == ["b", "z"]
    err = await _error(sim.kinesis.add_tags_to_stream(
        stream_name="s", tags={f"k{i}": "v" for i in range(49)}))
    assert err.code == "InvalidArgumentException"


# -- putting and reading --------------------------------------------------------------------

@pytest.mark.asyncio
async def test_put_records_500_across_4_shards_follow_md5_and_read_back_in_order(
    sim: Simulator,
) -> None:
    """Must show: each record on the shard its MD5 hash selects, read back in order per shard."""
    await sim.kinesis.create_stream(stream_name="s", shard_count=4)
    shards = (await sim.kinesis.list_shards(stream_name="s"))["Shards"]
    ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]),
                             int(s["HashKeyRange"]["EndingHashKey"])) for s in shards}
    entries = [{"Data": f"record-{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(500)]
    result = await sim.kinesis.put_records(stream_name="s", records=entries)
    assert result["FailedRecordCount"] == 0
    assert len(result["Records"]) == 500
    expected: dict[str, list[tuple[str, bytes]]] = {sid: [] for sid in ranges}
    for entry, placed in zip(entries, result["Records"], strict=True):
        start, end = ranges[placed["ShardId"]]
        assert start <= _md5(entry["PartitionKey"]) <= end
        expected[placed["ShardId"]].append((placed["SequenceNumber"], entry["Data"]))
    assert all(len(v) > 50 for v in expected.values())  # MD5 spreads 500 keys over all four
    for sid, wanted in expected.items():
        got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim, sid))
        assert [(r["SequenceNumber"], r["Data"]) for r in got["Records"]] == wanted
        numbers = [r["SequenceNumber"] for r in got["Records"]]
        assert numbers == sorted(numbers) == sorted(numbers, key=int)
        assert got["MillisBehindLatest"] == 0


@pytest.mark.asyncio
async def test_explicit_hash_key_overrides_the_partition_key(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=4)
    last = str(2**128 - 1)
    put = await sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="a",
                                       explicit_hash_key=last)
    assert put["ShardId"] == "shardId-000000000003"
    put = await sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="a",
                                       explicit_hash_key="0")
    assert put["ShardId"] == "shardId-000000000000"
    err = await _error(sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="a",
                                              explicit_hash_key=str(2**128)))
    assert err.code == "InvalidArgumentException"
    assert "ExplicitHashKey must be in the range: [0, 2^128-1]" in err.message


@pytest.mark.asyncio
async def test_sequence_numbers_grow_per_shard_and_carry_the_shard(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    numbers = []
    for i in range(5):
        _clock(sim).advance(0.25)
        put = await sim.kinesis.put_record(stream_name="s", data=b"x",
                                           partition_key=f"k{i}",
                                           sequence_number_for_ordering=numbers[-1]
                                           if numbers else None)
        numbers.append(put["SequenceNumber"])
    assert all(len(n) == 56 and n.isdigit() for n in numbers)
    assert numbers == sorted(numbers) == sorted(numbers, key=int)
    assert len(set(numbers)) == 5


@pytest.mark.asyncio
async def test_oversized_records_get_aws_errors(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    big = b"x" * (1024 * 1024 + 1)
    err = await _error(sim.kinesis.put_record(stream_name="s", data=big, partition_key="k"))
    assert err.code == "ValidationException"
    assert err.message == (
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 "
        "cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less "
        "than or equal to 1048576"
    )
    err = await _error(sim.kinesis.put_records(stream_name="s", records=[
        {"Data": b"x", "PartitionKey": "k"}, {"Data": big, "PartitionKey": "k"}]))
    assert err.code == "ValidationException"
    assert "at 'records.2.member.data'" in err.message
    eleven = [{"Data": b"x" * (1024 * 1024 - 1), "PartitionKey": "k"}] * 11
    err = await _error(sim.kinesis.put_records(stream_name="s", records=eleven))
    assert (err.code, err.message) == ("InvalidArgumentException",
                                       "Records size exceeds 10 MB limit")
    err = await _error(sim.kinesis.put_records(
        stream_name="s", records=[{"Data": b"x", "PartitionKey": "k"}] * 501))
    assert err.code == "ValidationException"
    assert "at 'records' failed to satisfy constraint: Member must have length less than or " \
           "equal to 500" in err.message
    err = await _error(sim.kinesis.put_record(stream_name="s", data=b"x", partition_key=""))
    assert "Member must have length greater than or equal to 1" in err.message
    err = await _error(sim.kinesis.put_record(stream_name="s", data=b"x",
                                              partition_key="k" * 257))
    assert "Member must have length less than or equal to 256" in err.message


@pytest.mark.asyncio
async def test_iterator_types_start_where_aws_says(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    shard = "shardId-000000000000"
    numbers = []
    times = []
    for i in range(4):
        _clock(sim).advance(1)
        times.append(sim.clock.time())
        numbers.append((await sim.kinesis.put_record(stream_name="s", data=str(i).encode(),
                                                     partition_key="k"))["SequenceNumber"])

    async def read(it: str) -> list[bytes]:
        return [r["Data"] for r in (await sim.kinesis.get_records(shard_iterator=it))["Records"]]

    assert await read(await _iterator(sim, shard)) == [b"0", b"1", b"2", b"3"]
    assert await read(await _iterator(sim, shard, "AT_SEQUENCE_NUMBER",
                                      starting_sequence_number=numbers[1])) == [b"1", b"2", b"3"]
    assert await read(await _iterator(sim, shard, "AFTER_SEQUENCE_NUMBER",
                                      starting_sequence_number=numbers[1])) == [b"2", b"3"]
    at = dt.datetime.fromtimestamp(times[2] - 0.5, tz=dt.UTC)
    assert await read(await _iterator(sim, shard, "AT_TIMESTAMP", timestamp=at)) == [b"2", b"3"]
    latest = await _iterator(sim, shard, "LATEST")
    assert await read(latest) == []
    await sim.kinesis.put_record(stream_name="s", data=b"4", partition_key="k")
    assert await read(latest) == [b"4"]


@pytest.mark.asyncio
async def test_get_records_follows_next_shard_iterator_with_limit(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    await sim.kinesis.put_records(stream_name="s", records=[
        {"Data": str(i).encode(), "PartitionKey": "k"} for i in range(5)])
    _clock(sim).advance(2)
    it = await _iterator(sim, "shardId-000000000000")
    first = await sim.kinesis.get_records(shard_iterator=it, limit=2)
    assert [r["Data"] for r in first["Records"]] == [b"0", b"1"]
    assert first["MillisBehindLatest"] == 2000
    second = await sim.kinesis.get_records(shard_iterator=first["NextShardIterator"], limit=10)
    assert [r["Data"] for r in second["Records"]] == [b"2", b"3", b"4"]
    assert second["MillisBehindLatest"] == 0
    record = second["Records"][0]
    assert set(record) == {"SequenceNumber", "ApproximateArrivalTimestamp", "Data",
                           "PartitionKey"}
    assert isinstance(record["ApproximateArrivalTimestamp"], dt.datetime)
    empty = await sim.kinesis.get_records(shard_iterator=second["NextShardIterator"])
    assert empty["Records"] == []
    assert empty["NextShardIterator"]


@pytest.mark.asyncio
async def test_iterators_expire_after_five_minutes_on_the_clock(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    it = await _iterator(sim, "shardId-000000000000")
    _clock(sim).advance(299)
    await sim.kinesis.get_records(shard_iterator=it)
    _clock(sim).advance(2)
    err = await _error(sim.kinesis.get_records(shard_iterator=it))
    assert err.code == "ExpiredIteratorException"
    assert err.message.startswith("Iterator expired. The iterator was created at time ")
    assert err.message.endswith("tolerated delay of 300000 milliseconds.")


@pytest.mark.asyncio
async def test_bad_iterators_and_sequence_numbers_are_invalid_argument(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=2)
    err = await _error(sim.kinesis.get_records(shard_iterator="bm90IGFuIGl0ZXJhdG9y"))
    assert (err.code, err.message) == ("InvalidArgumentException", "Invalid ShardIterator.")
    put = await sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="k",
                                       explicit_hash_key="0")
    err = await _error(_iterator(sim, "shardId-000000000001", "AT_SEQUENCE_NUMBER",
                                 starting_sequence_number=put["SequenceNumber"]))
    assert err.code == "InvalidArgumentException"
    assert err.message == ("Invalid StartingSequenceNumber. It encodes shardId-000000000000, "
                           "while it was used in a call to a shard with shardId-000000000001")
    err = await _error(_iterator(sim, "shardId-000000000000", "AT_SEQUENCE_NUMBER",
                                 starting_sequence_number="12345"))
    assert err.code == "InvalidArgumentException"
    assert err.message.endswith("is invalid.")
    err = await _error(_iterator(sim, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER"))
    assert err.code == "InvalidArgumentException"
    err = await _error(_iterator(sim, "shardId-000000000000", "LATEST",
                                 starting_sequence_number=put["SequenceNumber"]))
    assert err.code == "InvalidArgumentException"
    err = await _error(_iterator(sim, "shardId-000000000007"))
    assert err.code == "ResourceNotFoundException"
    assert err.message == (f"Shard shardId-000000000007 in stream s under account {ACCOUNT} "
                           "does not exist")


@pytest.mark.asyncio
async def test_iterator_of_a_deleted_stream_does_not_read_its_successor(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    it = await _iterator(sim, "shardId-000000000000")
    await sim.kinesis.delete_stream(stream_name="s")
    _clock(sim).advance(1)
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    err = await _error(sim.kinesis.get_records(shard_iterator=it))
    assert err.code == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_records_past_retention_are_trimmed_and_trim_horizon_skips_them(
    sim: Simulator,
) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    await sim.kinesis.put_record(stream_name="s", data=b"old", partition_key="k")
    _clock(sim).advance(23 * 3600)
    await sim.kinesis.put_record(stream_name="s", data=b"new", partition_key="k")
    _clock(sim).advance(3600 + 1)
    got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim,
                                                                       "shardId-000000000000"))
    assert [r["Data"] for r in got["Records"]] == [b"new"]
    _clock(sim).advance(23 * 3600)
    await sim.kinesis.put_record(stream_name="s", data=b"newest", partition_key="k")
    rows = await sim.db.read(lambda c: c.execute(
        "SELECT first, last FROM kinesis_records").fetchall())
    assert [tuple(r) for r in rows] == [(3, 3)]  # trimmed records are gone from the store


# -- persistence ------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_streams_records_and_sequence_numbers_survive_a_restart(tmp_path: Any) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        await first.kinesis.create_stream(stream_name="s", shard_count=2, tags={"t": "1"})
        await first.kinesis.increase_stream_retention_period(stream_name="s",
                                                             retention_period_hours=48)
        before = await first.kinesis.put_records(stream_name="s", records=[
            {"Data": b"a", "PartitionKey": "k", "ExplicitHashKey": "0"},
            {"Data": b"b", "PartitionKey": "k", "ExplicitHashKey": str(2**128 - 1)},
        ])
    async with Simulator(config) as second:
        summary = (await second.kinesis.describe_stream_summary(stream_name="s"))[
            "StreamDescriptionSummary"]
        assert summary["OpenShardCount"] == 2
        assert summary["RetentionPeriodHours"] == 48
        tags = await second.kinesis.list_tags_for_stream(stream_name="s")
        assert tags["Tags"] == [{"Key": "t", "Value": "1"}]
        after = await second.kinesis.put_record(stream_name="s", data=b"c", partition_key="k",
                                                explicit_hash_key="0")
        assert int(after["SequenceNumber"]) > int(before["Records"][0]["SequenceNumber"])
        it = await second.kinesis.get_shard_iterator(
            stream_name="s", shard_id="shardId-000000000000", shard_iterator_type="TRIM_HORIZON")
        got = await second.kinesis.get_records(shard_iterator=it["ShardIterator"])
        assert [r["Data"] for r in got["Records"]] == [b"a", b"c"]
        assert got["Records"][0]["SequenceNumber"] == before["Records"][0]["SequenceNumber"]


# -- write limits ---------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_shard_write_limits_fail_single_entries_when_enforced(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=2)
    sim.kinesis.enforce_throughput = True
    low = {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": "0"}
    high = {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": str(2**128 - 1)}
    first = await sim.kinesis.put_records(stream_name="s", records=[low] * 500)
    assert first["FailedRecordCount"] == 0
    second = await sim.kinesis.put_records(stream_name="s", records=[low] * 500)
    assert second["FailedRecordCount"] == 0  # 1,000 records in this second: the limit
    third = await sim.kinesis.put_records(stream_name="s", records=[high, low, high])
    assert third["FailedRecordCount"] == 1
    assert third["Records"][1] == {
        "ErrorCode": "ProvisionedThroughputExceededException",
        "ErrorMessage": f"Rate exceeded for shard shardId-000000000000 in stream s under "
                        f"account {ACCOUNT}.",
    }
    assert [set(r) for r in (third["Records"][0], third["Records"][2])] == [
        {"SequenceNumber", "ShardId"}] * 2
    err = await _error(sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="k",
                                              explicit_hash_key="0"))
    assert err.code == "ProvisionedThroughputExceededException"
    _clock(sim).advance(1)
    await sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="k",
                                 explicit_hash_key="0")
    got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim,
                                                                       "shardId-000000000000"))
    assert len(got["Records"]) == 1001  # the refused entries were not stored


@pytest.mark.asyncio
async def test_shard_byte_limit_is_one_mib_per_second(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    sim.kinesis.enforce_throughput = True
    half = {"Data": b"x" * (512 * 1024 - 1), "PartitionKey": "k"}
    result = await sim.kinesis.put_records(stream_name="s", records=[half] * 3)
    assert [("ErrorCode" in r) for r in result["Records"]] == [False, False, True]


@pytest.mark.asyncio
async def test_write_limits_are_off_by_default(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    for _ in range(3):
        result = await sim.kinesis.put_records(
            stream_name="s", records=[{"Data": b"x", "PartitionKey": "k"}] * 500)
        assert result["FailedRecordCount"] == 0


@pytest.mark.asyncio
async def test_reads_start_inside_a_put_and_span_puts(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    for first in (0, 300, 310):
        await sim.kinesis.put_records(stream_name="s", records=[
            {"Data": str(i).encode(), "PartitionKey": f"ключ-{i}"}
            for i in range(first, first + (300 if first == 0 else 10))])
    await sim.kinesis.put_record(stream_name="s", data=b"320", partition_key="k")
    everything = (await sim.kinesis.get_records(
        shard_iterator=await _iterator(sim, "shardId-000000000000")))["Records"]
    assert [r["Data"] for r in everything] == [str(i).encode() for i in range(321)]
    assert everything[5]["PartitionKey"] == "ключ-5"
    middle = everything[150]["SequenceNumber"]
    it = await _iterator(sim, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                         starting_sequence_number=middle)
    page = await sim.kinesis.get_records(shard_iterator=it, limit=155)
    assert [r["Data"] for r in page["Records"]] == [str(i).encode() for i in range(151, 306)]
    rest = await sim.kinesis.get_records(shard_iterator=page["NextShardIterator"])
    assert [r["Data"] for r in rest["Records"]] == [str(i).encode() for i in range(306, 321)]


@pytest.mark.asyncio
async def test_put_queued_behind_a_delete_writes_nothing(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    delete = asyncio.ensure_future(sim.kinesis.delete_stream(stream_name="s"))
    put = asyncio.ensure_future(
        sim.kinesis.put_record(stream_name="s", data=b"x", partition_key="k"))
    await delete
    err = await _error(put)
    assert err.code == "ResourceNotFoundException"
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    await sim.kinesis.put_record(stream_name="s", data=b"y", partition_key="k")
    got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim,
                                                                       "shardId-000000000000"))
    assert [r["Data"] for r in got["Records"]] == [b"y"]


@pytest.mark.asyncio
async def test_get_records_stops_at_10_mib(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    almost_mib = b"x" * (1024 * 1024 - 10)
    for _ in range(3):
        await sim.kinesis.put_records(stream_name="s", records=[
            {"Data": almost_mib, "PartitionKey": "k"}] * 4)
    first = await sim.kinesis.get_records(
        shard_iterator=await _iterator(sim, "shardId-000000000000"))
    assert len(first["Records"]) == 10
    rest = await sim.kinesis.get_records(shard_iterator=first["NextShardIterator"])
    assert len(rest["Records"]) == 2


# -- resharding -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_split_shard_closes_the_parent_and_routes_to_the_children(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    before = await sim.kinesis.put_record(stream_name="s", data=b"old", partition_key="k",
                                          explicit_hash_key="5")
    _clock(sim).advance(1)
    await sim.kinesis.split_shard(stream_name="s", shard_to_split="shardId-000000000000",
                                  new_starting_hash_key=str(2**127))
    shards = (await sim.kinesis.list_shards(stream_name="s"))["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
    parent, low, high = shards
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) >= int(
        before["SequenceNumber"])
    assert low["ParentShardId"] == high["ParentShardId"] == "shardId-000000000000"
    assert low["HashKeyRange"] == {"StartingHashKey": "0",
                                   "EndingHashKey": str(2**127 - 1)}
    assert high["HashKeyRange"]["StartingHashKey"] == str(2**127)
    summary = await sim.kinesis.describe_stream_summary(stream_name="s")
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2
    put_low = await sim.kinesis.put_record(stream_name="s", data=b"a", partition_key="k",
                                           explicit_hash_key="5")
    put_high = await sim.kinesis.put_record(stream_name="s", data=b"b", partition_key="k",
                                            explicit_hash_key=str(2**128 - 1))
    assert (put_low["ShardId"], put_high["ShardId"]) == ("shardId-000000000001",
                                                         "shardId-000000000002")
    latest = await sim.kinesis.list_shards(stream_name="s", shard_filter={"Type": "AT_LATEST"})
    assert [s["ShardId"] for s in latest["Shards"]] == ["shardId-000000000001",
                                                        "shardId-000000000002"]


@pytest.mark.asyncio
async def test_reading_a_closed_shard_to_its_end_names_the_children(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    await sim.kinesis.put_record(stream_name="s", data=b"old", partition_key="k")
    await sim.kinesis.split_shard(stream_name="s", shard_to_split="shardId-000000000000",
                                  new_starting_hash_key="1000")
    got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim,
                                                                       "shardId-000000000000"))
    assert [r["Data"] for r in got["Records"]] == [b"old"]
    assert "NextShardIterator" not in got
    assert got["ChildShards"] == [
        {"ShardId": "shardId-000000000001", "ParentShards": ["shardId-000000000000"],
         "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "999"}},
        {"ShardId": "shardId-000000000002", "ParentShards": ["shardId-000000000000"],
         "HashKeyRange": {"StartingHashKey": "1000", "EndingHashKey": str(2**128 - 1)}},
    ]


@pytest.mark.asyncio
async def test_merge_shards_joins_adjacent_shards(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=3)
    err = await _error(sim.kinesis.merge_shards(
        stream_name="s", shard_to_merge="shardId-000000000000",
        adjacent_shard_to_merge="shardId-000000000002"))
    assert err.code == "InvalidArgumentException"
    await sim.kinesis.merge_shards(stream_name="s", shard_to_merge="shardId-000000000001",
                                   adjacent_shard_to_merge="shardId-000000000000")
    child = (await sim.kinesis.list_shards(stream_name="s"))["Shards"][-1]
    assert child["ShardId"] == "shardId-000000000003"
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == (
        "shardId-000000000001", "shardId-000000000000")
    assert child["HashKeyRange"] == {"StartingHashKey": "0",
                                     "EndingHashKey": "226854911280625642308916404954512140969"}
    err = await _error(sim.kinesis.split_shard(
        stream_name="s", shard_to_split="shardId-000000000000", new_starting_hash_key="5"))
    assert err.code == "InvalidArgumentException"
    assert err.message.endswith("has already been merged or split, and thus is not eligible "
                                "for merging or splitting.")
    err = await _error(sim.kinesis.split_shard(
        stream_name="s", shard_to_split="shardId-000000000003", new_starting_hash_key="0"))
    assert err.code == "InvalidArgumentException"
    err = await _error(sim.kinesis.split_shard(
        stream_name="s", shard_to_split="shardId-000000000009", new_starting_hash_key="5"))
    assert err.code == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_put_queued_behind_a_split_goes_to_a_child(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    split = asyncio.ensure_future(sim.kinesis.split_shard(
        stream_name="s", shard_to_split="shardId-000000000000", new_starting_hash_key="1000"))
    put = asyncio.ensure_future(sim.kinesis.put_records(stream_name="s", records=[
        {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": "5"}]))
    await split
    placed = (await put)["Records"][0]
    assert placed["ShardId"] == "shardId-000000000001"
    got = await sim.kinesis.get_records(shard_iterator=await _iterator(sim,
                                                                       "shardId-000000000001"))
    assert [r["SequenceNumber"] for r in got["Records"]] == [placed["SequenceNumber"]]


@pytest.mark.asyncio
async def test_resharded_streams_survive_a_restart(tmp_path: Any) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        await first.kinesis.create_stream(stream_name="s", shard_count=2)
        await first.kinesis.split_shard(stream_name="s", shard_to_split="shardId-000000000001",
                                        new_starting_hash_key=str(2**127 + 10))
        await first.kinesis.start_stream_encryption(stream_name="s", encryption_type="KMS",
                                                    key_id="alias/aws/kinesis")
        await first.kinesis.put_record(stream_name="s", data=b"k", partition_key="k")
        before = (await first.kinesis.list_shards(stream_name="s"))["Shards"]
    async with Simulator(config) as second:
        assert (await second.kinesis.list_shards(stream_name="s"))["Shards"] == before
        summary = (await second.kinesis.describe_stream_summary(stream_name="s"))[
            "StreamDescriptionSummary"]
        assert summary["KeyId"] == "alias/aws/kinesis"
        put = await second.kinesis.put_record(stream_name="s", data=b"x", partition_key="k",
                                              explicit_hash_key=str(2**128 - 1))
        assert put["ShardId"] == "shardId-000000000003"
        assert put["EncryptionType"] == "KMS"


# -- encryption -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_records_put_while_encrypted_say_kms(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    plain = await sim.kinesis.put_record(stream_name="s", data=b"plain", partition_key="k")
    assert "EncryptionType" not in plain
    await sim.kinesis.start_stream_encryption(stream_name="s", encryption_type="KMS",
                                              key_id="alias/aws/kinesis")
    summary = (await sim.kinesis.describe_stream_summary(stream_name="s"))[
        "StreamDescriptionSummary"]
    assert (summary["EncryptionType"], summary["KeyId"]) == ("KMS", "alias/aws/kinesis")
    secret = await sim.kinesis.put_record(stream_name="s", data=b"secret", partition_key="k")
    assert secret["EncryptionType"] == "KMS"
    batch = await sim.kinesis.put_records(stream_name="s", records=[
        {"Data": b"more", "PartitionKey": "k"}])
    assert batch["EncryptionType"] == "KMS"
    await sim.kinesis.stop_stream_encryption(stream_name="s", encryption_type="KMS",
                                             key_id="alias/aws/kinesis")
    await sim.kinesis.put_record(stream_name="s", data=b"plain again", partition_key="k")
    got = (await sim.kinesis.get_records(
        shard_iterator=await _iterator(sim, "shardId-000000000000")))["Records"]
    assert [(r["Data"], r.get("EncryptionType")) for r in got] == [
        (b"plain", None), (b"secret", "KMS"), (b"more", "KMS"), (b"plain again", None)]
    described = (await sim.kinesis.describe_stream(stream_name="s"))["StreamDescription"]
    assert described["EncryptionType"] == "NONE" and "KeyId" not in described


# -- UpdateShardCount --------------------------------------------------------------------------


async def _open_ranges(sim: Simulator) -> list[tuple[int, int]]:
    shards = (await sim.kinesis.list_shards(stream_name="s",
                                            shard_filter={"Type": "AT_LATEST"}))["Shards"]
    return sorted((int(s["HashKeyRange"]["StartingHashKey"]),
                   int(s["HashKeyRange"]["EndingHashKey"])) for s in shards)


@pytest.mark.asyncio
@pytest.mark.parametrize(("before", "after"), [(1, 2), (2, 3), (3, 2), (4, 8), (8, 4), (5, 7)])
async def test_update_shard_count_makes_equal_shards(sim: Simulator, before: int,
                                                     after: int) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=before)
    answer = await sim.kinesis.update_shard_count(
        stream_name="s", target_shard_count=after, scaling_type="UNIFORM_SCALING")
    assert (answer["CurrentShardCount"], answer["TargetShardCount"]) == (before, after)
    ranges = await _open_ranges(sim)
    assert ranges == [(i * 2**128 // after, (i + 1) * 2**128 // after - 1) for i in range(after)]
    summary = (await sim.kinesis.describe_stream_summary(stream_name="s"))[
        "StreamDescriptionSummary"]
    assert (summary["OpenShardCount"], summary["StreamStatus"]) == (after, "ACTIVE")


@pytest.mark.asyncio
async def test_a_resharded_stream_keeps_its_records_and_lineage(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=2)
    for n in range(20):
        await sim.kinesis.put_record(stream_name="s", data=str(n).encode(),
                                     partition_key=f"k{n}")
    await sim.kinesis.update_shard_count(stream_name="s", target_shard_count=3,
                                         scaling_type="UNIFORM_SCALING")
    shards = (await sim.kinesis.list_shards(stream_name="s"))["Shards"]
    by_id = {s["ShardId"]: s for s in shards}
    # Every shard but the first two descends from them, through splits and merges.
    for shard in shards[2:]:
        parents = [shard["ParentShardId"], shard.get("AdjacentParentShardId")]
        assert all(p in by_id for p in parents if p is not None)
    # The old shards still hold the records written before.
    got = []
    for shard_id in ("shardId-000000000000", "shardId-000000000001"):
        answer = await sim.kinesis.get_records(shard_iterator=await _iterator(sim, shard_id))
        got += [int(r["Data"]) for r in answer["Records"]]
    assert sorted(got) == list(range(20))
    put = await sim.kinesis.put_record(stream_name="s", data=b"new", partition_key="p",
                                       explicit_hash_key=str(2**128 - 1))
    latest = (await sim.kinesis.list_shards(stream_name="s",
                                            shard_filter={"Type": "AT_LATEST"}))["Shards"]
    [top] = [s["ShardId"] for s in latest
             if int(s["HashKeyRange"]["EndingHashKey"]) == 2**128 - 1]
    assert put["ShardId"] == top


@pytest.mark.asyncio
async def test_update_shard_count_keeps_to_half_and_double(sim: Simulator) -> None:
    await sim.kinesis.create_stream(stream_name="s", shard_count=4)
    for target in (1, 9):
        err = await _error(sim.kinesis.update_shard_count(
            stream_name="s", target_shard_count=target, scaling_type="UNIFORM_SCALING"))
        assert err.code == "InvalidArgumentException"
    same = await sim.kinesis.update_shard_count(stream_name="s", target_shard_count=4,
                                                scaling_type="UNIFORM_SCALING")
    assert same["CurrentShardCount"] == 4
    assert len((await sim.kinesis.list_shards(stream_name="s"))["Shards"]) == 4  # nothing done
    await sim.kinesis.create_stream(stream_name="od", stream_mode_details={
        "StreamMode": "ON_DEMAND"})
    err = await _error(sim.kinesis.update_shard_count(
        stream_name="od", target_shard_count=2, scaling_type="UNIFORM_SCALING"))
    assert err.code == "ValidationException" and "On-Demand" in err.message
