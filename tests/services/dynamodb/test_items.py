"""PutItem, GetItem, UpdateItem, DeleteItem, batches and transactions."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim import Simulator
from eventsim.errors import AwsError

from .conftest import make_table

pytestmark = pytest.mark.asyncio

A = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def item(**attrs: Any) -> dict[str, Any]:
    return {**A, **attrs}


async def test_put_then_get_round_trips_every_type(sim: Simulator) -> None:
    await make_table(sim)
    full = item(s={"S": "x"}, n={"N": "01.50"}, b={"B": b"\x00\x01"}, ss={"SS": ["a", "b"]},
                ns={"NS": ["1", "2"]}, bs={"BS": [b"\x01"]}, m={"M": {"k": {"BOOL": False}}},
                l={"L": [{"NULL": True}]})
    await sim.dynamodb.put_item(table_name="things", item=full)
    got = (await sim.dynamodb.get_item(table_name="things", key=A))["Item"]
    assert got == {**full, "n": {"N": "1.5"}}


async def test_get_missing_item_has_no_item_member(sim: Simulator) -> None:
    await make_table(sim)
    assert await sim.dynamodb.get_item(table_name="things", key=A) == {}


async def test_get_with_projection(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things",
                                item=item(m={"M": {"x": {"N": "1"}, "y": {"N": "2"}}}))
    got = await sim.dynamodb.get_item(table_name="things", key=A,
                                      projection_expression="#m.y",
                                      expression_attribute_names={"#m": "m"})
    assert got["Item"] == {"m": {"M": {"y": {"N": "2"}}}}


async def test_key_type_mismatch_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.put_item(table_name="things",
                                    item={"pk": {"N": "1"}, "sk": {"N": "1"}})
    assert info.value.message == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S "
        "actual: N"
    )


async def test_missing_key_attribute_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.put_item(table_name="things", item={"pk": {"S": "a"}})
    assert info.value.message == (
        "One or more parameter values were invalid: Missing the key sk in the item"
    )


async def test_wrong_key_shape_on_get(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.get_item(table_name="things", key={"pk": {"S": "a"}})
    assert info.value.message == "The provided key element does not match the schema"


async def test_item_over_400_kb_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.put_item(table_name="things", item=item(big={"S": "x" * 409_600}))
    assert info.value.message == "Item size has exceeded the maximum allowed size"


async def test_condition_failure_returns_the_old_item_when_asked(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "1"}))
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.put_item(
            table_name="things", item=item(v={"N": "2"}),
            condition_expression="attribute_not_exists(pk)",
            return_values_on_condition_check_failure="ALL_OLD",
        )
    assert info.value.code == "ConditionalCheckFailedException"
    assert info.value.message == "The conditional request failed"
    assert info.value.fields["Item"] == {**A, "v": {"N": "1"}}
    got = (await sim.dynamodb.get_item(table_name="things", key=A))["Item"]
    assert got["v"] == {"N": "1"}


async def test_unused_expression_value_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.put_item(
            table_name="things", item=A, condition_expression="attribute_not_exists(pk)",
            expression_attribute_values={":x": {"N": "1"}},
        )
    assert info.value.message == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
    )


async def test_values_without_expressions_are_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError, match="ExpressionAttributeValues can only be specified when"):
        await sim.dynamodb.put_item(table_name="things", item=A,
                                    expression_attribute_values={":x": {"N": "1"}})


async def test_put_return_values(sim: Simulator) -> None:
    await make_table(sim)
    first = await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "1"}),
                                        return_values="ALL_OLD")
    assert first == {}
    second = await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "2"}),
                                         return_values="ALL_OLD")
    assert second["Attributes"]["v"] == {"N": "1"}
    with pytest.raises(AwsError, match="Return values set to invalid value"):
        await sim.dynamodb.put_item(table_name="things", item=A, return_values="ALL_NEW")


async def test_update_item_return_values(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(a={"N": "1"}, b={"S": "keep"}))
    args: dict[str, Any] = {
        "table_name": "things", "key": A, "update_expression": "SET a = a + :one",
        "expression_attribute_values": {":one": {"N": "1"}},
    }
    assert (await sim.dynamodb.update_item(**args, return_values="UPDATED_OLD"))[
        "Attributes"] == {"a": {"N": "1"}}
    assert (await sim.dynamodb.update_item(**args, return_values="UPDATED_NEW"))[
        "Attributes"] == {"a": {"N": "3"}}
    assert (await sim.dynamodb.update_item(**args, return_values="ALL_NEW"))[
        "Attributes"] == item(a={"N": "4"}, b={"S": "keep"})
    assert (await sim.dynamodb.update_item(**args, return_values="ALL_OLD"))[
        "Attributes"] == item(a={"N": "4"}, b={"S": "keep"})
    assert await sim.dynamodb.update_item(**args) == {}


async def test_update_creates_a_missing_item(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.update_item(
        table_name="things", key=A, update_expression="ADD hits :one",
        expression_attribute_values={":one": {"N": "1"}},
    )
    got = (await sim.dynamodb.get_item(table_name="things", key=A))["Item"]
    assert got == item(hits={"N": "1"})


async def test_update_of_a_key_attribute_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.update_item(
            table_name="things", key=A, update_expression="SET pk = :x",
            expression_attribute_values={":x": {"S": "b"}},
        )
    assert info.value.message == (
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute "
        "is part of the key"
    )


async def test_update_with_condition(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "5"}))
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.update_item(
            table_name="things", key=A, update_expression="SET v = :new",
            condition_expression="v > :limit",
            expression_attribute_values={":new": {"N": "0"}, ":limit": {"N": "10"}},
        )
    assert info.value.code == "ConditionalCheckFailedException"


async def test_delete_item_returns_old_and_deleting_missing_is_fine(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "5"}))
    gone = await sim.dynamodb.delete_item(table_name="things", key=A, return_values="ALL_OLD")
    assert gone["Attributes"] == item(v={"N": "5"})
    assert await sim.dynamodb.delete_item(table_name="things", key=A,
                                          return_values="ALL_OLD") == {}


async def test_delete_with_failing_condition_keeps_the_item(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "5"}))
    with pytest.raises(AwsError):
        await sim.dynamodb.delete_item(
            table_name="things", key=A, condition_expression="v = :six",
            expression_attribute_values={":six": {"N": "6"}},
        )
    assert "Item" in await sim.dynamodb.get_item(table_name="things", key=A)


async def test_batch_write_and_batch_get(sim: Simulator) -> None:
    await make_table(sim)
    puts = [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}} for i in range(25)]
    assert await sim.dynamodb.batch_write_item(request_items={"things": puts}) == {
        "UnprocessedItems": {}}
    got = await sim.dynamodb.batch_get_item(request_items={"things": {
        "Keys": [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in (0, 7, 99)]}})
    assert sorted(int(i["sk"]["N"]) for i in got["Responses"]["things"]) == [0, 7]
    assert got["UnprocessedKeys"] == {}
    deletes = [{"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}}
               for i in range(10)]
    await sim.dynamodb.batch_write_item(request_items={"things": deletes})
    assert (await sim.dynamodb.scan(table_name="things"))["Count"] == 15


async def test_batch_write_over_25_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    puts = [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}} for i in range(26)]
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.batch_write_item(request_items={"things": puts})
    assert info.value.code == "ValidationException"
    assert "length less than or equal to 25" in info.value.message


async def test_batch_get_over_100_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    keys = [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(101)]
    with pytest.raises(AwsError, match="Too many items requested for the BatchGetItem call"):
        await sim.dynamodb.batch_get_item(request_items={"things": {"Keys": keys}})


async def test_batch_write_duplicate_keys_are_rejected(sim: Simulator) -> None:
    await make_table(sim)
    puts = [{"PutRequest": {"Item": A}}, {"DeleteRequest": {"Key": A}}]
    with pytest.raises(AwsError, match="Provided list of item keys contains duplicates"):
        await sim.dynamodb.batch_write_item(request_items={"things": puts})


async def test_transaction_is_all_or_nothing(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "1"}))
    b = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.transact_write_items(transact_items=[
            {"Put": {"TableName": "things", "Item": b}},
            {"Update": {"TableName": "things", "Key": A, "UpdateExpression": "SET v = :two",
                        "ConditionExpression": "v = :nine",
                        "ExpressionAttributeValues": {":two": {"N": "2"}, ":nine": {"N": "9"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    error = info.value
    assert error.code == "TransactionCanceledException"
    assert error.message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]"
    )
    reasons = error.fields["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed"
    assert reasons[1]["Item"] == item(v={"N": "1"})
    assert await sim.dynamodb.get_item(table_name="things", key=b) == {}


async def test_transaction_applies_every_action(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "1"}))
    c = {"pk": {"S": "c"}, "sk": {"N": "1"}}
    await sim.dynamodb.put_item(table_name="things", item=c)
    b = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    d = {"pk": {"S": "d"}, "sk": {"N": "1"}}
    await sim.dynamodb.transact_write_items(transact_items=[
        {"Put": {"TableName": "things", "Item": b}},
        {"Update": {"TableName": "things", "Key": A, "UpdateExpression": "SET v = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        {"Delete": {"TableName": "things", "Key": c}},
        {"ConditionCheck": {"TableName": "things", "Key": d,
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    assert "Item" in await sim.dynamodb.get_item(table_name="things", key=b)
    assert (await sim.dynamodb.get_item(table_name="things", key=A))["Item"]["v"] == {"N": "2"}
    assert await sim.dynamodb.get_item(table_name="things", key=c) == {}
    assert await sim.dynamodb.get_item(table_name="things", key=d) == {}


async def test_transaction_with_two_actions_on_one_item_is_rejected(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError, match="multiple operations on one item"):
        await sim.dynamodb.transact_write_items(transact_items=[
            {"Put": {"TableName": "things", "Item": A}},
            {"Delete": {"TableName": "things", "Key": A}},
        ])


async def test_transact_get_items_reads_each_key(sim: Simulator) -> None:
    await make_table(sim)
    await sim.dynamodb.put_item(table_name="things", item=item(v={"N": "1"}, w={"N": "2"}))
    got = await sim.dynamodb.transact_get_items(transact_items=[
        {"Get": {"TableName": "things", "Key": A, "ProjectionExpression": "v"}},
        {"Get": {"TableName": "things", "Key": {"pk": {"S": "zz"}, "sk": {"N": "1"}}}},
    ])
    assert got["Responses"] == [{"Item": {"v": {"N": "1"}}}, {}]


async def test_tags_of_a_table(sim: Simulator) -> None:
    await make_table(sim, tags=[{"Key": "team", "Value": "pets"}])
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/things"
    await sim.dynamodb.tag_resource(resource_arn=arn, tags=[{"Key": "env", "Value": "dev"}])
    await sim.dynamodb.untag_resource(resource_arn=arn, tag_keys=["team"])
    assert await sim.dynamodb.list_tags_of_resource(resource_arn=arn) == {
        "Tags": [{"Key": "env", "Value": "dev"}]}
    with pytest.raises(AwsError) as info:
        await sim.dynamodb.list_tags_of_resource(resource_arn=arn + "-nope")
    assert info.value.code == "ResourceNotFoundException"
