"""`AsyncSimulator`: a `ThreadedSimulator` for ``async def`` tests.

The simulator keeps running on its own loop thread; every call here is scheduled there and
awaited on the test's loop, so it works under any pytest-asyncio loop scope, and a blocking
boto3 call made from the async test still gets its answer (it blocks the test's loop, not the
simulator's).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsim.testing import checks, clock, scenarios, traces
from eventsim.testing.functions import Handler, define_function
from eventsim.testing.proxies import AsyncProxy, ServiceHandles

if TYPE_CHECKING:
    from eventsim.scenario import Scenario
    from eventsim.scenario.expectations import ExpectationResult
    from eventsim.services.lambda_.invocations import AsyncOutcome, InvocationRecord
    from eventsim.services.lambda_.models import FunctionConfig
    from eventsim.simulator import Simulator
    from eventsim.testing.threaded import ThreadedSimulator
    from eventsim.traces import Trace

__all__ = ["AsyncClockControl", "AsyncSimulator"]


class AsyncClockControl:
    """The virtual clock, driven from an async test (see `eventsim.testing.clock`)."""

    def __init__(self, owner: ThreadedSimulator) -> None:
        self._owner = owner

    def time(self) -> float:
        """The simulated time, in epoch seconds."""
        return clock.virtual_clock(self._owner.sim).time()

    async def advance(self, seconds: float) -> float:
        """Move time on, run what fell due until idle (later timers stay); the new time."""
        return await self._owner.arun(clock.advance(self._owner.sim, seconds))

    async def advance_to_next(self) -> float | None:
        """Jump to the next pending timer and run what fell due; None when none was pending."""
        return await self._owner.arun(clock.advance_to_next(self._owner.sim))

    def pending(self) -> float | None:
        """Seconds until the next pending timer, or None."""
        return clock.pending(self._owner.sim)


class AsyncSimulator(ServiceHandles):
    """Awaitable access to a running `ThreadedSimulator` (its ``aio`` attribute)."""

    def __init__(self, threaded: ThreadedSimulator) -> None:
        self.threaded = threaded

    @property
    def url(self) -> str:
        """The gateway's URL (what ``AWS_ENDPOINT_URL`` is for handlers)."""
        return self.threaded.url

    @property
    def sim(self) -> Simulator:
        """The `Simulator` itself (it lives on another loop: call it through the handles)."""
        return self.threaded.sim

    @property
    def scenario(self) -> Scenario | None:
        return self.threaded.scenario

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for the gateway (blocking: wrap calls in ``asyncio.to_thread`` to
        keep the test's own loop turning)."""
        return self.threaded.client(service, **kwargs)

    def _proxy(self, target: Any) -> Any:
        return AsyncProxy(target, self.threaded.arun)

    @property
    def virtual_clock(self) -> AsyncClockControl:
        clock.virtual_clock(self.sim)
        return AsyncClockControl(self.threaded)

    async def settle(self, timeout: float | None = None) -> None:
        """Return once the simulator has no work left (see `Simulator.settle`)."""
        await self.threaded.arun(self.sim.settle(timeout))

    async def define_function(
        self, name: str, handler: str | Handler, *, code: str | Path | None = None,
        **settings: Any,
    ) -> FunctionConfig:
        """As `ThreadedSimulator.define_function`."""
        return await self.threaded.arun(define_function(
            self.sim, self.threaded.callables, name, handler, code=code, **settings))

    async def assert_invoked(
        self, function: str, *, count: int | None = None, status: str | None = None,
        event: checks.EventMatcher | None = None,
    ) -> list[InvocationRecord]:
        """As `ThreadedSimulator.assert_invoked`."""
        return await self.threaded.arun(checks.check_invocations(
            self.sim, function, count=count, status=status, event=event,
            since=self.threaded.since))

    async def assert_not_invoked(self, function: str) -> None:
        await self.assert_invoked(function, count=0)

    async def queue_messages(self, queue: str) -> list[Any]:
        """As `ThreadedSimulator.queue_messages`."""
        return await self.threaded.arun(checks.read_queue(self.sim, queue))

    async def assert_queue(
        self, queue: str, *, count: int | None = None, body_contains: str | None = None,
        body: checks.EventMatcher | None = None,
    ) -> list[Any]:
        """As `ThreadedSimulator.assert_queue`."""
        return await self.threaded.arun(checks.check_queue(
            self.sim, queue, count=count, body_contains=body_contains, body=body))

    async def assert_outcomes(
        self, function: str, *, condition: str | None = None, count: int | None = None,
    ) -> list[AsyncOutcome]:
        """As `ThreadedSimulator.assert_outcomes`."""
        return await self.threaded.arun(checks.check_outcomes(
            self.sim, function, condition=condition, count=count))

    async def trace(self, start: traces.TraceStart) -> Trace:
        """As `ThreadedSimulator.trace`."""
        return await self.threaded.arun(traces.find_trace(self.sim, start))

    async def assert_trace(
        self, start: traces.TraceStart, *, functions: Sequence[str] | None = None,
        depth: int | None = None, writes: Sequence[str] | None = None,
        statuses: dict[str, str] | None = None,
    ) -> Trace:
        """As `ThreadedSimulator.assert_trace`."""
        return await self.threaded.arun(traces.check_trace(
            self.sim, start, functions=functions, depth=depth, writes=writes,
            statuses=statuses))

    async def load_scenario(self, path: str | Path, *, steps: bool = False) -> Scenario:
        """As `ThreadedSimulator.load_scenario`."""
        scenario = await self.threaded.arun(scenarios.load_into(self.sim, path, steps=steps))
        self.threaded.scenario = scenario
        return scenario

    async def check_scenario(self) -> list[ExpectationResult]:
        """As `ThreadedSimulator.check_scenario`."""
        scenario = self.threaded.scenario
        if scenario is None:
            raise RuntimeError("no scenario loaded: call load_scenario() first")
        return await self.threaded.arun(scenarios.check_scenario(
            self.sim, scenario, since=self.threaded.since))
