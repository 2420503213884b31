"""CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable."""

from __future__ import annotations

import pytest

from eventsim import Simulator
from eventsim.errors import AwsError

from .conftest import make_table

pytestmark = pytest.mark.asyncio


async def test_create_table_describes_keys_billing_and_arn(sim: Simulator) -> None:
    table = (await make_table(sim))["TableDescription"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert table["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/things"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "StreamSpecification" not in table


async def test_create_existing_table_is_resource_in_use(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await make_table(sim)
    assert info.value.code == "ResourceInUseException"
    assert info.value.message == "Table already exists: things"


async def test_key_attribute_without_definition_is_rejected(sim: Simulator) -> None:
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.create_table(
            table_name="things", attribute_definitions=[{"AttributeName": "pk",
                                                         "AttributeType": "S"}],
            key_schema=[{"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"}],
            billing_mode="PAY_PER_REQUEST",
        )
    assert info.value.code == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in (
        info.value.message
    )


async def test_unused_attribute_definition_is_rejected(sim: Simulator) -> None:
    with pytest.raises(AwsError, match="Number of attributes in KeySchema does not exactly"):
        await make_table(sim, range_type=None,
                         more_definitions=[{"AttributeName": "x", "AttributeType": "S"}])


async def test_provisioned_table_needs_throughput(sim: Simulator) -> None:
    with pytest.raises(AwsError, match="ReadCapacityUnits and WriteCapacityUnits must both"):
        await sim.dynamodb.create_table(
            table_name="things", attribute_definitions=[{"AttributeName": "pk",
                                                         "AttributeType": "S"}],
            key_schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )


async def test_describe_unknown_table_uses_aws_wording(sim: Simulator) -> None:
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.describe_table(table_name="nope")
    assert info.value.code == "ResourceNotFoundException"
    assert info.value.status_code == 400
    assert info.value.message == "Requested resource not found: Table: nope not found"


async def test_item_operation_on_unknown_table(sim: Simulator) -> None:
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.get_item(table_name="nope", key={"pk": {"S": "a"}})
    assert info.value.code == "ResourceNotFoundException"
    assert info.value.message == "Requested resource not found"


async def test_list_tables_pages_in_name_order(sim: Simulator) -> None:
    for name in ("ccc", "aaa", "bbb"):
        await make_table(sim, name)
    first = await sim.dynamodb.list_tables(limit=2)
    assert first == {"TableNames": ["aaa", "bbb"], "LastEvaluatedTableName": "bbb"}
    second = await sim.dynamodb.list_tables(exclusive_start_table_name="bbb", limit=2)
    assert second == {"TableNames": ["ccc"]}


async def test_delete_table_removes_it_and_its_items(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    deleted = await sim.dynamodb.delete_table(table_name="things")
    assert deleted["TableDescription"]["TableStatus"] == "DELETING"
    assert (await sim.dynamodb.list_tables())["TableNames"] == []
    await make_table(sim)
    assert (await sim.dynamodb.scan(table_name="things"))["Count"] == 0


async def test_describe_counts_items_and_size(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things",
                                item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "xyz"}})
    table = (await sim.dynamodb.describe_table(table_name="things"))["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] > 0


async def test_indexes_are_described(sim: Simulator) -> None:
    await make_table(
        sim, more_definitions=[{"AttributeName": "g", "AttributeType": "S"},
                               {"AttributeName": "l", "AttributeType": "N"}],
        global_secondary_indexes=[{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        local_secondary_indexes=[{
            "IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
        }],
    )
    table = (await sim.dynamodb.describe_table(table_name="things"))["Table"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert table["LocalSecondaryIndexes"][0]["Projection"] == {
        "ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}


async def test_update_table_turns_the_stream_on_and_off(sim: Simulator) -> None:
    await make_table(sim)
    on = (await sim.dynamodb.update_table(
        table_name="things",
        stream_specification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    ))["TableDescription"]
    first_arn = on["LatestStreamArn"]
    assert on["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    with pytest.raises(AwsError, match="Table already has an enabled stream"):
        await sim.dynamodb.update_table(
            table_name="things",
            stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
    off = (await sim.dynamodb.update_table(
        table_name="things", stream_specification={"StreamEnabled": False},
    ))["TableDescription"]
    assert "StreamSpecification" not in off
    assert off["LatestStreamArn"] == first_arn
    sim.clock.advance(1)  # type: ignore[attr-defined]
    again = (await sim.dynamodb.update_table(
        table_name="things",
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    ))["TableDescription"]
    assert again["LatestStreamArn"] != first_arn
    assert again["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
