"""DynamoDB Time to Live: the settings, the deletion of expired items on the clock, and the
REMOVE records that tell a TTL deletion from a user's (down to a mapping's filter)."""

import json
from pathlib import Path

import pytest

from eventsim import AwsError, Simulator, SimulatorConfig

HANDLERS = Path(__file__).parent / "handlers"
FIVE_YEARS = 5 * 365 * 86400


async def _table(sim: Simulator, name: str = "sessions", ttl: str | None = "expires") -> str:
    answer = await sim.dynamodb.create_table(
        table_name=name, attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST",
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    if ttl is not None:
        await sim.dynamodb.update_time_to_live(
            table_name=name, time_to_live_specification={"Enabled": True, "AttributeName": ttl})
    return str(answer["TableDescription"]["LatestStreamArn"])


async def _ids(sim: Simulator, table: str = "sessions") -> list[str]:
    items = (await sim.dynamodb.scan(table_name=table))["Items"]
    return sorted(item["id"]["S"] for item in items)


async def _one_ttl_and_one_user_deletion(sim: Simulator) -> None:
    """Item "user" deleted by a DeleteItem, then item "ttl" by its expiry."""
    now = int(sim.clock.time())
    await sim.dynamodb.put_item(table_name="sessions",
                                item={"id": {"S": "ttl"}, "expires": {"N": str(now + 1)}})
    await sim.dynamodb.put_item(table_name="sessions", item={"id": {"S": "user"}})
    await sim.dynamodb.delete_item(table_name="sessions", key={"id": {"S": "user"}})
    sim.clock.advance(2)
    await sim.settle()


async def _code(coro) -> tuple[str, str]:
    with pytest.raises(AwsError) as exc:
        await coro
    return exc.value.code, exc.value.message


@pytest.mark.asyncio
async def test_time_to_live_is_off_until_turned_on_and_says_so(sim: Simulator) -> None:
    await _table(sim, ttl=None)
    described = await sim.dynamodb.describe_time_to_live(table_name="sessions")
    assert described == {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    spec = {"Enabled": True, "AttributeName": "expires"}
    answer = await sim.dynamodb.update_time_to_live(table_name="sessions",
                                                    time_to_live_specification=spec)
    assert answer == {"TimeToLiveSpecification": spec}
    described = await sim.dynamodb.describe_time_to_live(table_name="sessions")
    assert described == {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED",
                                                   "AttributeName": "expires"}}


@pytest.mark.asyncio
async def test_turning_time_to_live_on_twice_or_off_twice_is_a_validation_error(
    sim: Simulator,
) -> None:
    await _table(sim)
    update = sim.dynamodb.update_time_to_live
    assert await _code(update(table_name="sessions", time_to_live_specification={
        "Enabled": True, "AttributeName": "expires"})) == (
        "ValidationException", "TimeToLive is already enabled")
    code, message = await _code(update(table_name="sessions", time_to_live_specification={
        "Enabled": False, "AttributeName": "other"}))
    assert code == "ValidationException" and "different AttributeName" in message
    await update(table_name="sessions",
                 time_to_live_specification={"Enabled": False, "AttributeName": "expires"})
    assert await _code(update(table_name="sessions", time_to_live_specification={
        "Enabled": False, "AttributeName": "expires"})) == (
        "ValidationException", "TimeToLive is already disabled")
    assert (await _code(sim.dynamodb.describe_time_to_live(table_name="missing-table")))[0] \
        == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_expired_items_go_when_the_clock_passes_their_time_and_not_before(
    sim: Simulator,
) -> None:
    await _table(sim)
    now = int(sim.clock.time())
    for item_id, expires in (("soon", {"N": str(now + 30)}), ("later", {"N": str(now + 7200)}),
                             ("text", {"S": str(now)}), ("ancient", {"N": str(now - FIVE_YEARS
                                                                               - 60)})):
        await sim.dynamodb.put_item(table_name="sessions",
                                    item={"id": {"S": item_id}, "expires": expires})
    await sim.dynamodb.put_item(table_name="sessions", item={"id": {"S": "never"}})
    await sim.settle()
    assert int(sim.clock.time()) == now  # settle does not jump the clock to an expiry
    assert await _ids(sim) == ["ancient", "later", "never", "soon", "text"]
    sim.clock.advance(31)
    await sim.settle()
    assert await _ids(sim) == ["ancient", "later", "never", "text"]
    sim.clock.advance(7200)
    await sim.settle()
    # Not a Number, no attribute, or more than five years past: never deleted.
    assert await _ids(sim) == ["ancient", "never", "text"]


@pytest.mark.asyncio
async def test_an_item_written_after_a_sweep_goes_within_a_second_of_its_expiry(
    sim: Simulator,
) -> None:
    await _table(sim)
    await sim.settle()
    sim.clock.advance(0.5)  # the sweeper, knowing of nothing, looks again at +1
    now = sim.clock.time()
    await sim.dynamodb.put_item(table_name="sessions",
                                item={"id": {"S": "x"}, "expires": {"N": str(now + 0.2)}})
    sim.clock.advance(0.3)
    await sim.settle()
    assert await _ids(sim) == ["x"]  # expired, not yet swept: reads still see it
    sim.clock.advance(1.0)
    await sim.settle()
    assert await _ids(sim) == []


@pytest.mark.asyncio
async def test_a_ttl_deletion_is_a_remove_record_with_the_service_identity(
    sim: Simulator,
) -> None:
    arn = await _table(sim)
    await _one_ttl_and_one_user_deletion(sim)
    streams = sim.dynamodbstreams
    shard = (await streams.describe_stream(stream_arn=arn))["StreamDescription"]["Shards"][0]
    iterator = (await streams.get_shard_iterator(
        stream_arn=arn, shard_id=shard["ShardId"], shard_iterator_type="TRIM_HORIZON",
    ))["ShardIterator"]
    records = (await streams.get_records(shard_iterator=iterator))["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in removes] == ["user", "ttl"]
    assert "userIdentity" not in removes[0]
    assert removes[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com",
                                          "Type": "Service"}
    assert removes[1]["dynamodb"]["OldImage"]["id"] == {"S": "ttl"}


@pytest.mark.asyncio
async def test_a_mapping_filtered_on_the_service_identity_gets_only_ttl_deletions(
    sim: Simulator,
) -> None:
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    arn = await _table(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        filter_criteria={"Filters": [{"Pattern": json.dumps({"userIdentity": {
            "type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}})}]})
    await _one_ttl_and_one_user_deletion(sim)
    [invocation] = await sim.invocations.list(function="f")
    [record] = invocation.event["Records"]
    assert record["eventName"] == "REMOVE"
    assert record["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert record["dynamodb"]["Keys"] == {"id": {"S": "ttl"}}


@pytest.mark.asyncio
async def test_time_to_live_and_its_deletions_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as sim:
        await _table(sim)
        now = int(sim.clock.time())
        await sim.dynamodb.put_item(table_name="sessions",
                                    item={"id": {"S": "x"}, "expires": {"N": str(now - 1)}})
    async with Simulator(config) as sim:
        described = await sim.dynamodb.describe_time_to_live(table_name="sessions")
        assert described["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
        await sim.settle()
        assert await _ids(sim) == []  # the sweep at start found it expired
