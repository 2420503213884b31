"""Liveness and quiescence.

``GET  api/health``     ``{"status": "ok"}``
``POST api/settle``     wait until the simulator is idle (``?timeout=`` seconds); 504 if not
"""

from __future__ import annotations

from aiohttp import web

from eventsim.console.jsonable import json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import query_number
from eventsim.simulator import SettleTimeout

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


@routes.post("/api/settle")
async def settle(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    try:
        await sim.settle(query_number(request, "timeout"))
    except SettleTimeout as exc:
        return json_response({"settled": False, "message": str(exc)}, status=504)
    return json_response({"settled": True})
