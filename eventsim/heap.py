"""Keeping the cyclic garbage collector off the objects that live as long as the process.

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
"""

from __future__ import annotations

import gc

__all__ = ["freeze_long_lived"]

_frozen = False


def freeze_long_lived() -> None:
    """Collect once, then exempt every object alive now from future collections (once per
    process: later calls do nothing)."""
    global _frozen
    if _frozen or not gc.isenabled():
        return
    _frozen = True
    gc.collect()
    gc.freeze()
