"""Time as the engine sees it.

Every delay in the engine (retry back-off, batching windows, event age, polling) goes through a
`Clock`, never through `asyncio.sleep` or `time.time` directly. Two kinds:

- `RealClock`: wall time; used by `eventsim serve`.
- `VirtualClock`: time stands still until `Simulator.settle()` finds the engine idle and jumps to
  the next timer, so "retry in two minutes" takes microseconds and a run is deterministic.
  Handler code itself always runs in real time.

Timers are *work* timers unless created with ``daemon=True``: a pending work timer (a scheduled
retry) means the simulator is not settled yet; a daemon timer (an idle poll) does not.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Clock", "RealClock", "VirtualClock"]


@dataclass(order=True)
class _Timer:
    deadline: float
    seq: int
    daemon: bool = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)


class Clock(ABC):
    """Where the engine reads the time and waits."""

    def __init__(self) -> None:
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    @abstractmethod
    def time(self) -> float:
        """Seconds since the epoch, as AWS would stamp an event."""

    def time_ms(self) -> int:
        """Milliseconds since the epoch."""
        return int(self.time() * 1000)

    async def sleep(self, seconds: float, *, daemon: bool = False) -> None:
        """Wait `seconds` of this clock's time."""
        await self.wait(None, seconds, daemon=daemon)

    async def wait(
        self, event: asyncio.Event | None, timeout: float | None, *, daemon: bool = False
    ) -> bool:
        """Wait until `event` is set or `timeout` seconds of clock time pass.

        Returns True when the event was set. ``timeout=None`` waits for the event only.
        """
        if event is not None and event.is_set():
            return True
        if timeout is None:
            assert event is not None, "wait() needs an event or a timeout"
            await event.wait()
            return True
        timer = self._add_timer(self.time() + max(0.0, timeout), daemon)
        try:
            if event is None:
                await timer.future
                return False
            waiter: asyncio.Future[Any] = asyncio.ensure_future(event.wait())
            try:
                await asyncio.wait({waiter, timer.future}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            return event.is_set()
        finally:
            self._remove_timer(timer)

    def next_work_deadline(self) -> float | None:
        """The earliest pending work timer, or None when only daemon timers (or none) wait.

        A timer that has fired but whose waiter has not run yet still counts: its work is
        about to start.
        """
        deadlines = [t.deadline for t in self._timers if not t.daemon and not t.future.cancelled()]
        return min(deadlines) if deadlines else None

    def _add_timer(self, deadline: float, daemon: bool) -> _Timer:
        future = asyncio.get_running_loop().create_future()
        timer = _Timer(deadline, next(self._seq), daemon, future)
        heapq.heappush(self._timers, timer)
        self._arm(timer)
        return timer

    def _remove_timer(self, timer: _Timer) -> None:
        if not timer.future.done():
            timer.future.cancel()
        try:
            self._timers.remove(timer)
        except ValueError:
            return
        heapq.heapify(self._timers)

    def _arm(self, timer: _Timer) -> None:  # noqa: B027 - a hook; the virtual clock keeps it
        """Make the timer fire by itself; the real clock does, the virtual clock waits."""


class RealClock(Clock):
    """Wall-clock time; timers fire on the event loop's own schedule."""

    def time(self) -> float:
        return time.time()

    def _arm(self, timer: _Timer) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, timer.deadline - self.time())

        def fire() -> None:
            if not timer.future.done():
                timer.future.set_result(None)

        loop.call_later(delay, fire)


class VirtualClock(Clock):
    """Time that moves only when told: `advance()` or `advance_to_next()`.

    It starts at `start` (default: the real time at creation, so timestamps look current).
    """

    def __init__(self, start: float | None = None) -> None:
        super().__init__()
        self._now = time.time() if start is None else start

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward and fire every timer that falls due."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._set(self._now + seconds)

    def advance_to_next(self) -> bool:
        """Jump to the earliest pending work timer and fire it. False when none waits."""
        deadline = self.next_work_deadline()
        if deadline is None:
            return False
        self._set(max(self._now, deadline))
        return True

    def _set(self, now: float) -> None:
        self._now = now
        for timer in list(self._timers):
            if timer.deadline <= now and not timer.future.done():
                timer.future.set_result(None)
