"""A background loop that sleeps on the clock and keeps the activity count honest."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from contextlib import suppress

from eventsim.activity import Activity
from eventsim.clock import Clock

__all__ = ["Worker"]

LOG = logging.getLogger(__name__)


class Worker(ABC):
    """Runs `step()` whenever woken or when the time it asked for comes.

    The worker holds one activity token from the moment it is woken (by `wake()` or by its
    timer) until it goes back to sleep, so `Simulator.settle()` never sees it idle while it
    still has something to look at.
    """

    name = "worker"
    daemon_timer = False
    """Whether the worker's timer is a daemon's (`Clock.wait`): `Simulator.settle` then
    neither waits for it nor jumps a virtual clock to it."""

    def __init__(self, clock: Clock, activity: Activity) -> None:
        self._clock = clock
        self._activity = activity
        self._event = asyncio.Event()
        self._awake = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.wake()  # look once at start: work may be left from before a restart
        self._task = asyncio.create_task(self._run(), name=f"eventsim-{self.name}")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._awake:
            self._awake = False
            self._activity.end(self.name)

    def wake(self) -> None:
        """There may be new work: look soon."""
        if not self._awake:
            self._awake = True
            self._activity.begin(self.name)
        self._event.set()

    @abstractmethod
    async def step(self) -> float | None:
        """Do what is due. Return the clock time of the next due work, or None to wait for a
        `wake()`."""

    async def _run(self) -> None:
        while True:
            if not self._awake:
                self._awake = True
                self._activity.begin(self.name)
            self._event.clear()
            try:
                next_due = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Our bug; keep delivering the rest rather than dying silently.
                LOG.exception("%s step failed; retrying in 1 s", self.name)
                next_due = self._clock.time() + 1.0
            if self._event.is_set():
                continue
            self._awake = False
            self._activity.end(self.name)
            timeout = None if next_due is None else max(0.0, next_due - self._clock.time())
            await self._clock.wait(self._event, timeout, daemon=self.daemon_timer)
