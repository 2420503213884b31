"""Shards on the 128-bit hash key space: the initial split, routing by MD5, shard ids.

AWS splits the space ``[0, 2**128 - 1]`` evenly: with ``step = 2**128 // n``, shard ``i`` covers
``[i * step, (i + 1) * step - 1]`` and the last shard ends at ``2**128 - 1`` (3 shards: the first
ends at 113427455640312821154458202477256070484). A record goes to the shard whose range holds
the MD5 of its partition key read as a big-endian 128-bit integer, or its ExplicitHashKey.
https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence

__all__ = ["HASH_SPACE", "hash_key", "parse_shard_id", "shard_for", "shard_id", "split"]

HASH_SPACE = 1 << 128
_SHARD_ID = re.compile(r"shardId-(\d{1,12})")


def split(count: int) -> list[tuple[int, int]]:
    """The (start, end) hash key ranges of `count` new shards, inclusive."""
    step = HASH_SPACE // count
    ranges = [(i * step, (i + 1) * step - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], HASH_SPACE - 1)
    return ranges


def hash_key(partition_key: str) -> int:
    """The hash key of a partition key: MD5 of its UTF-8 bytes, big-endian."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_for(starts: Sequence[int], key: int) -> int:
    """The position, in `starts` (ascending starting hash keys), of the shard holding `key`."""
    return bisect_right(starts, key) - 1


def shard_id(index: int) -> str:
    """``shardId-000000000000`` for index 0."""
    return f"shardId-{index:012d}"


def parse_shard_id(value: str) -> int | None:
    """The index a shard id names, or None when it names none (AWS also takes the number)."""
    match = _SHARD_ID.fullmatch(value)
    if match is not None:
        return int(match.group(1))
    if value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return None
