"""One port for everything: a simulator with its AWS gateway and the console under
``/_eventsim/``.

    async with Server(SimulatorConfig(), port=0) as server:
        boto3.client("s3", endpoint_url=server.url, ...)

The socket is bound and listening before the simulator starts, and the simulator knows the URL
(`Simulator.endpoint_url`, which handlers receive as ``AWS_ENDPOINT_URL``) before it can run an
invocation: a handler that calls back early waits in the listen backlog instead of being
refused. Closing stops the site first (no new requests), then the simulator.
"""

from __future__ import annotations

import enum
import logging
import socket
import warnings

from aiohttp import web

from eventsim.config import SimulatorConfig
from eventsim.console.app import make_console_app
from eventsim.console.safety import Safety
from eventsim.errors import SimulatorStateError
from eventsim.gateway import make_gateway_app
from eventsim.gateway.app import GATEWAY, serve_requests
from eventsim.simulator import Simulator

__all__ = ["Server"]

LOG = logging.getLogger(__name__)

_BACKLOG = 128
_SHUTDOWN_TIMEOUT = 5.0


class _Lifecycle(enum.Enum):
    UNOPENED = "unopened"
    STARTED = "started"
    CLOSED = "closed"


class Server:
    """A `Simulator` served over HTTP on one port (127.0.0.1 unless told otherwise)."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 4566,
        token: str | None = None,
        allowed_hosts: tuple[str, ...] = (),
    ) -> None:
        self.config = config or SimulatorConfig()
        self.host = host
        self.port = port
        """The port asked for; once started, the port bound (port 0 picks a free one)."""
        self.url = ""
        """``http://127.0.0.1:<port>`` once started."""
        self.token = token or None
        """When set, every request needs it (`eventsim.console.safety`); handlers get it as
        their access key id, so their own calls back pass."""
        self.allowed_hosts = allowed_hosts
        self.sim = Simulator(self.config)
        if self.token is not None:
            self.sim.access_key_id = self.token
        self._state = _Lifecycle.UNOPENED
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None

    async def __aenter__(self) -> Server:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Bind, start the simulator, then serve."""
        if self._state is not _Lifecycle.UNOPENED:
            raise SimulatorStateError("Cannot start a server more than once.")
        self._state = _Lifecycle.STARTED
        try:
            sock = self._sock = self._bind()
            self.sim.endpoint_url = self.url
            await self.sim.start()
            safety = Safety.for_server(self.host, self.port, self.token, self.allowed_hosts)
            app = make_gateway_app(self.sim, safety=safety)
            app.add_subapp("/_eventsim", make_console_app(self.sim, gateway=app[GATEWAY],
                                                          safety=safety))
            self._runner = web.AppRunner(
                app, access_log=None, auto_decompress=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
            )
            await self._runner.setup()
            server = self._runner.server
            assert server is not None
            server.request_handler = serve_requests(app, server.request_handler)
            await web.SockSite(self._runner, sock).start()
            self._sock = None  # the site owns it now
        except BaseException:
            await self.aclose()
            raise
        LOG.info("eventsim listening on %s", self.url)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(_BACKLOG)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        self.port = int(sock.getsockname()[1])
        if self.host in ("0.0.0.0", "::", ""):
            shown = "127.0.0.1"
        elif family == socket.AF_INET6:
            shown = f"[{self.host}]"
        else:
            shown = self.host
        self.url = f"http://{shown}:{self.port}"
        return sock

    async def aclose(self) -> None:
        """Stop serving, then stop the simulator. Closing twice is harmless."""
        if self._state is _Lifecycle.CLOSED:
            return
        self._state = _Lifecycle.CLOSED
        try:
            if self._runner is not None:
                await self._runner.cleanup()
            if self._sock is not None:
                self._sock.close()
        finally:
            await self.sim.aclose()

    def __del__(self) -> None:
        if getattr(self, "_state", None) is _Lifecycle.STARTED:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1)
