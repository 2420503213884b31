"""Moving a simulator's virtual clock from a test.

`advance` moves time, lets everything that fell due run, and returns once the simulator is
idle again *without* jumping to later timers (which `settle` would do). So a test can check
what has and has not happened yet at a given moment: a batching window still open, a retry
not yet due.
"""

from __future__ import annotations

import asyncio

from eventsim.clock import VirtualClock
from eventsim.simulator import SettleTimeout, Simulator

__all__ = ["advance", "advance_to_next", "pending", "run_until_idle", "virtual_clock"]

_QUIET_TURNS = 3
"""Loop turns with nothing in flight before calling the simulator idle: a task woken by a
timer needs a turn or two to start its work."""


def virtual_clock(sim: Simulator) -> VirtualClock:
    """The simulator's clock, which must be virtual."""
    if not isinstance(sim.clock, VirtualClock):
        raise RuntimeError(
            "this simulator runs on the real clock; use the eventsim_clock fixture, "
            "@pytest.mark.eventsim(clock='virtual') or --eventsim-clock virtual"
        )
    return sim.clock


async def run_until_idle(sim: Simulator, timeout: float | None = None) -> None:
    """Wait (in real time, up to `timeout`) until nothing is in flight, leaving timers be."""
    limit = sim.config.settle_timeout if timeout is None else timeout
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    quiet = 0
    while quiet < _QUIET_TURNS:
        remaining = deadline - loop.time()
        if remaining <= 0:
            busy = ", ".join(f"{who} ({n})" for who, n in sim.activity.busy().items())
            raise SettleTimeout(f"not idle after {limit:g} s; still busy: {busy or 'nothing?'}")
        if sim.activity.idle:
            quiet += 1
            await asyncio.sleep(0)
            continue
        quiet = 0
        try:
            await asyncio.wait_for(sim.activity.wait_idle(), remaining)
        except TimeoutError:
            continue


async def advance(sim: Simulator, seconds: float) -> float:
    """Move the virtual clock `seconds` on, run what fell due, and return the new time."""
    clock = virtual_clock(sim)
    await run_until_idle(sim)  # what is running now happens before the jump
    clock.advance(seconds)
    await run_until_idle(sim)
    return clock.time()


async def advance_to_next(sim: Simulator) -> float | None:
    """Jump to the next pending timer, run what fell due; the new time, or None when no timer
    was pending."""
    clock = virtual_clock(sim)
    await run_until_idle(sim)
    if not clock.advance_to_next():
        return None
    await run_until_idle(sim)
    return clock.time()


def pending(sim: Simulator) -> float | None:
    """Seconds until the next pending timer (a retry, a batching window), or None."""
    clock = virtual_clock(sim)
    due = clock.next_work_deadline()
    return None if due is None else max(0.0, due - clock.time())
