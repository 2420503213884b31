"""Keeping the cyclic garbage collector off the objects that live as long as the process, and
from collecting the youngest objects every few events.

By the time a simulator starts, the process holds some 75,000 objects that the garbage
collector tracks and that will never be garbage: the modules, classes and functions of
eventsim, aiohttp, botocore and the rest. Every full collection walks all of them again. A busy
simulator (a burst of 500 puts keeps 500 coroutines and their events alive across younger
collections) triggers a full collection every few thousand events, and on the machines this is
built on each one took 60 ms: 15% of the Python API's time in `bench/push.py`.

`gc.freeze` moves the objects alive now into a generation the collector never walks. It is done
once per process, after a full collection, so no garbage is frozen with them; objects frozen and
freed later by reference counting are freed as usual (only a reference cycle among them would
outlive its last reference).

The youngest generation is collected, by CPython's default, after every 700 allocations of
tracked objects. A busy simulator allocates a few dozen per event and keeps some 10,000 alive in
flight (a burst of puts, their coroutines, events and invocations), so each young collection
walks mostly objects still in use, every two dozen events, and pushes them into the older
generations, whose collections then walk them again. In `bench/push.py`'s API run (20,000
events), collections took about 190 ms; with the youngest generation at 25,000, about 40 ms,
and the run was about 7% faster (four alternating rounds; 10,000 gave 110 ms and 6%). Only
CPython's default thresholds are raised, once per process: an application that has set its own
keeps them, and a collector turned off stays off. Only reference cycles wait longer to be freed
(other objects go when their last reference does).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "freeze_long_lived", "raise_young_threshold"]

_frozen = False

_CPYTHON_DEFAULT = (700, 10, 10)
"""The collector's thresholds when nobody has changed them (CPython 3.11 and 3.12)."""

YOUNG_THRESHOLD = 25_000
"""Allocations between collections of the youngest generation, once raised."""


def freeze_long_lived() -> None:
    """Collect once, then exempt every object alive now from future collections (once per
    process: later calls do nothing)."""
    global _frozen
    if _frozen or not gc.isenabled():
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def raise_young_threshold() -> None:
    """Collect the youngest generation after `YOUNG_THRESHOLD` allocations instead of 700,
    unless the thresholds are not CPython's defaults (the application chose its own) or the
    collector is off."""
    if gc.isenabled() and gc.get_threshold() == _CPYTHON_DEFAULT:
        gc.set_threshold(YOUNG_THRESHOLD, *_CPYTHON_DEFAULT[1:])
