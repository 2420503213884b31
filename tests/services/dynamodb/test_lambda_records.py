"""The stream records a Lambda function would receive parse with Powertools'
DynamoDBStreamEvent, images and all."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecordEventName,
)

from eventsim import Simulator

from .conftest import make_table


@pytest.mark.asyncio
async def test_stored_records_parse_with_powertools(sim: Simulator) -> None:
    await make_table(sim, range_type=None, stream="NEW_AND_OLD_IMAGES")
    key = {"pk": {"S": "cat"}}
    await sim.dynamodb.put_item(table_name="things", item={
        **key, "legs": {"N": "4"}, "photo": {"B": b"\x00\x01"}, "tags": {"SS": ["a"]}})
    await sim.dynamodb.update_item(table_name="things", key=key, update_expression="ADD legs :one",
                                   expression_attribute_values={":one": {"N": "1"}})
    await sim.dynamodb.delete_item(table_name="things", key=key)
    rows = await sim.db.read(lambda c: c.execute(
        "SELECT record FROM ddb_stream_records ORDER BY seq").fetchall())
    payload: dict[str, Any] = {"Records": [json.loads(r[0]) for r in rows]}
    event = DynamoDBStreamEvent(json.loads(json.dumps(payload)))
    records = list(event.records)
    assert [r.event_name for r in records] == [
        DynamoDBRecordEventName.INSERT, DynamoDBRecordEventName.MODIFY,
        DynamoDBRecordEventName.REMOVE]
    insert, modify, remove = (r.dynamodb for r in records)
    assert insert is not None and modify is not None and remove is not None
    # Binary arrives base64-encoded in the JSON event; Powertools hands it on as that text.
    assert insert.new_image == {"pk": "cat", "legs": Decimal(4), "photo": "AAE=",
                                "tags": {"a"}}
    assert modify.old_image["legs"] == Decimal(4)
    assert modify.new_image["legs"] == Decimal(5)
    assert remove.keys == {"pk": "cat"}
    assert remove.new_image == {}
    assert records[0].event_source_arn.startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/things/stream/")
    assert int(modify.sequence_number) > int(insert.sequence_number)
    assert modify.stream_view_type is not None
