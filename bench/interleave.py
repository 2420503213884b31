"""Calls per second of several servers, measured in short interleaved blocks.

This machine's speed drifts by a quarter and more within minutes, and rounds of a few seconds
per server each meet a different machine: their ratio to the ceiling scattered from 68% to
107% within one run. Here each server in turn gets a block of calls (a tenth of a second or
so), the order rotating from block to block, so that every server meets the same drift; the
ratio of two servers is the median of their blocks' ratios, which a slow spell moves little.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["Interleaved", "interleave"]


@dataclass
class Interleaved:
    """One server's share of an interleaved run."""

    calls: int = 0
    seconds: float = 0.0
    blocks: list[float] = field(default_factory=list)
    """Calls per second of each block."""

    @property
    def rate(self) -> float:
        """Calls per second over the whole run."""
        return self.calls / self.seconds

    def ratio_to(self, ceiling: Interleaved) -> float:
        """The median of this server's block rates over the ceiling's, block by block."""
        return statistics.median(
            mine / theirs for mine, theirs in zip(self.blocks, ceiling.blocks, strict=True))


def interleave(
    calls: Mapping[str, Callable[[int], None]], count: int, block: int,
    finish: Mapping[str, Callable[[], None]] | None = None,
) -> dict[str, Interleaved]:
    """Make ``count`` calls ``call(i)`` to each server, ``block`` at a time in turn.

    ``finish[name]``, if given, runs after the server's last block and counts in its time
    (say, waiting until eventsim has handled the events the calls caused)."""
    results = {name: Interleaved() for name in calls}
    names = list(calls)
    clock = time.perf_counter
    for number, first in enumerate(range(0, count, block)):
        last = min(count, first + block)
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            call = calls[name]
            start = clock()
            for i in range(first, last):
                call(i)
            elapsed = clock() - start
            result = results[name]
            result.calls += last - first
            result.seconds += elapsed
            result.blocks.append((last - first) / elapsed)
    for name, done in (finish or {}).items():
        start = clock()
        done()
        results[name].seconds += clock() - start
    return results
