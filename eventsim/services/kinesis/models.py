"""Streams and shards as the service holds them in memory, mirrored in SQLite.

The service keeps every stream (with its shards and each shard's newest counter) in memory, so
a put routes its records without a read; the rows in ``kinesis_streams`` / ``kinesis_shards``
are the durable copy, written in the same unit as each change, and loaded at start. A shard's
counter is the exception: its newest stored record holds it, so a put writes only its records
(the row's copy is brought up to date before a trim deletes records).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum

from eventsim.services.kinesis import sequence
from eventsim.services.kinesis.shards import shard_id

__all__ = ["Shard", "Stream", "StreamMode", "load_streams", "timestamp"]


class StreamMode(StrEnum):
    PROVISIONED = "PROVISIONED"
    ON_DEMAND = "ON_DEMAND"


@dataclass(slots=True)
class Shard:
    """One shard: its hash key range, the counter of its newest record, and where it came from
    (a split or a merge of parents) and whether it is closed."""

    index: int
    start_hash: int
    end_hash: int
    created: int
    """Epoch seconds of the shard's creation: part of every sequence number of the shard."""
    last_counter: int = 0
    parent: int | None = None
    adjacent_parent: int | None = None
    closed_at: float | None = None
    """Clock time of the split or merge that closed the shard; None while it is open."""
    shard_id: str = ""
    bits: int = 0
    """The fixed part of the shard's sequence numbers (`sequence.shard_bits`)."""

    def __post_init__(self) -> None:
        self.shard_id = shard_id(self.index)
        self.bits = sequence.shard_bits(self.created, self.index)

    def sequence_number(self, counter: int, arrival: float) -> str:
        return sequence.with_counter(self.bits, counter, int(arrival))

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def hash_key_range(self) -> dict[str, str]:
        return {"StartingHashKey": str(self.start_hash), "EndingHashKey": str(self.end_hash)}

    def describe(self) -> dict[str, object]:
        """The Shard shape of DescribeStream and ListShards."""
        numbers = {"StartingSequenceNumber": self.sequence_number(0, self.created)}
        if self.closed_at is not None:
            # At or after the shard's last record: nothing is written to a closed shard.
            numbers["EndingSequenceNumber"] = self.sequence_number(self.last_counter,
                                                                   self.closed_at)
        shape: dict[str, object] = {"ShardId": self.shard_id}
        if self.parent is not None:
            shape["ParentShardId"] = shard_id(self.parent)
        if self.adjacent_parent is not None:
            shape["AdjacentParentShardId"] = shard_id(self.adjacent_parent)
        shape["HashKeyRange"] = self.hash_key_range()
        shape["SequenceNumberRange"] = numbers
        return shape


@dataclass(slots=True)
class Stream:
    """A stream with its shards: ``shards[i]`` is shard ``i``, open or closed."""

    name: str
    arn: str
    mode: StreamMode
    retention_hours: int
    created_at: float
    shards: list[Shard]
    tags: dict[str, str] = field(default_factory=dict)
    encryption_type: str = "NONE"
    """``NONE`` or ``KMS``: records put while it is ``KMS`` say so when read."""
    key_id: str | None = None
    open_shards: list[Shard] = field(default_factory=list)
    """The open shards, by starting hash key: together they cover the hash key space."""
    starts: list[int] = field(default_factory=list)
    """Starting hash keys of `open_shards`, for bisecting."""
    start_digests: list[bytes] = field(default_factory=list)
    """`starts` as 16-byte big-endian strings: bisected with an MD5 digest as it comes, which
    orders as its integer does, without converting each record's digest."""

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Recompute the open shards after a split or merge."""
        self.open_shards = sorted((s for s in self.shards if s.is_open),
                                  key=lambda s: s.start_hash)
        self.starts = [s.start_hash for s in self.open_shards]
        self.start_digests = [start.to_bytes(16, "big") for start in self.starts]

    def children_of(self, shard: Shard) -> list[Shard]:
        return [s for s in self.shards if shard.index in (s.parent, s.adjacent_parent)]

    @property
    def created_ms(self) -> int:
        return round(self.created_at * 1000)

    def retention_cutoff(self, now: float) -> float:
        """Records that arrived before this clock time have been trimmed."""
        return now - self.retention_hours * 3600

    def encryption(self) -> dict[str, str]:
        """EncryptionType (and KeyId, when encrypted) as DescribeStream reports them."""
        if self.key_id is None:
            return {"EncryptionType": self.encryption_type}
        return {"EncryptionType": self.encryption_type, "KeyId": self.key_id}

    def mode_details(self) -> dict[str, str]:
        return {"StreamMode": self.mode.value}


def timestamp(epoch: float) -> dt.datetime:
    """A stored clock time as the API reports it, to the millisecond."""
    return dt.datetime.fromtimestamp(round(epoch, 3), tz=dt.UTC)


def load_streams(conn: sqlite3.Connection, arn_prefix: str) -> list[Stream]:
    """Every stream with its shards, as stored; ARNs are `arn_prefix` + name."""
    shards: dict[str, list[Shard]] = {}
    rows = conn.execute("SELECT name, mode, retention_hours, created_at, tags, encryption_type, "
                        "key_id FROM kinesis_streams ORDER BY name").fetchall()
    # A put does not update its shard's row: the counter of a shard's newest record is the
    # last of its newest chunk, or the stored one when a trim has deleted every chunk since.
    for row in conn.execute(
        "SELECT stream, ix, start_hash, end_hash, created, MAX(last_counter, COALESCE(("
        "SELECT r.last FROM kinesis_records r WHERE r.stream = s.stream AND r.shard = s.ix "
        "ORDER BY r.first DESC LIMIT 1), 0)) AS last_counter, parent, adjacent_parent, "
        "closed_at FROM kinesis_shards s ORDER BY stream, ix"
    ):
        shards.setdefault(row["stream"], []).append(Shard(
            index=row["ix"], start_hash=int(row["start_hash"]), end_hash=int(row["end_hash"]),
            created=row["created"], last_counter=row["last_counter"], parent=row["parent"],
            adjacent_parent=row["adjacent_parent"], closed_at=row["closed_at"],
        ))
    return [
        Stream(
            name=row["name"], arn=arn_prefix + row["name"], mode=StreamMode(row["mode"]),
            retention_hours=row["retention_hours"], created_at=row["created_at"],
            shards=shards.get(row["name"], []), tags=json.loads(row["tags"]),
            encryption_type=row["encryption_type"], key_id=row["key_id"],
        )
        for row in rows
    ]
