"""The simulator keeps the garbage collector off the objects alive when it starts."""

from __future__ import annotations

import gc

from eventsim import heap


def test_objects_alive_at_the_first_freeze_leave_the_collector_once_per_process() -> None:
    heap.freeze_long_lived()  # a no-op if a simulator already did it in this process
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules, classes and functions imported by now
    kept = [[] for _ in range(100)]  # tracked objects a second freeze would take
    heap.freeze_long_lived()
    assert gc.get_freeze_count() == frozen  # a second call freezes nothing more
    del kept
