"""Kinesis streams with their shards, and a shard's records.

``GET api/kinesis/streams``                      ``?limit=&next=``
``GET api/kinesis/streams/{name}/records``       ``?shard=&limit=&next=``: oldest first
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response, to_jsonable
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import decode_cursor, limit_of, page, page_of_sorted

__all__ = ["routes", "stream_names"]

routes = web.RouteTableDef()


async def stream_names(sim: Any) -> list[str]:
    """Every stream's name, through ListStreams' own pages."""
    names: list[str] = []
    token: str | None = None
    while True:
        listed = await sim.kinesis.list_streams(next_token=token)
        names.extend(listed.get("StreamNames", []))
        token = listed.get("NextToken")
        if token is None:
            return names


async def shards_of(sim: Any, name: str) -> list[dict[str, Any]]:
    shards: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        listed = await (sim.kinesis.list_shards(next_token=token) if token
                        else sim.kinesis.list_shards(stream_name=name))
        shards.extend(listed.get("Shards", []))
        token = listed.get("NextToken")
        if token is None:
            return shards


@routes.get("/api/kinesis/streams")
async def streams(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    names = await stream_names(sim)
    chosen, following = page_of_sorted(request, names, str)
    items = []
    for name in chosen:
        summary = (await sim.kinesis.describe_stream_summary(stream_name=name))[
            "StreamDescriptionSummary"]
        shards = await shards_of(sim, name)
        items.append({
            "name": name, "arn": summary.get("StreamARN"), "status": summary.get("StreamStatus"),
            "mode": (summary.get("StreamModeDetails") or {}).get("StreamMode"),
            "retention_hours": summary.get("RetentionPeriodHours"),
            "shards": [{"id": s["ShardId"],
                        "open": "EndingSequenceNumber" not in s.get("SequenceNumberRange", {}),
                        "parent": s.get("ParentShardId"),
                        "hash_key_range": s.get("HashKeyRange"),
                        "sequence_number_range": s.get("SequenceNumberRange")}
                       for s in shards],
        })
    return json_response(page(items, following))


@routes.get("/api/kinesis/streams/{name}/records")
async def records(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    name = request.match_info["name"]
    after = decode_cursor(request)
    shard = request.query.get("shard")
    if isinstance(after, dict):
        shard = after.get("shard", shard)
    if not shard:
        shard = (await shards_of(sim, name))[0]["ShardId"]
    if isinstance(after, dict) and isinstance(after.get("after"), str):
        iterator = await sim.kinesis.get_shard_iterator(
            stream_name=name, shard_id=shard, shard_iterator_type="AFTER_SEQUENCE_NUMBER",
            starting_sequence_number=after["after"])
    else:
        iterator = await sim.kinesis.get_shard_iterator(
            stream_name=name, shard_id=shard, shard_iterator_type="TRIM_HORIZON")
    limit = limit_of(request)
    got = await sim.kinesis.get_records(shard_iterator=iterator["ShardIterator"],
                                        limit=limit + 1)
    found = got.get("Records", [])
    more = len(found) > limit
    found = found[:limit]
    shown = []
    for r in found:
        data: bytes = r["Data"]
        shown.append({
            "SequenceNumber": r["SequenceNumber"], "PartitionKey": r["PartitionKey"],
            "ApproximateArrivalTimestamp": to_jsonable(r["ApproximateArrivalTimestamp"]),
            "Data": base64.b64encode(data).decode(), "Text": _text(data),
        })
    cursor = {"shard": shard, "after": found[-1]["SequenceNumber"]} if more else None
    return json_response({**page(shown, cursor), "shard": shard,
                          "millis_behind_latest": got.get("MillisBehindLatest")})


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
