"""Quiescence: knowing when the engine has nothing left to do.

Every engine component that takes on work calls `begin()` before it lets go of the thing that
woke it, and `end()` when that work is finished. A hand-off (the dispatcher waking the invoke
queue) begins the next piece before ending its own, so the count only reaches zero when no
work is in flight anywhere.
"""

from __future__ import annotations

import asyncio
from collections import Counter

__all__ = ["Activity"]


class Activity:
    """A count of work in flight, by component name, with events for idle and busy."""

    def __init__(self) -> None:
        self._count: Counter[str] = Counter()
        self._total = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._changed = asyncio.Event()

    def begin(self, who: str) -> None:
        """Note that `who` has work in flight."""
        self._count[who] += 1
        self._total += 1
        self._idle.clear()
        self._changed.set()

    def end(self, who: str) -> None:
        """Note that one piece of `who`'s work is done."""
        if self._count[who] <= 0:
            raise RuntimeError(f"activity.end({who!r}) without begin()")
        self._count[who] -= 1
        self._total -= 1
        if self._total == 0:
            self._idle.set()
        self._changed.set()

    @property
    def idle(self) -> bool:
        return self._total == 0

    async def wait_idle(self) -> None:
        """Return once nothing is in flight."""
        await self._idle.wait()

    async def wait_change(self) -> None:
        """Return at the next begin() or end()."""
        self._changed.clear()
        await self._changed.wait()

    def busy(self) -> dict[str, int]:
        """Who has work in flight (for a settle() timeout message)."""
        return {who: n for who, n in self._count.items() if n}
