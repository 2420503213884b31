"""Driving a virtual clock from the console: advance it, or let it run with the wall clock.

A virtual clock stands still unless told (that is what makes a run deterministic): `settle()`
jumps it to the next due timer, and the console can move it. While *paused* (the state it
starts in) it moves only by `advance` or `settle`; *resumed*, it also follows real time, so
that a retry due in two seconds happens about two seconds later, as it would on AWS, yet can
still be jumped to at once with `advance`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from eventsim.clock import Clock, VirtualClock

__all__ = ["ClockControl", "NotVirtual"]

_TICK = 0.1
"""Real seconds between the steps of a resumed virtual clock."""


class NotVirtual(Exception):
    """The simulator runs on the real clock, which nobody can move."""


class ClockControl:
    """Pause, resume and advance a simulator's virtual clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._ticker: asyncio.Task[None] | None = None

    @property
    def virtual(self) -> bool:
        return isinstance(self.clock, VirtualClock)

    @property
    def paused(self) -> bool:
        """A virtual clock that does not follow real time (False for the real clock)."""
        return self.virtual and self._ticker is None

    def _virtual(self) -> VirtualClock:
        if not isinstance(self.clock, VirtualClock):
            raise NotVirtual(
                "The simulator runs on the real clock: only a virtual clock can be advanced, "
                "paused or resumed (start it with eventsim serve --clock virtual, or "
                "SimulatorConfig(clock=\"virtual\")).")
        return self.clock

    def advance(self, seconds: float) -> None:
        """Move virtual time forward now, firing every timer that falls due."""
        self._virtual().advance(seconds)

    def pause(self) -> None:
        """Stop following real time (idempotent)."""
        self._virtual()
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()

    def resume(self) -> None:
        """Follow real time from now on (idempotent)."""
        clock = self._virtual()
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(
                self._follow(clock), name="eventsim-console-clock")

    async def _follow(self, clock: VirtualClock) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(_TICK)  # real time is what it follows
            now = time.monotonic()
            clock.advance(now - last)
            last = now

    async def aclose(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
