"""`ThreadedSimulator`: a simulator and its gateway on a private event loop in a background
thread, with blocking access for plain ``def test_...`` code.

boto3 is synchronous: a boto3 call made on the thread that runs the simulator's event loop
blocks the very loop that must answer it. So the `Server` (simulator + gateway) runs on its own
loop in its own thread, as moto's ThreadedMotoServer does; test code calls the same service
methods through `BlockingProxy` handles, or awaits them through `aio` from an async test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import boto3  # type: ignore[import-untyped]
import botocore.config  # type: ignore[import-untyped]

from eventsim.config import SimulatorConfig
from eventsim.simulator import Simulator
from eventsim.testing import checks, clock, scenarios, traces
from eventsim.testing.functions import CallableFunctions, Handler, define_function
from eventsim.testing.proxies import BlockingProxy, ServiceHandles

if TYPE_CHECKING:
    from eventsim.scenario import Scenario
    from eventsim.scenario.expectations import ExpectationResult
    from eventsim.server import Server
    from eventsim.services.lambda_.invocations import AsyncOutcome, InvocationRecord
    from eventsim.services.lambda_.models import FunctionConfig
    from eventsim.testing.aio import AsyncSimulator
    from eventsim.traces import Trace

__all__ = ["ClockControl", "ThreadedSimulator", "boto3_client"]

T = TypeVar("T")

_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
_UNIQUE = itertools.count(1)


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


class ClockControl:
    """The simulator's virtual clock, driven from a test (see `eventsim.testing.clock`)."""

    def __init__(self, owner: ThreadedSimulator) -> None:
        self._owner = owner

    def time(self) -> float:
        """The simulated time, in epoch seconds."""
        return clock.virtual_clock(self._owner.sim).time()

    def advance(self, seconds: float) -> float:
        """Move time on, run what fell due until idle (later timers stay); the new time."""
        return self._owner.run(clock.advance(self._owner.sim, seconds))

    def advance_to_next(self) -> float | None:
        """Jump to the next pending timer and run what fell due; None when none was pending."""
        return self._owner.run(clock.advance_to_next(self._owner.sim))

    def pending(self) -> float | None:
        """Seconds until the next pending timer (a retry, a batching window), or None."""
        return self._owner.run(_call(clock.pending, self._owner.sim))


async def _call(fn: Callable[..., T], *args: Any) -> T:
    """Run a plain function on the simulator's loop (its state belongs to that thread)."""
    return fn(*args)


class ThreadedSimulator(ServiceHandles):
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
        self._server: Server | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._clients: dict[str, Any] = {}
        self.callables = CallableFunctions()
        """Python callables defined as functions here (removed when the simulator stops)."""
        self.since = 0
        """The invocation sequence number the ``assert_*`` helpers count from."""
        self.url = ""
        self.sim: Simulator
        self.scenario: Scenario | None = None
        """The scenario loaded with `load_scenario` (or the ``eventsim_scenario`` marker)."""

    def __enter__(self) -> ThreadedSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- lifecycle ------------------------------------------------------------------------------

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
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self.callables.close()

    def reset(self) -> None:
        """Start over with an empty simulator behind the same URL: every resource, function,
        message and invocation record is gone; boto3 clients made before keep working."""
        self.run(self._restart())
        self.callables.close()
        self.since = 0
        self.scenario = None

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _open(self, port: int) -> None:
        from eventsim.server import Server

        server = Server(self.config, host=self._host, port=port)
        await server.start()
        self._server = server
        self.sim = server.sim
        self.url = server.url
        self._port = server.port

    async def _restart(self) -> None:
        assert self._server is not None
        await self._server.aclose()
        self._server = None
        await self._open(self._port)  # the port just freed: same URL for existing clients

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        try:
            await self._open(self._port)
            self._loop = asyncio.get_running_loop()
            self._ready.set()
            await self._stop.wait()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            if not isinstance(exc, Exception):
                raise
        finally:
            if self._server is not None:
                await self._server.aclose()

    # -- running things on the simulator's loop -------------------------------------------------

    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run a coroutine on the simulator's loop and wait for its result."""
        return self._submit(coro).result(timeout)

    def arun(self, coro: Awaitable[T]) -> Awaitable[T]:
        """Run a coroutine on the simulator's loop; await the result on the caller's loop."""
        return asyncio.wrap_future(self._submit(coro))

    def _submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        if self._loop is None:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise RuntimeError("The simulator is not running.")

        async def wrapper() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop)

    def settle(self, timeout: float | None = None) -> None:
        """Block until the simulator has no work left (see `Simulator.settle`)."""
        self.run(self.sim.settle(timeout))

    # -- clients and handles --------------------------------------------------------------------

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client pointed at this simulator's gateway. Without arguments, one client
        per service is made on first use and shared."""
        if kwargs:
            return boto3_client(service, self.url, self.config.region, **kwargs)
        made = self._clients.get(service)
        if made is None:
            made = self._clients[service] = boto3_client(service, self.url, self.config.region)
        return made

    def _proxy(self, target: Any) -> Any:
        return BlockingProxy(target, self.run)

    @property
    def clock(self) -> Any:
        """The simulator's `Clock` object itself (see `virtual_clock` to drive it)."""
        return self.sim.clock

    @property
    def virtual_clock(self) -> ClockControl:
        """Drive the virtual clock: ``advance(seconds)``, ``advance_to_next()``, ``pending()``."""
        clock.virtual_clock(self.sim)  # fail now, with the fix, on a real clock
        return ClockControl(self)

    @property
    def aio(self) -> AsyncSimulator:
        """The same simulator for ``async def`` tests: every method awaitable."""
        from eventsim.testing.aio import AsyncSimulator

        return AsyncSimulator(self)

    # -- test helpers ---------------------------------------------------------------------------

    def define_function(
        self, name: str, handler: str | Handler, *, code: str | Path | None = None,
        **settings: Any,
    ) -> FunctionConfig:
        """Define a function from ``"module.function"`` in directory `code`, or from a Python
        callable ``(event, context)``; `settings` are `create_function`'s (``timeout``,
        ``environment``, ``on_failure``, ``maximum_retry_attempts``, ``replace`` ...)."""
        return self.run(define_function(self.sim, self.callables, name, handler, code=code,
                                        **settings))

    def begin_test(self) -> None:
        """From now on, the ``assert_*`` helpers only count invocations made after this call
        (what `eventsim_shared` does before each test)."""
        self.since = self.run(checks.last_seq(self.sim))

    def unique(self, name: str) -> str:
        """`name` with a suffix no other call returns: resource names that cannot collide
        between tests sharing one simulator."""
        return f"{name}-{next(_UNIQUE)}"

    def assert_invoked(
        self, function: str, *, count: int | None = None, status: str | None = None,
        event: checks.EventMatcher | None = None,
    ) -> list[InvocationRecord]:
        """Assert the function ran `count` times (default: at least once) with `status` and an
        event matching `event` (a pattern dict or a predicate); returns those invocations."""
        return self.run(checks.check_invocations(
            self.sim, function, count=count, status=status, event=event, since=self.since))

    def assert_not_invoked(self, function: str) -> None:
        """Assert the function never ran."""
        self.assert_invoked(function, count=0)

    def queue_messages(self, queue: str) -> list[Any]:
        """Every message body in a queue (decoded from JSON when it is JSON), oldest first,
        without receiving them."""
        return self.run(checks.read_queue(self.sim, queue))

    def assert_queue(
        self, queue: str, *, count: int | None = None, body_contains: str | None = None,
        body: checks.EventMatcher | None = None,
    ) -> list[Any]:
        """Assert a queue (a DLQ, an on-failure destination, any queue) holds `count` messages
        (default: at least one) matching `body` / `body_contains`; returns their bodies."""
        return self.run(checks.check_queue(
            self.sim, queue, count=count, body_contains=body_contains, body=body))

    def assert_outcomes(
        self, function: str, *, condition: str | None = None, count: int | None = None,
    ) -> list[AsyncOutcome]:
        """Assert where the function's asynchronous events ended (``RetriesExhausted``,
        ``EventAgeExceeded``, ``Success``): `count` of them (default: at least one)."""
        return self.run(checks.check_outcomes(
            self.sim, function, condition=condition, count=count))

    def trace(self, start: traces.TraceStart) -> Trace:
        """The causal trace of an invocation (its record or request id) or of a trace id."""
        return self.run(traces.find_trace(self.sim, start))

    def assert_trace(
        self, start: traces.TraceStart, *, functions: Sequence[str] | None = None,
        depth: int | None = None, writes: Sequence[str] | None = None,
        statuses: dict[str, str] | None = None,
    ) -> Trace:
        """Assert on the trace of `start` (an invocation's record or request id, or a trace
        id): the `functions` invoked along it in order, its `depth` of invocations, `writes`
        handlers made, final `statuses` per function. A failure draws the trace."""
        return self.run(traces.check_trace(self.sim, start, functions=functions, depth=depth,
                                           writes=writes, statuses=statuses))

    def load_scenario(self, path: str | Path, *, steps: bool = False) -> Scenario:
        """Create a scenario file's resources and functions here (and run its steps when
        `steps`), through the scenario loader; `check_scenario` checks its ``expect:`` list."""
        self.scenario = self.run(scenarios.load_into(self.sim, path, steps=steps))
        return self.scenario

    def check_scenario(self) -> list[ExpectationResult]:
        """Check the loaded scenario's expectations; AssertionError lists them when one fails."""
        if self.scenario is None:
            raise RuntimeError("no scenario loaded: call load_scenario() first")
        return self.run(scenarios.check_scenario(self.sim, self.scenario, since=self.since))
