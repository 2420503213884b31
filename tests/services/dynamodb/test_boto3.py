"""DynamoDB through boto3 against the gateway: errors arrive as botocore reports AWS's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

KEY = {"pk": {"S": "a"}}


@pytest.fixture(scope="module")
def ddb() -> Iterator[Any]:
    with ThreadedSimulator() as sim:
        client = sim.client("dynamodb")
        client.create_table(
            TableName="things", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        client.put_item(TableName="things", Item={**KEY, "photo": {"B": b"\x00\xff"}})
        yield client


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call()
    response: dict[str, Any] = info.value.response
    return response


def test_invalid_update_expression_names_the_token(ddb: Any) -> None:
    response = _error(lambda: ddb.update_item(
        TableName="things", Key=KEY, UpdateExpression="SET a = = :v",
        ExpressionAttributeValues={":v": {"N": "1"}}))
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == (
        'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"')
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_table_is_resource_not_found(ddb: Any) -> None:
    response = _error(lambda: ddb.get_item(TableName="nope", Key=KEY))
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["Error"]["Message"] == "Requested resource not found"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_condition_failure_carries_the_old_item_with_blobs(ddb: Any) -> None:
    response = _error(lambda: ddb.put_item(
        TableName="things", Item=KEY, ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Item"] == {**KEY, "photo": {"B": b"\x00\xff"}}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName="things", Key=KEY, ConditionExpression="attribute_not_exists(pk)")


def test_cancelled_transaction_lists_its_reasons(ddb: Any) -> None:
    response = _error(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "things", "Item": {"pk": {"S": "new"}}}},
        {"ConditionCheck": {"TableName": "things", "Key": KEY,
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ]))
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in response["CancellationReasons"]] == [
        "None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName="things", Key={"pk": {"S": "new"}})


def test_numbers_and_blobs_round_trip(ddb: Any) -> None:
    ddb.put_item(TableName="things", Item={"pk": {"S": "n"}, "n": {"N": "0012.50"},
                                           "bs": {"BS": [b"\x01", b"\x02"]}})
    item = ddb.get_item(TableName="things", Key={"pk": {"S": "n"}})["Item"]
    assert item["n"] == {"N": "12.5"}
    assert item["bs"] == {"BS": [b"\x01", b"\x02"]}


def test_unimplemented_legacy_parameter_is_not_implemented(ddb: Any) -> None:
    response = _error(lambda: ddb.scan(TableName="things", ScanFilter={}))
    assert response["Error"]["Code"] == "NotImplemented"
