"""The console sub-application, mounted at ``/_eventsim/`` on the gateway's port.

Every request passes `guard` first (Host, token, and Origin for state changes: see
`eventsim.console.safety`); errors leave as JSON ``{"error": <code>, "message": ...}`` with
the status AWS gives the error (a service's `AwsError`), never as a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from eventsim.console import (
    basics,
    clock,
    functions,
    inject,
    invocations,
    mappings,
    overview,
    resources,
    sse,
    templates,
    topology,
    traces,
)
from eventsim.console.clockcontrol import ClockControl
from eventsim.console.feed import Feed
from eventsim.console.keys import CLOCK, FEED, INJECT_GATEWAY, SAFETY, SIMULATOR
from eventsim.console.pages import add_page_routes
from eventsim.console.safety import TOKEN_COOKIE, Safety
from eventsim.errors import AwsError
from eventsim.gateway.endpoints import Gateway
from eventsim.simulator import Simulator

__all__ = ["make_console_app"]

LOG = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse what the safety rules refuse; answer errors as JSON."""
    safety = request.app[SAFETY]
    if not safety.host_allowed(request.headers.get("Host")):
        return _error(403, "ForbiddenHost", "This server does not answer to the host name "
                      f"{request.headers.get('Host')!r} (DNS rebinding protection): use "
                      "127.0.0.1 or localhost, or start it with --allow-host NAME.")
    if not safety.console_token_ok(request.headers, request.query, request.cookies):
        return _error(401, "Unauthorized", "This server wants its access token: open "
                      "/_eventsim/?token=TOKEN, or send Authorization: Bearer TOKEN.")
    if not safety.origin_allowed(request.method, request.headers):
        return _error(403, "ForbiddenOrigin", "Cross-origin requests may not change state: "
                      f"{request.headers.get('Origin') or request.headers.get('Referer')!r} "
                      "is not this console's origin.")
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json" or exc.status < 400:
            raise
        return _error(exc.status, exc.reason.replace(" ", ""), exc.text or exc.reason)
    except AwsError as exc:
        return _error(exc.status_code, exc.code, exc.message or exc.code)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        LOG.exception("console request %s %s failed", request.method, request.path)
        return _error(500, "InternalError", "The console failed on this request; the server "
                      "log has the details.")
    if safety.token is not None and request.query.get("token") \
            and isinstance(response, web.Response):
        # The page's own later requests (fetch, EventSource) carry it as a cookie.
        response.set_cookie(TOKEN_COOKIE, request.query["token"], httponly=True,
                            samesite="Strict", path="/_eventsim")
    return response


def make_console_app(
    sim: Simulator, *, gateway: Gateway | None = None, safety: Safety | None = None
) -> web.Application:
    """The console's routes; `sim` is the simulator it shows. `gateway`: the tables of the
    gateway it is mounted under (injection calls through them); without one the console
    loads its own. `safety`: the server's rules (default: safe host names, any port)."""
    app = web.Application(middlewares=[guard])
    app[SIMULATOR] = sim
    app[SAFETY] = safety or Safety()
    app[FEED] = Feed(sim.db, sim.invocations)
    app[CLOCK] = ClockControl(sim.clock)
    if gateway is None:
        app[INJECT_GATEWAY] = Gateway(sim)
    app.cleanup_ctx.append(_lifecycle)
    app.on_shutdown.append(_end_streams)
    for table in (basics.routes, overview.routes, *resources.routes, functions.routes,
                  invocations.routes, traces.routes, mappings.routes, topology.routes,
                  templates.routes, inject.routes, clock.routes, sse.routes):
        app.add_routes(table)
    add_page_routes(app)
    return app


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    own = app.get(INJECT_GATEWAY)
    if own is not None:
        await asyncio.to_thread(own.load)  # botocore's model files are read from disk
    app[FEED].start()
    yield
    await app[FEED].aclose()
    await app[CLOCK].aclose()


async def _end_streams(app: web.Application) -> None:
    # Live feeds never end by themselves: close them first, so shutdown does not wait on them.
    await app[FEED].aclose()


