"""The console's JSON API.

``POST /_eventsim/api/settle``          wait until the simulator is idle (``?timeout=`` seconds)
``GET  /_eventsim/api/invocations``     recorded invocations (``?function=&status=&after=&limit=``)
``GET  /_eventsim/api/health``          liveness
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from eventsim.console.keys import SIMULATOR
from eventsim.simulator import SettleTimeout

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.post("/api/settle")
async def settle(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    timeout = _number(request, "timeout")
    try:
        await sim.settle(timeout)
    except SettleTimeout as exc:
        return web.json_response({"settled": False, "message": str(exc)}, status=504)
    return web.json_response({"settled": True})


@routes.get("/api/invocations")
async def invocations(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    limit = _number(request, "limit")
    records = await sim.invocations.list(
        function=request.query.get("function"),
        status=request.query.get("status"),
        after_seq=int(_number(request, "after") or 0),
        limit=int(limit) if limit is not None else 1000,
    )
    return web.json_response({"invocations": [dataclasses.asdict(r) for r in records]})


def _number(request: web.Request, name: str) -> float | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a number") from None
