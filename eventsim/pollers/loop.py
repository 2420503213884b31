"""The loop every poller runs: look, then wait on the clock, keeping `Activity` honest.

A poller holds one activity token ("poller") while it looks or works, and none while it waits:
an idle wait is a daemon timer (it never keeps `Simulator.settle()` from returning), a wait
that holds work (a batching window, a retry back-off, a message's visibility timeout) is a work
timer (settle waits for it, and a virtual clock jumps to it). `wake()` begins the token at once,
so a write that woke a poller and the poller's look never leave a gap that settle could see.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from typing import TypeVar

from eventsim.activity import Activity
from eventsim.clock import Clock

__all__ = ["PollLoop", "Wait"]

LOG = logging.getLogger(__name__)

Wait = tuple[float, bool] | None
"""What a step asks for: None to stop, or (seconds to wait, whether the wait is idle)."""
_WHO = "poller"
T = TypeVar("T")


class PollLoop(ABC):
    """A background task running `_step()` until it asks to stop."""

    def __init__(self, clock: Clock, activity: Activity, name: str) -> None:
        self._clock = clock
        self._activity = activity
        self._name = name
        self._event = asyncio.Event()
        self._awake = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        # A fresh context: a poller started while serving a request (CreateEventSourceMapping
        # through the gateway) must not carry that request's trace into its invocations.
        self.task = asyncio.create_task(self._run(), name=f"eventsim-{self._name}",
                                        context=contextvars.Context())
        self.wake()

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def wake(self) -> None:
        """Look again now (a stopped poller ignores it: its activity would never end)."""
        if not self.running:
            return
        if not self._awake:
            self._awake = True
            self._activity.begin(_WHO)
        self._event.set()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    @abstractmethod
    async def _step(self) -> Wait:
        """One look: None to stop, else (seconds to wait, daemon?)."""

    async def _run(self) -> None:
        activity, clock = self._activity, self._clock
        try:
            while True:
                if not self._awake:
                    self._awake = True
                    activity.begin(_WHO)
                self._event.clear()
                try:
                    wait = await self._step()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    LOG.exception("%s failed; retrying in 1 s", self._name)
                    wait = (1.0, False)
                if wait is None:
                    return
                delay, daemon = wait
                if delay <= 0 or self._event.is_set():
                    continue
                self._awake = False
                activity.end(_WHO)
                await clock.wait(self._event, delay, daemon=daemon)
        finally:
            if self._awake:
                self._awake = False
                activity.end(_WHO)

    async def _pause(self, seconds: float) -> None:
        """Wait holding work, inside a step: the token goes, a work timer stays."""
        await self._without_token(self._clock.sleep(seconds))

    async def _without_token(self, work: Awaitable[T]) -> T:
        """Await `work` (which keeps its own activity) without holding this loop's token, so
        settle() can see the engine idle and move a virtual clock meanwhile."""
        if self._awake:
            self._awake = False
            self._activity.end(_WHO)
        try:
            return await work
        finally:
            if not self._awake:  # a wake() meanwhile took it already
                self._awake = True
                self._activity.begin(_WHO)
