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
    # %-formatting with the width as an argument: an f-string's nested ``{digits}`` builds a
    # format spec at every call, twice the cost (this runs several times per event).
    if upper:
        return "%0*X" % (digits, _random.getrandbits(digits * 4))  # noqa: UP031
    return "%0*x" % (digits, _random.getrandbits(digits * 4))  # noqa: UP031


def random_bytes(count: int) -> bytes:
    """`count` random bytes (for ids that are encoded otherwise than in hex)."""
    # What `Random.randbytes` does, without its Python frame.
    return _random.getrandbits(count * 8).to_bytes(count, "little")


def new_uuid() -> str:
    """A random (version 4) UUID string, as Lambda uses for request ids."""
    h = f"{_random.getrandbits(128) & _UUID_CLEAR | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~(0xF000 << 64) & ~(0xC000 << 48)
"""Clears the version nibble and the variant's two bits (masks made once: this runs for every
event)."""
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)
"""Version 4, RFC 4122 variant."""
