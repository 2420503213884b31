"""Helpers for tests that drive eventsim: public and documented.

boto3 is synchronous: a boto3 call made on the thread that runs the simulator's event loop
blocks the very loop that must answer it. `ThreadedSimulator` therefore runs a `Server`
(simulator + gateway) on its own loop in a background thread, as moto's ThreadedMotoServer
does, and offers blocking access to the same service methods:

    with ThreadedSimulator() as sim:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="uploads")
        sim.settle()
        assert sim.invocations.list(function="make-thumbnail")[0].status == "Success"
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped]
import botocore.config  # type: ignore[import-untyped]

from eventsim.config import SimulatorConfig
from eventsim.simulator import Simulator

__all__ = ["BlockingProxy", "ThreadedSimulator", "boto3_client"]

T = TypeVar("T")

_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def boto3_client(service: str, endpoint_url: str, region: str = "us-east-1", **kwargs: Any) -> Any:
    """A boto3 client for `service` pointed at an eventsim endpoint."""
    config = kwargs.pop("config", None) or botocore.config.Config(
        retries={"max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path"},
    )
    return boto3.client(
        service, endpoint_url=endpoint_url, region_name=region, config=config,
        **{**_CREDENTIALS, **kwargs},
    )


class BlockingProxy:
    """Calls an object's async methods from another thread and waits for the result."""

    def __init__(self, target: Any, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if asyncio.iscoroutine(result):
                return self._run(result)
            return result

        return call


class ThreadedSimulator:
    """A simulator with its gateway, on a private event loop in a background thread."""

    def __init__(
        self, config: SimulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SimulatorConfig()
        self._host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.url = ""
        self.sim: Simulator

    def __enter__(self) -> ThreadedSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the server thread and return once it answers requests."""
        if self._thread is not None:
            raise RuntimeError("Cannot start a ThreadedSimulator more than once.")
        self._thread = threading.Thread(target=self._main, name="eventsim-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        """Stop the server and its simulator. Stopping twice is harmless."""
        if self._loop is None or self._stop is None or self._thread is None:
            return
        loop, stop = self._loop, self._stop
        self._loop = None
        loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=30)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        from eventsim.server import Server

        self._stop = asyncio.Event()
        try:
            async with Server(self.config, host=self._host, port=self._port) as server:
                self.sim = server.sim
                self.url = server.url
                self._loop = asyncio.get_running_loop()
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            if not isinstance(exc, Exception):
                raise

    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run a coroutine on the simulator's loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("The simulator is not running.")

        async def wrapper() -> T:
            return await coro

        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            wrapper(), self._loop
        )
        return future.result(timeout)

    def settle(self, timeout: float | None = None) -> None:
        """Block until the simulator has no work left (see `Simulator.settle`)."""
        self.run(self.sim.settle(timeout))

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client pointed at this simulator's gateway."""
        return boto3_client(service, self.url, self.config.region, **kwargs)

    @property
    def s3(self) -> Any:
        """Blocking access to `Simulator.s3`."""
        return BlockingProxy(self.sim.s3, self.run)

    @property
    def sqs(self) -> Any:
        """Blocking access to `Simulator.sqs`."""
        return BlockingProxy(self.sim.sqs, self.run)

    @property
    def sns(self) -> Any:
        """Blocking access to `Simulator.sns`."""
        return BlockingProxy(self.sim.sns, self.run)

    @property
    def kinesis(self) -> Any:
        """Blocking access to `Simulator.kinesis`."""
        return BlockingProxy(self.sim.kinesis, self.run)

    @property
    def dynamodb(self) -> Any:
        """Blocking access to `Simulator.dynamodb`."""
        return BlockingProxy(self.sim.dynamodb, self.run)

    @property
    def dynamodbstreams(self) -> Any:
        """Blocking access to `Simulator.dynamodbstreams`."""
        return BlockingProxy(self.sim.dynamodbstreams, self.run)

    @property
    def functions(self) -> Any:
        """Blocking access to `Simulator.functions`."""
        return BlockingProxy(self.sim.functions, self.run)

    @property
    def invocations(self) -> Any:
        """Blocking access to `Simulator.invocations`."""
        return BlockingProxy(self.sim.invocations, self.run)

    @property
    def clock(self) -> Any:
        return self.sim.clock
