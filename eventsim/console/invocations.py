"""Recorded invocations: pages of summaries, and one invocation with everything it left.

``GET api/invocations``               ``?function=&status=&trigger=&limit=&next=``: newest first;
                                      ``?after=SEQ``: oldest first after a position (tailing);
                                      ``?detail=full``: each item also has event, result,
                                      error and logs
``GET api/invocations/{request_id}``  every attempt of one request: event, result, error, logs
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import (
    bad_request,
    decode_cursor,
    limit_of,
    not_found,
    page,
    query_number,
)
from eventsim.console.views import full_record, summary, summary_of

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/invocations")
async def invocations(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    limit = limit_of(request)
    function = request.query.get("function") or None
    status = request.query.get("status") or None
    trigger = request.query.get("trigger") or None
    full = request.query.get("detail") == "full"
    cursor = decode_cursor(request)
    after = query_number(request, "after")
    if isinstance(cursor, dict) and "after" in cursor:
        after = cursor["after"]
    if after is not None:
        if trigger is not None:
            raise bad_request("trigger cannot be combined with after")
        records = await sim.invocations.list(function=function, status=status,
                                             after_seq=int(after), limit=limit + 1)
        more = len(records) > limit
        records = records[:limit]
        items = [full_record(r) if full else summary_of(r) for r in records]
        return json_response(page(items, {"after": records[-1].seq} if more else None))
    before = cursor.get("before") if isinstance(cursor, dict) else None
    query: dict[str, Any] = {"function": function, "status": status, "trigger": trigger,
             "before_seq": before, "limit": limit + 1}
    if full:
        records = await sim.invocations.records(**query)
        more = len(records) > limit
        records = records[:limit]
        last = records[-1].seq if records else 0
        items = [full_record(r) for r in records]
    else:
        rows = await sim.invocations.summaries(**query)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1]["seq"] if rows else 0
        items = [summary(row) for row in rows]
    return json_response(page(items, {"before": last} if more else None))


@routes.get("/api/invocations/{request_id}")
async def invocation(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    request_id = request.match_info["request_id"]
    attempts = await sim.invocations.get(request_id)
    if not attempts:
        raise not_found(f"No invocation with request id {request_id}")
    last = attempts[-1]
    return json_response({
        "request_id": request_id, "function": last.function, "trace_id": last.trace_id,
        "status": last.status, "attempts": [full_record(a) for a in attempts],
    })
