"""The gateway as an aiohttp application: every path, every method, one pipeline.

One handler takes each request through these steps:

1. open the exchange: name the service (`ServiceNameResolver`), give the request its ids
   (`eventsim.tracing.current_request` while the service runs, so that S3 events carry them),
   and turn whatever escapes the later steps into the protocol's error response
   (`AwsError`s as they are, anything else as an internal error, logged);
2. link the trace: the request's ``X-Amzn-Trace-Id`` goes into `eventsim.tracing.current_trace`
   while the service runs, so a handler's writes are linked to its invocation;
3. admit: the safety rules (`eventsim.console.safety`: a Host header safe from DNS rebinding,
   the access token when the server has one) refuse with AccessDenied;
4. parse the head (the protocol's parser finds the operation and reads the headers and
   query), all while the body may still be on its way (boto3 sends S3 uploads with
   ``Expect: 100-continue``, and aiohttp has already told it to continue); then read the
   body, finish parsing, call (the dispatcher) and serialize (the protocol's serializer).

The steps are plain calls in one handler rather than aiohttp middlewares, which aiohttp wraps
anew for every request, and which would also run for the console mounted under ``/_eventsim/``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import HttpVersion11, web
from botocore.model import OperationModel  # type: ignore[import-untyped]
from multidict import CIMultiDictProxy

from eventsim.console.safety import Safety
from eventsim.errors import AccessDenied
from eventsim.gateway.endpoints import Gateway, ServiceEndpoint
from eventsim.gateway.errors import to_aws_error
from eventsim.gateway.protocols import HttpRequest, HttpResponse, ParsedRequest
from eventsim.simulator import Simulator
from eventsim.tracing import RequestIds, TraceHeader, current_request, current_trace

__all__ = ["GATEWAY", "MAX_BODY_SIZE", "SAFETY", "SIMULATOR", "make_gateway_app", "serve_requests"]

LOG = logging.getLogger(__name__)

MAX_BODY_SIZE = 5 * 1024**3
"""The largest body read: S3's limit for a single PutObject (5 GiB)."""

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
SAFETY = web.AppKey("eventsim.gateway.safety", Safety)


def make_gateway_app(sim: Simulator, *, safety: Safety | None = None) -> web.Application:
    """The AWS wire gateway for `sim` (a started simulator by the time the app starts).

    `safety`: who may call it (`eventsim.console.safety`: Host names safe from DNS rebinding,
    the access token); by default safe host names on any port, no token."""
    app = web.Application(client_max_size=MAX_BODY_SIZE)
    app[SIMULATOR] = sim
    app[GATEWAY] = Gateway(sim)
    app[SAFETY] = safety or Safety()
    app.cleanup_ctx.append(_load_tables)
    app.router.add_route("*", r"/{tail:[\s\S]*}", handle_aws_request)
    return app


async def _load_tables(app: web.Application) -> AsyncIterator[None]:
    # Model files are read from disk: keep that off the event loop.
    await asyncio.to_thread(app[GATEWAY].load)
    yield


def serve_requests(
    app: web.Application, route: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    """The server's handler for every request: gateway requests go straight to the gateway;
    the console, and any path that could be the console's once decoded, go to `route` (the
    application's own routing, aiohttp's ``Application._handle``).

    aiohttp's routing costs a gateway request a resolve, a frozen match, a middleware chain
    (the console's guard turns them on for the whole application) and an expect handler,
    all before the client is told to send its body; here only the ``100 Continue`` comes
    first."""
    gateway, safety = app[GATEWAY], app[SAFETY]

    async def serve(request: web.BaseRequest) -> web.StreamResponse:
        if request.raw_path.startswith(_ROUTED_PATHS):
            return await route(request)
        expect = request.headers.get("Expect")
        if expect is not None:
            await _continue(request, expect)
        return await _handle(request, gateway, safety)

    return serve


_ROUTED_PATHS = ("/_eventsim", "/%")
"""Raw paths left to aiohttp's router: the console's, and those percent-encoded from their
first character (decoded, they may be the console's)."""


async def _continue(request: web.BaseRequest, expect: str) -> None:
    # As aiohttp's default expect handler answers for the routes it resolves.
    if request.version != HttpVersion11:
        return
    if expect.lower() != "100-continue":
        raise web.HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
    await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    request.writer.output_size = 0  # the response proper has not started
    await request.writer.drain()


async def handle_aws_request(request: web.Request) -> web.StreamResponse:
    """The gateway's route (for requests that `serve_requests` leaves to the router)."""
    return await _handle(request, request.app[GATEWAY], request.app[SAFETY])


async def _handle(
    request: web.BaseRequest, gateway: Gateway, safety: Safety
) -> web.StreamResponse:
    """Open the exchange, link the trace, parse, call, serialize."""
    raw_path, _, query = request.raw_path.partition("?")
    headers = request.headers
    name = gateway.resolver.resolve(headers, query)
    endpoint = gateway.endpoints.get(name)
    if endpoint is None:
        endpoint = await asyncio.to_thread(gateway.unserved, name, "X-Amz-Target" in headers)
    exchange = Exchange(
        endpoint=endpoint,
        request=HttpRequest(method=request.method, path=raw_path, query=query, headers=headers),
        ids=endpoint.serializer.new_request_ids(),
    )
    ids_token = current_request.set(exchange.ids)
    trace = TraceHeader.parse(headers.get("X-Amzn-Trace-Id"))
    trace_token = current_trace.set(trace) if trace is not None else None
    try:
        # What the head of the request tells is worked out while its body is still on the
        # way (see `RequestParser.parse_head`); a refusal found here is answered once the
        # body is in, as any other error.
        refused: Exception | None = None
        finish: Callable[[bytes], ParsedRequest] | None = None
        try:
            _admit(safety, headers, query)
            finish = _parse_head(exchange)
        except Exception as exc:
            refused = exc
        body = await request.read() if request.body_exists else b""
        try:
            if refused is not None:
                raise refused
            assert finish is not None
            response = await _call(exchange, finish(body))
        except web.HTTPException:
            raise
        except Exception as exc:  # every failure becomes an AWS error response
            error = to_aws_error(exc, endpoint.name)
            response = endpoint.serializer.serialize_error(
                error, exchange.operation, exchange.request, exchange.ids
            )
    finally:
        if trace_token is not None:
            current_trace.reset(trace_token)
        current_request.reset(ids_token)
    return _web_response(response, request.method)


def _admit(safety: Safety, headers: CIMultiDictProxy[str], query: str) -> None:
    """Refuse a request the safety rules refuse, as AWS refuses: AccessDenied."""
    if not safety.host_allowed(headers.get("Host")):
        raise AccessDenied(f"This server does not answer to the host name "
                           f"{headers.get('Host')!r} (DNS rebinding protection): use "
                           "127.0.0.1 or localhost, or start it with --allow-host NAME.")
    if not safety.gateway_token_ok(headers, query):
        raise AccessDenied("This server wants its access token: use it as the access key id "
                           "(AWS_ACCESS_KEY_ID) or send it in an X-Eventsim-Token header.")


def _parse_head(exchange: Exchange) -> Callable[[bytes], ParsedRequest]:
    endpoint = exchange.endpoint
    unavailable = endpoint.unavailable()
    if unavailable is not None:
        raise unavailable
    assert endpoint.parser is not None
    return endpoint.parser.parse_head(exchange.request)


async def _call(exchange: Exchange, parsed: ParsedRequest) -> HttpResponse:
    endpoint = exchange.endpoint
    exchange.operation = parsed.operation
    assert endpoint.dispatcher is not None
    result = await endpoint.dispatcher.call(parsed.operation, parsed.params)
    return endpoint.serializer.serialize_response(
        parsed.operation, result, exchange.request, exchange.ids
    )


def _web_response(response: HttpResponse, method: str) -> web.Response:
    headers = response.headers
    if method != "HEAD":
        # aiohttp measures the body itself; a HEAD keeps the length of what a GET would send.
        headers.pop("Content-Length", None)
    return web.Response(status=response.status, headers=headers, body=response.body or None)
