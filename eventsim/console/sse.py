"""``GET api/feed``: the live feed as server-sent events.

``?service=&function=&status=`` filter it. Each event is ``event: invocation`` (the
invocation's summary, once recorded) or ``event: write`` (a write a handler made), with an
``id:`` and one line of JSON ``data:``; ``event: lagged`` says events were dropped for a
client that did not keep up. A comment line every 15 seconds keeps proxies from closing an
idle stream and tells the server when the browser has gone.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from eventsim.console.feed import FeedEvent, FeedFilter
from eventsim.console.keys import FEED

__all__ = ["routes"]

routes = web.RouteTableDef()

KEEPALIVE_SECONDS = 15.0


def encode(event: FeedEvent) -> bytes:
    """One event in the text/event-stream format."""
    data = json.dumps(event.data, separators=(",", ":"), default=str)
    return f"event: {event.kind}\nid: {event.id}\ndata: {data}\n\n".encode()


@routes.get("/api/feed")
async def feed(request: web.Request) -> web.StreamResponse:
    wanted = FeedFilter(service=request.query.get("service") or None,
                        function=request.query.get("function") or None,
                        status=request.query.get("status") or None)
    source = request.config_dict[FEED]
    subscription = await source.subscribe(wanted)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no"})
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n: connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            if event is None:  # the server is stopping
                break
            await response.write(encode(event))
    except ConnectionResetError:
        pass  # the browser went away
    finally:
        source.unsubscribe(subscription)
    return response
