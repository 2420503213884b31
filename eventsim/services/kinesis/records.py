"""SQL over the shard and record tables, called inside the service's units and reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from eventsim.services.kinesis.models import Shard, Stream

__all__ = [
    "StoredRecord",
    "delete_stream",
    "first_counter_at",
    "insert_records",
    "insert_stream",
    "read_records",
    "save_counters",
    "save_stream",
    "trim",
]


@dataclass(frozen=True, slots=True)
class StoredRecord:
    counter: int
    partition_key: str
    data: bytes
    arrival: float


def insert_stream(conn: sqlite3.Connection, stream: Stream) -> None:
    """Rows for a new stream and its shards."""
    conn.execute(
        "INSERT INTO kinesis_streams (name, mode, retention_hours, created_at, tags) "
        "VALUES (?,?,?,?,?)",
        (stream.name, stream.mode.value, stream.retention_hours, stream.created_at,
         json.dumps(stream.tags)),
    )
    conn.executemany(
        "INSERT INTO kinesis_shards (stream, ix, start_hash, end_hash) VALUES (?,?,?,?)",
        [(stream.name, s.index, str(s.start_hash), str(s.end_hash)) for s in stream.shards],
    )


def save_stream(conn: sqlite3.Connection, stream: Stream) -> None:
    """Store a stream's settings (retention, tags) as they now are."""
    conn.execute(
        "UPDATE kinesis_streams SET retention_hours = ?, tags = ? WHERE name = ?",
        (stream.retention_hours, json.dumps(stream.tags), stream.name),
    )


def delete_stream(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM kinesis_records WHERE stream = ?", (name,))
    conn.execute("DELETE FROM kinesis_streams WHERE name = ?", (name,))


def insert_records(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[str, int, int, str, bytes, float]],
) -> None:
    """(stream, shard, counter, partition key, data, arrival) rows."""
    conn.executemany(
        "INSERT INTO kinesis_records (stream, shard, counter, partition_key, data, arrival) "
        "VALUES (?,?,?,?,?,?)",
        rows,
    )


def save_counters(conn: sqlite3.Connection, stream: str, shards: Iterable[Shard]) -> None:
    conn.executemany(
        "UPDATE kinesis_shards SET last_counter = ? WHERE stream = ? AND ix = ?",
        [(s.last_counter, stream, s.index) for s in shards],
    )


def trim(conn: sqlite3.Connection, stream: str, cutoff: float) -> None:
    """Drop the records that arrived before `cutoff` (past the retention period)."""
    conn.execute("DELETE FROM kinesis_records WHERE stream = ? AND arrival < ?", (stream, cutoff))


def read_records(
    conn: sqlite3.Connection, stream: str, shard: int, position: int, cutoff: float, limit: int
) -> Iterator[StoredRecord]:
    """Records of a shard from counter `position` on, still retained, in order (lazily)."""
    cursor = conn.execute(
        "SELECT counter, partition_key, data, arrival FROM kinesis_records "
        "WHERE stream = ? AND shard = ? AND counter >= ? AND arrival >= ? "
        "ORDER BY counter LIMIT ?",
        (stream, shard, position, cutoff, limit),
    )
    for row in cursor:
        yield StoredRecord(row[0], row[1], bytes(row[2]), row[3])


def first_counter_at(
    conn: sqlite3.Connection, stream: str, shard: int, since: float
) -> int | None:
    """Counter of the first record of a shard that arrived at or after `since`."""
    row = conn.execute(
        "SELECT counter FROM kinesis_records WHERE stream = ? AND shard = ? AND arrival >= ? "
        "ORDER BY counter LIMIT 1",
        (stream, shard, since),
    ).fetchone()
    return None if row is None else int(row[0])
