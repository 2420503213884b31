"""The gateway as an aiohttp application: every path, every method, one pipeline.

Middlewares, outermost first:

1. `open_exchange`: names the service (`ServiceNameResolver`), reads the body, gives the request
   its id, and turns whatever escapes the inner steps into the protocol's error response
   (`AwsError`s as they are, anything else as an internal error, logged).
2. `link_trace`: puts the request's ``X-Amzn-Trace-Id`` into `eventsim.tracing.current_trace`
   while the service runs, so a handler's writes are linked to its invocation.

Then the handler: parse (the protocol's parser finds the operation), call (the dispatcher), and
serialize (the protocol's serializer).

Sub-applications mounted on the gateway (the console under ``/_eventsim/``) pass through the
middlewares untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from botocore.model import OperationModel  # type: ignore[import-untyped]

from eventsim.gateway.endpoints import Gateway, ServiceEndpoint
from eventsim.gateway.errors import to_aws_error
from eventsim.gateway.protocols import HttpRequest, HttpResponse
from eventsim.simulator import Simulator
from eventsim.tracing import RequestIds, TraceHeader, current_request, current_trace

__all__ = ["GATEWAY", "MAX_BODY_SIZE", "SIMULATOR", "make_gateway_app"]

LOG = logging.getLogger(__name__)

MAX_BODY_SIZE = 5 * 1024**3
"""The largest body read: S3's limit for a single PutObject (5 GiB)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Exchange:
    """One request on its way through the gateway."""

    endpoint: ServiceEndpoint
    request: HttpRequest
    ids: RequestIds
    operation: OperationModel | None = None
    """Set once the parser has found it; errors are serialized for it."""


SIMULATOR = web.AppKey("eventsim.gateway.simulator", Simulator)
GATEWAY = web.AppKey("eventsim.gateway", Gateway)
EXCHANGE = web.RequestKey("eventsim.gateway.exchange", Exchange)


def make_gateway_app(sim: Simulator) -> web.Application:
    """The AWS wire gateway for `sim` (a started simulator by the time the app starts)."""
    app = web.Application(client_max_size=MAX_BODY_SIZE,
                          middlewares=[open_exchange, link_trace])
    app[SIMULATOR] = sim
    app[GATEWAY] = Gateway(sim)
    app.cleanup_ctx.append(_load_tables)
    app.router.add_route("*", r"/{tail:[\s\S]*}", handle_aws_request)
    return app


async def _load_tables(app: web.Application) -> AsyncIterator[None]:
    # Model files are read from disk: keep that off the event loop.
    await asyncio.to_thread(app[GATEWAY].load)
    yield


def _is_sub_app(request: web.Request) -> bool:
    return len(request.match_info.apps) > 1


@web.middleware
async def open_exchange(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Prepare the exchange, and answer every failure in the service's wire format."""
    if _is_sub_app(request):
        return await handler(request)
    gateway = request.app[GATEWAY]
    raw_path, _, query = request.raw_path.partition("?")
    headers = request.headers
    endpoint = gateway.endpoints[gateway.resolver.resolve(headers, query)]
    body = await request.read() if request.body_exists else b""
    exchange = Exchange(
        endpoint=endpoint,
        request=HttpRequest(method=request.method, path=raw_path, query=query, headers=headers,
                            body=body),
        ids=endpoint.serializer.new_request_ids(),
    )
    request[EXCHANGE] = exchange
    token = current_request.set(exchange.ids)
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # every failure becomes an AWS error response
        error = to_aws_error(exc, endpoint.name)
        response = endpoint.serializer.serialize_error(
            error, exchange.operation, exchange.request, exchange.ids
        )
        return _web_response(response, request.method)
    finally:
        current_request.reset(token)


@web.middleware
async def link_trace(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Link the service's writes to the invocation whose boto3 call this is."""
    header = TraceHeader.parse(request.headers.get("X-Amzn-Trace-Id"))
    if header is None:
        return await handler(request)
    token = current_trace.set(header)
    try:
        return await handler(request)
    finally:
        current_trace.reset(token)


async def handle_aws_request(request: web.Request) -> web.StreamResponse:
    """Parse, call, serialize."""
    exchange = request[EXCHANGE]
    endpoint = exchange.endpoint
    unavailable = endpoint.unavailable()
    if unavailable is not None:
        raise unavailable
    assert endpoint.parser is not None and endpoint.dispatcher is not None
    parsed = endpoint.parser.parse(exchange.request)
    exchange.operation = parsed.operation
    result = await endpoint.dispatcher.call(parsed.operation, parsed.params)
    response = endpoint.serializer.serialize_response(
        parsed.operation, result, exchange.request, exchange.ids
    )
    return _web_response(response, request.method)


def _web_response(response: HttpResponse, method: str) -> web.Response:
    headers = response.headers
    if method != "HEAD":
        # aiohttp measures the body itself; a HEAD keeps the length of what a GET would send.
        headers.pop("Content-Length", None)
    return web.Response(status=response.status, headers=headers, body=response.body or None)
