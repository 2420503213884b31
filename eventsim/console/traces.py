"""The causal trace of a workflow, as `eventsim.traces` reads it.

``GET api/traces/{trace_id}``                 ``{trace_id, truncated, nodes, edges}``
``GET api/invocations/{request_id}/trace``    the trace that invocation belongs to

Nodes: ``{id, kind, service, label, at (ISO), duration_ms, status, function, request_id,
attempt, resource, hop}``; edges: ``{from, to, kind}`` with kind caused, wrote, retry or
outcome.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import iso, json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import not_found
from eventsim.traces import Trace

__all__ = ["routes", "trace_view"]

routes = web.RouteTableDef()


def trace_view(trace: Trace) -> dict[str, Any]:
    """A trace as JSON, times in ISO (``at_epoch`` keeps the number for drawing timelines)."""
    data = trace.to_dict()
    for node in data["nodes"]:
        node["at_epoch"] = node["at"]
        node["at"] = iso(node["at"])
    return data


@routes.get("/api/traces/{trace_id}")
async def trace(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    found = await sim.trace(request.match_info["trace_id"])
    if not found.nodes:
        raise not_found(f"Nothing was recorded under trace id {request.match_info['trace_id']}")
    return json_response(trace_view(found))


@routes.get("/api/invocations/{request_id}/trace")
async def trace_of(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    found = await sim.trace_of(request.match_info["request_id"])
    if found is None:
        raise not_found(f"No invocation with request id {request.match_info['request_id']}")
    return json_response(trace_view(found))
