"""Sequence numbers: decimal strings that grow per shard and carry the shard and a timestamp.

The layout follows what AWS's own (version 2) numbers are observed to hold, written as 47 hex
digits and shown in decimal::

    2 | shard created (9 hex, epoch s) | shard index & 0xF (1) | counter (16) | 00
      | record arrival (9 hex, epoch s) | shard index (8) | 2

The leading ``2`` puts every number in ``[2**185, 3 * 2**184)``, so each has exactly 56 decimal
digits (``49...`` to ``73...``, like AWS's) and string order is integer order. Within one shard
the created time and index are fixed and the counter, above the arrival time, decides the order:
numbers grow with the counter even if the clock steps back. The counter of a shard's first
record is 1; counter 0 is the shard's StartingSequenceNumber, at or before every record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SequenceNumber", "decode", "encode", "shard_bits", "with_counter"]

_DECIMAL = re.compile(r"0|[1-9]\d{0,128}", re.ASCII)
_MASK_36 = (1 << 36) - 1


@dataclass(frozen=True, slots=True)
class SequenceNumber:
    """The fields one sequence number encodes."""

    shard_created: int
    """Epoch seconds at which the shard was created."""
    shard_index: int
    counter: int
    """Position of the record in its shard (1 for the first)."""
    arrival: int
    """Epoch seconds at which the record arrived."""


def encode(parts: SequenceNumber) -> str:
    """The decimal string for `parts`."""
    return with_counter(shard_bits(parts.shard_created, parts.shard_index), parts.counter,
                        parts.arrival)


def shard_bits(shard_created: int, shard_index: int) -> int:
    """The part of every sequence number of one shard that never changes."""
    return (
        2 << 184
        | (shard_created & _MASK_36) << 148
        | (shard_index & 0xF) << 144
        | (shard_index & 0xFFFFFFFF) << 4
        | 2
    )


def with_counter(shard: int, counter: int, arrival: int) -> str:
    """The decimal string for a record of the shard whose `shard_bits` are `shard`."""
    return str(number(shard, counter, arrival))


def number(shard: int, counter: int, arrival: int) -> int:
    """`with_counter`'s number as an integer."""
    return shard | (counter & ((1 << 64) - 1)) << 80 | (arrival & _MASK_36) << 36


COUNTER_STEP = 1 << 80
"""What the next record of a shard, arriving in the same second, adds to the number."""


def decode(text: str) -> SequenceNumber | None:
    """The fields of a sequence number eventsim made, or None for anything else."""
    if not _DECIMAL.fullmatch(text) or len(text) != 56:
        return None
    value = int(text)
    if value >> 184 != 2 or value & 0xF != 2 or (value >> 72) & 0xFF:
        return None
    index = (value >> 4) & 0xFFFFFFFF
    if (value >> 144) & 0xF != index & 0xF:
        return None
    return SequenceNumber(
        shard_created=(value >> 148) & _MASK_36,
        shard_index=index,
        counter=(value >> 80) & ((1 << 64) - 1),
        arrival=(value >> 36) & _MASK_36,
    )
