"""The deadlines of running jobs, watched by one loop timer per timeout instead of one per job.

A loop timer per invocation costs a `TimerHandle`, a push on the loop's heap and, since nearly
every invocation finishes before its deadline, a cancelled handle the heap carries until its
time comes: at thousands of invocations a second that was a sixth of the engine's time. Jobs
of one function timeout start in deadline order, so each timeout gets a *lane*: an insertion-
ordered dict of its jobs (removal on settle is O(1)) and a single timer for the oldest one.
A job whose deadline would break its lane's order (a stepped wall clock, a hand-made request)
gets a timer of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Deadlines"]


@dataclass(slots=True)
class _Lane:
    jobs: dict[Any, float] = field(default_factory=dict)
    """Job -> deadline (epoch seconds), in deadline order."""
    last: float = 0.0
    timer: asyncio.TimerHandle | None = None


class Deadlines:
    """Calls ``expire(job)`` on the loop when a watched job's deadline passes."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expire: Callable[[Any], None]) -> None:
        self._loop = loop
        self._expire = expire
        self._lanes: dict[int, _Lane] = {}
        self._alone: dict[Any, asyncio.TimerHandle] = {}

    def watch(self, job: Any, lane_key: int, deadline: float) -> None:
        """Watch `job` until `deadline` (epoch seconds); `lane_key` groups jobs whose
        deadlines arrive in order (the function's timeout)."""
        lane = self._lanes.get(lane_key)
        if lane is None:
            lane = self._lanes[lane_key] = _Lane()
        if deadline < lane.last:
            self._alone[job] = self._loop.call_later(
                max(0.0, deadline - time.time()), self._expire_alone, job
            )
            return
        lane.last = deadline
        lane.jobs[job] = deadline
        if lane.timer is None:
            lane.timer = self._loop.call_later(max(0.0, deadline - time.time()), self._fire,
                                               lane)

    def forget(self, job: Any, lane_key: int) -> None:
        """Stop watching `job` (it settled)."""
        lane = self._lanes.get(lane_key)
        if lane is not None and lane.jobs.pop(job, None) is not None:
            return
        timer = self._alone.pop(job, None)
        if timer is not None:
            timer.cancel()

    def _expire_alone(self, job: Any) -> None:
        self._alone.pop(job, None)
        self._expire(job)

    def _fire(self, lane: _Lane) -> None:
        lane.timer = None
        jobs = lane.jobs
        now = time.time()
        while jobs:
            job, deadline = next(iter(jobs.items()))
            if deadline > now:
                lane.timer = self._loop.call_later(deadline - now, self._fire, lane)
                return
            del jobs[job]
            self._expire(job)
