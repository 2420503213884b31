"""The Lambda Runtime API (2018-06-01), served to process execution environments.

One aiohttp application serves every environment, each on a listening socket of its own
(127.0.0.1, a free port): ``AWS_LAMBDA_RUNTIME_API`` is then a plain ``host:port``, as on
AWS, and a request's local port says which environment it comes from. An environment is a
`Channel`; the server only parses HTTP and renders the status codes and error bodies of
AWS's Runtime API (those of the Runtime Interface Emulator's ``rapi`` package):

============================================  =========================================
``GET  /runtime/invocation/next``             200, the event as the body, headers below
``POST /runtime/invocation/{id}/response``    202 ``{"status":"OK"}``; 400 unknown id;
                                              403 wrong state; 413 over 6 MB
``POST /runtime/invocation/{id}/error``       202; 400; 403
``POST /runtime/init/error``                  202; 403 once initialised
============================================  =========================================
"""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

__all__ = [
    "MAX_RESPONSE_BYTES",
    "ApiError",
    "Assignment",
    "Channel",
    "RuntimeApiServer",
]

PREFIX = "/2018-06-01/runtime"

MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100
"""The synchronous response limit, as Lambda counts it (6,291,556 bytes)."""

_ACCEPTED = b'{"status":"OK"}'


@dataclass(frozen=True, slots=True)
class Assignment:
    """What ``/next`` hands the runtime: the event and its headers."""

    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None


class ApiError(Exception):
    """A Runtime API refusal: HTTP status and AWS's ``{errorMessage, errorType}``."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    @classmethod
    def invalid_request_id(cls) -> ApiError:
        return cls(400, "InvalidRequestID", "Invalid request ID")

    @classmethod
    def invalid_state(cls, state: str, target: str) -> ApiError:
        return cls(403, "InvalidStateTransition",
                   f"State transition from {state} to {target} failed for runtime.")

    @classmethod
    def too_large(cls) -> ApiError:
        return cls(413, "RequestEntityTooLarge",
                   f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).")


class Channel(Protocol):
    """One execution environment, as the Runtime API sees it. Methods raise `ApiError`."""

    async def next_invocation(self) -> Assignment:
        """Wait (without limit) until an invocation is assigned to this environment."""
        ...

    def invocation_response(self, request_id: str, body: bytes) -> None: ...

    def response_too_large(self, request_id: str) -> None:
        """The runtime sent a response over `MAX_RESPONSE_BYTES`: the invocation fails."""
        ...

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> None: ...

    def init_error(self, body: bytes, error_type: str | None) -> None: ...


def _error(exc: ApiError) -> web.Response:
    body = json.dumps({"errorMessage": exc.message, "errorType": exc.error_type})
    return web.Response(status=exc.status, body=body.encode(), content_type="application/json")


async def _read_limited(request: web.Request) -> bytes | None:
    """The body, or None past `MAX_RESPONSE_BYTES` (read to its end all the same, so the
    connection stays usable and closing the server does not wait on it)."""
    if (request.content_length or 0) <= MAX_RESPONSE_BYTES:
        with contextlib.suppress(web.HTTPRequestEntityTooLarge):
            return await request.read()
    async for _chunk in request.content.iter_chunked(1 << 16):
        pass
    return None


def _accepted() -> web.Response:
    return web.Response(status=202, body=_ACCEPTED, content_type="application/json")


class RuntimeApiServer:
    """Serves the Runtime API to every open `Channel`, one port each."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._channels: dict[int, Channel] = {}
        self._sites: dict[int, web.SockSite] = {}
        app = web.Application(client_max_size=MAX_RESPONSE_BYTES + 1)
        app.router.add_get(f"{PREFIX}/invocation/next", self._next)
        app.router.add_post(f"{PREFIX}/invocation/{{request_id}}/response", self._response)
        app.router.add_post(f"{PREFIX}/invocation/{{request_id}}/error", self._error)
        app.router.add_post(f"{PREFIX}/init/error", self._init_error)
        # No access log: a line per request is most of the cost of a warm invocation.
        # Handler cancellation: a runtime that drops its /next connection stops waiting for
        # an invocation, so none is handed to a connection nobody reads.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=0.0, handler_cancellation=True)
        self._started = False

    async def start(self) -> None:
        if not self._started:
            await self._runner.setup()
            self._started = True

    async def open(self, channel: Channel) -> int:
        """Listen for ``channel`` on a port of its own; returns the port."""
        await self.start()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        port: int = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        self._channels[port] = channel
        self._sites[port] = site
        return port

    async def close_channel(self, port: int) -> None:
        """Stop listening for one environment (its open connections are dropped)."""
        self._channels.pop(port, None)
        site = self._sites.pop(port, None)
        if site is not None:
            await site.stop()

    async def aclose(self) -> None:
        for port in list(self._sites):
            await self.close_channel(port)
        if self._started:
            await self._runner.cleanup()
            self._started = False

    def _channel(self, request: web.Request) -> Channel:
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        channel = self._channels.get(sockname[1]) if sockname else None
        if channel is None:
            raise web.HTTPNotFound()
        return channel

    async def _next(self, request: web.Request) -> web.StreamResponse:
        channel = self._channel(request)
        try:
            job = await channel.next_invocation()
        except ApiError as exc:
            return _error(exc)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": job.request_id,
            "Lambda-Runtime-Deadline-Ms": str(job.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": job.function_arn,
            "Content-Type": "application/json",
        }
        if job.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = job.trace_id
        if job.client_context:
            headers["Lambda-Runtime-Client-Context"] = job.client_context
        if job.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = job.cognito_identity
        return web.Response(status=200, body=job.payload, headers=headers)

    async def _response(self, request: web.Request) -> web.StreamResponse:
        channel = self._channel(request)
        request_id = request.match_info["request_id"]
        body = await _read_limited(request)
        try:
            if body is None:
                channel.response_too_large(request_id)
                raise ApiError.too_large()
            channel.invocation_response(request_id, body)
        except ApiError as exc:
            return _error(exc)
        return _accepted()

    async def _error(self, request: web.Request) -> web.StreamResponse:
        channel = self._channel(request)
        try:
            body = await request.read()
            channel.invocation_error(request.match_info["request_id"], body,
                                     request.headers.get("Lambda-Runtime-Function-Error-Type"))
        except ApiError as exc:
            return _error(exc)
        return _accepted()

    async def _init_error(self, request: web.Request) -> web.StreamResponse:
        channel = self._channel(request)
        try:
            body = await request.read()
            channel.init_error(body, request.headers.get("Lambda-Runtime-Function-Error-Type"))
        except ApiError as exc:
            return _error(exc)
        return _accepted()
