"""The simulator keeps the garbage collector off the objects alive when it starts, and lets
the youngest generation grow before it is collected."""

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


def test_the_young_generation_waits_longer_only_when_nobody_chose_its_thresholds() -> None:
    saved, enabled = gc.get_threshold(), gc.isenabled()
    try:
        gc.set_threshold(700, 10, 10)  # CPython's defaults
        heap.raise_young_threshold()
        assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, 10, 10)
        gc.set_threshold(500, 5, 5)  # the application's own
        heap.raise_young_threshold()
        assert gc.get_threshold() == (500, 5, 5)
        gc.set_threshold(700, 10, 10)
        gc.disable()  # turned off: left alone
        heap.raise_young_threshold()
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*saved)
        if enabled:
            gc.enable()
