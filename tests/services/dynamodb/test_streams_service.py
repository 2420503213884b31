"""DynamoDB Streams: iterator types, expiry and retention on the clock, closed shards."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim import Simulator
from eventsim.errors import AwsError

from .conftest import make_table

pytestmark = pytest.mark.asyncio


async def put(sim: Simulator, sk: int) -> None:
    await sim.dynamodb.put_item(table_name="things",
                                item={"pk": {"S": "a"}, "sk": {"N": str(sk)}})


async def shard(sim: Simulator) -> tuple[str, str]:
    arn = (await sim.dynamodb.describe_table(table_name="things"))["Table"]["LatestStreamArn"]
    description = await sim.dynamodbstreams.describe_stream(stream_arn=arn)
    return arn, description["StreamDescription"]["Shards"][0]["ShardId"]


async def iterator(sim: Simulator, kind: str, number: str | None = None) -> str:
    arn, shard_id = await shard(sim)
    kwargs: dict[str, Any] = {"sequence_number": number} if number else {}
    result = await sim.dynamodbstreams.get_shard_iterator(
        stream_arn=arn, shard_id=shard_id, shard_iterator_type=kind, **kwargs)
    return str(result["ShardIterator"])


async def records(sim: Simulator, it: str, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = await sim.dynamodbstreams.get_records(shard_iterator=it, **kwargs)
    return result


def sort_keys(page: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]]


async def test_iterator_types(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    for i in range(3):
        await put(sim, i)
    everything = await records(sim, await iterator(sim, "TRIM_HORIZON"))
    assert sort_keys(everything) == ["0", "1", "2"]
    second = everything["Records"][1]["dynamodb"]["SequenceNumber"]
    at = await records(sim, await iterator(sim, "AT_SEQUENCE_NUMBER", second))
    assert sort_keys(at) == ["1", "2"]
    after = await records(sim, await iterator(sim, "AFTER_SEQUENCE_NUMBER", second))
    assert sort_keys(after) == ["2"]
    latest = await iterator(sim, "LATEST")
    assert (await records(sim, latest))["Records"] == []
    await put(sim, 3)
    assert sort_keys(await records(sim, latest)) == ["3"]


async def test_limit_and_next_iterator_continue_in_order(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    for i in range(5):
        await put(sim, i)
    it = await iterator(sim, "TRIM_HORIZON")
    seen: list[str] = []
    for _ in range(3):
        page = await records(sim, it, limit=2)
        seen += sort_keys(page)
        it = page["NextShardIterator"]
    assert seen == ["0", "1", "2", "3", "4"]


async def test_limit_above_1000_is_rejected(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    with pytest.raises(AwsError) as info:
        await records(sim, await iterator(sim, "TRIM_HORIZON"), limit=1001)
    assert info.value.code == "ValidationException"


async def test_iterators_expire_after_15_minutes(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    it = await iterator(sim, "TRIM_HORIZON")
    sim.clock.advance(14 * 60)  # type: ignore[attr-defined]
    page = await records(sim, it)
    sim.clock.advance(10 * 60)  # type: ignore[attr-defined]
    await records(sim, page["NextShardIterator"])  # a fresh iterator: still valid
    with pytest.raises(AwsError) as info:
        await records(sim, it)
    assert info.value.code == "ExpiredIteratorException"


async def test_records_past_24_hours_are_trimmed(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    await put(sim, 1)
    old = await records(sim, await iterator(sim, "TRIM_HORIZON"))
    number = old["Records"][0]["dynamodb"]["SequenceNumber"]
    sim.clock.advance(24 * 3600 + 1)  # type: ignore[attr-defined]
    await put(sim, 2)
    assert sort_keys(await records(sim, await iterator(sim, "TRIM_HORIZON"))) == ["2"]
    with pytest.raises(AwsError) as info:
        await iterator(sim, "AT_SEQUENCE_NUMBER", number)
    assert info.value.code == "TrimmedDataAccessException"


async def test_disabled_stream_closes_its_shard(sim: Simulator) -> None:
    await make_table(sim, stream="NEW_IMAGE")
    await put(sim, 1)
    arn, _ = await shard(sim)
    it = await iterator(sim, "TRIM_HORIZON")
    await sim.dynamodb.update_table(table_name="things",
                                    stream_specification={"StreamEnabled": False})
    await put(sim, 2)  # no stream now: no record
    description = (await sim.dynamodbstreams.describe_stream(stream_arn=arn))[
        "StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    ending = description["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"]
    page = await records(sim, it)
    assert sort_keys(page) == ["1"]
    assert page["Records"][0]["dynamodb"]["SequenceNumber"] == ending
    assert "NextShardIterator" not in page  # the closed shard is read to its end


async def test_list_streams_filters_by_table(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    await make_table(sim, "others", stream="KEYS_ONLY")
    listed = (await sim.dynamodbstreams.list_streams(table_name="things"))["Streams"]
    assert [s["TableName"] for s in listed] == ["things"]
    assert len((await sim.dynamodbstreams.list_streams())["Streams"]) == 2


async def test_unknown_stream_is_resource_not_found(sim: Simulator) -> None:
    with pytest.raises(AwsError) as info:
        await sim.dynamodbstreams.describe_stream(
            stream_arn="arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/2024")
    assert info.value.code == "ResourceNotFoundException"


async def test_bad_iterator_is_a_validation_error(sim: Simulator) -> None:
    with pytest.raises(AwsError) as info:
        await records(sim, "not-an-iterator")
    assert info.value.code == "ValidationException"


async def test_transaction_writes_one_record_per_changed_item(sim: Simulator) -> None:
    await make_table(sim, stream="NEW_AND_OLD_IMAGES")
    await put(sim, 1)
    await sim.dynamodb.transact_write_items(transact_items=[
        {"Put": {"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
        {"Delete": {"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "9"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    page = await records(sim, await iterator(sim, "TRIM_HORIZON"))
    assert [r["eventName"] for r in page["Records"]] == ["INSERT", "INSERT", "REMOVE"]


async def test_failed_condition_writes_no_record(sim: Simulator) -> None:
    await make_table(sim, stream="KEYS_ONLY")
    await put(sim, 1)
    with pytest.raises(AwsError):
        await sim.dynamodb.put_item(
            table_name="things", item={"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"N": "1"}},
            condition_expression="attribute_not_exists(pk)")
    assert len((await records(sim, await iterator(sim, "TRIM_HORIZON")))["Records"]) == 1
