"""Tables, their items as plain JSON, and their stream's records.

``GET api/dynamodb/tables``                     ``?limit=&next=``
``GET api/dynamodb/tables/{name}/items``        ``?limit=&next=``: a Scan page, items as plain JSON
``GET api/dynamodb/tables/{name}/stream``       ``?limit=&next=``: stream records, oldest first
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from boto3.dynamodb.types import Binary, TypeDeserializer  # type: ignore[import-untyped]

from eventsim.console.jsonable import json_response, to_jsonable
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import decode_cursor, limit_of, page, page_of_sorted

__all__ = ["plain_item", "routes", "table_names"]

routes = web.RouteTableDef()

_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, set):  # sets as sorted lists: JSON has no sets
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """``{"id": {"S": "a1"}, "n": {"N": "2"}}`` -> ``{"id": "a1", "n": 2}``."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


async def table_names(sim: Any) -> list[str]:
    """Every table's name, through ListTables' own pages."""
    names: list[str] = []
    start: str | None = None
    while True:
        listed = await sim.dynamodb.list_tables(exclusive_start_table_name=start)
        names.extend(listed.get("TableNames", []))
        start = listed.get("LastEvaluatedTableName")
        if start is None:
            return names


@routes.get("/api/dynamodb/tables")
async def tables(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    names = await table_names(sim)
    chosen, following = page_of_sorted(request, names, str)
    items = []
    for name in chosen:
        table = (await sim.dynamodb.describe_table(table_name=name))["Table"]
        items.append({
            "name": name, "arn": table.get("TableArn"), "status": table.get("TableStatus"),
            "key_schema": table.get("KeySchema"), "item_count": table.get("ItemCount"),
            "size_bytes": table.get("TableSizeBytes"),
            "stream_arn": table.get("LatestStreamArn"),
            "stream_view_type": (table.get("StreamSpecification") or {}).get("StreamViewType"),
            "indexes": [i["IndexName"] for i in [*table.get("GlobalSecondaryIndexes", []),
                                                 *table.get("LocalSecondaryIndexes", [])]],
            "description": to_jsonable(table),
        })
    return json_response(page(items, following))


@routes.get("/api/dynamodb/tables/{name}/items")
async def items(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    start = decode_cursor(request)
    scanned = await sim.dynamodb.scan(
        table_name=request.match_info["name"], limit=limit_of(request),
        exclusive_start_key=start if isinstance(start, dict) else None,
    )
    found = [to_jsonable(plain_item(item)) for item in scanned.get("Items", [])]
    last = scanned.get("LastEvaluatedKey")
    # The key goes back to Scan as given: keep it typed (DynamoDB JSON) in the cursor.
    return json_response(page(found, to_jsonable(last) if last else None))


@routes.get("/api/dynamodb/tables/{name}/stream")
async def stream_records(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    table = (await sim.dynamodb.describe_table(table_name=request.match_info["name"]))["Table"]
    arn = table.get("LatestStreamArn")
    if arn is None:
        return json_response({**page([], None), "stream_arn": None})
    streams = sim.dynamodbstreams
    described = (await streams.describe_stream(stream_arn=arn))["StreamDescription"]
    shard_id = described["Shards"][0]["ShardId"]
    after = decode_cursor(request)
    if isinstance(after, str):
        iterator = await streams.get_shard_iterator(
            stream_arn=arn, shard_id=shard_id, shard_iterator_type="AFTER_SEQUENCE_NUMBER",
            sequence_number=after)
    else:
        iterator = await streams.get_shard_iterator(
            stream_arn=arn, shard_id=shard_id, shard_iterator_type="TRIM_HORIZON")
    limit = limit_of(request)
    got = await streams.get_records(shard_iterator=iterator["ShardIterator"], limit=limit + 1)
    records = got.get("Records", [])
    more = len(records) > limit
    records = records[:limit]
    shown = [to_jsonable(r) for r in records]
    last = records[-1]["dynamodb"]["SequenceNumber"] if more else None
    return json_response({**page(shown, last), "stream_arn": arn, "shard_id": shard_id})
