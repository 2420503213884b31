"""Shard iterators: opaque base64 tokens naming a stream, a shard and a position in it.

An iterator holds the stream (its name and creation time, so an iterator of a deleted stream
does not read a new stream of the same name), the shard index, the counter of the next record to
read (see `eventsim.services.kinesis.sequence`) and the clock time it was issued at, for the
five-minute expiry. A MAC over the fields makes an edited or made-up iterator invalid, as it is
on AWS (``InvalidArgumentException: Invalid ShardIterator.``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass

__all__ = ["ITERATOR_LIFETIME_MS", "ShardIterator", "decode", "encode"]

ITERATOR_LIFETIME_MS = 300_000
"""AWS: an iterator expires five minutes after it is returned."""

_KEY = b"eventsim kinesis shard iterator v1"
_HEAD = struct.Struct(">BqqIQ")
_MAC_BYTES = 12
_VERSION = 1


@dataclass(frozen=True, slots=True)
class ShardIterator:
    """What an iterator points at."""

    stream: str
    stream_created_ms: int
    shard_index: int
    position: int
    """Counter of the next record to read."""
    issued_ms: int


def encode(it: ShardIterator) -> str:
    """The opaque token for `it`."""
    body = _HEAD.pack(_VERSION, it.issued_ms, it.stream_created_ms, it.shard_index,
                      it.position) + it.stream.encode("utf-8")
    mac = hmac.new(_KEY, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.b64encode(body + mac).decode("ascii")


def decode(token: str) -> ShardIterator | None:
    """The iterator a token stands for, or None if it is not one eventsim issued."""
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if len(raw) <= _HEAD.size + _MAC_BYTES:
        return None
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(_KEY, body, hashlib.sha256).digest()[:_MAC_BYTES]):
        return None
    version, issued, created, shard, position = _HEAD.unpack_from(body)
    if version != _VERSION:
        return None
    return ShardIterator(
        stream=body[_HEAD.size:].decode("utf-8"), stream_created_ms=created,
        shard_index=shard, position=position, issued_ms=issued,
    )
