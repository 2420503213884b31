"""The clock's state, and moving a virtual one.

``POST api/clock/advance``   ``{"seconds": N}``: jump virtual time forward, firing what is due
``POST api/clock/pause``     stop a resumed virtual clock from following real time
``POST api/clock/resume``    let the virtual clock follow real time
All three answer the clock's state ``{mode, now, paused}``; on the real clock, 409.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventsim.console.clockcontrol import ClockControl, NotVirtual
from eventsim.console.jsonable import iso, json_response
from eventsim.console.keys import CLOCK, SIMULATOR
from eventsim.console.paging import bad_request
from eventsim.simulator import Simulator

__all__ = ["clock_state", "routes"]

routes = web.RouteTableDef()


class Advance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(gt=0)


def clock_state(sim: Simulator, control: ClockControl) -> dict[str, Any]:
    """``{mode: real|virtual, now: ISO, now_epoch, paused}``."""
    return {"mode": "virtual" if control.virtual else "real", "now": iso(sim.clock.time()),
            "now_epoch": sim.clock.time(), "paused": control.paused}


def _conflict(exc: NotVirtual) -> web.HTTPConflict:
    return web.HTTPConflict(text=json.dumps({"error": "Conflict", "message": str(exc)}),
                            content_type="application/json")


@routes.get("/api/clock")
async def state(request: web.Request) -> web.Response:
    return json_response(clock_state(request.config_dict[SIMULATOR], request.config_dict[CLOCK]))


@routes.post("/api/clock/advance")
async def advance(request: web.Request) -> web.Response:
    control = request.config_dict[CLOCK]
    try:
        body = Advance.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        raise bad_request("expected {\"seconds\": <number greater than 0>}: "
                          + "; ".join(e["msg"] for e in exc.errors())) from None
    if not math.isfinite(body.seconds):
        raise bad_request("seconds must be a finite number")
    try:
        control.advance(body.seconds)
    except NotVirtual as exc:
        raise _conflict(exc) from None
    return json_response(clock_state(request.config_dict[SIMULATOR], control))


@routes.post("/api/clock/pause")
async def pause(request: web.Request) -> web.Response:
    control = request.config_dict[CLOCK]
    try:
        control.pause()
    except NotVirtual as exc:
        raise _conflict(exc) from None
    return json_response(clock_state(request.config_dict[SIMULATOR], control))


@routes.post("/api/clock/resume")
async def resume(request: web.Request) -> web.Response:
    control = request.config_dict[CLOCK]
    try:
        control.resume()
    except NotVirtual as exc:
        raise _conflict(exc) from None
    return json_response(clock_state(request.config_dict[SIMULATOR], control))
