"""Identifiers: request ids, trace ids, span ids.

They need to be unique, not secret. `os.urandom` is a system call, and on a busy event loop
every system call is a chance to lose the GIL to a worker thread for a whole switch interval,
so ids come from a PRNG seeded once from the OS.
"""

from __future__ import annotations

import os
import random

__all__ = ["new_uuid", "random_bytes", "random_hex"]

_random = random.Random(os.urandom(32))


def random_hex(digits: int, upper: bool = False) -> str:
    """`digits` random hex digits, lowercase unless `upper`."""
    if upper:
        return f"{_random.getrandbits(digits * 4):0{digits}X}"
    return f"{_random.getrandbits(digits * 4):0{digits}x}"


def random_bytes(count: int) -> bytes:
    """`count` random bytes (for ids that are encoded otherwise than in hex)."""
    # What `Random.randbytes` does, without its Python frame.
    return _random.getrandbits(count * 8).to_bytes(count, "little")


def new_uuid() -> str:
    """A random (version 4) UUID string, as Lambda uses for request ids."""
    value = _random.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
