"""SQL over the stream, shard and record tables, called inside the service's units and reads.

The records one put adds to one shard share a row (a *chunk*): consecutive counters, one arrival
time, and a body packing each record as ``u16 key length | u32 data length | key | data``. A put
of 500 records over 4 shards writes 4 rows, not 500. A chunk never holds more than 500 records
(the most one PutRecords call takes), which bounds how far back a read must look for the chunk
holding a counter.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from eventsim.services.kinesis.models import Shard, Stream
from eventsim.store.bulk import insert_rows

__all__ = [
    "HEAD",
    "MAX_CHUNK",
    "StoredRecord",
    "close_shards",
    "delete_stream",
    "first_counter_at",
    "insert_chunk",
    "insert_shards",
    "insert_stream",
    "pack",
    "read_records",
    "save_counters",
    "save_stream",
    "trim",
]

MAX_CHUNK = 500
HEAD = struct.Struct(">HI")
"""The head of each record in a chunk body: key length, data length."""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    counter: int
    partition_key: str
    data: bytes
    arrival: float
    encrypted: bool


def insert_stream(conn: sqlite3.Connection, stream: Stream) -> None:
    """Rows for a new stream and its shards."""
    conn.execute(
        "INSERT INTO kinesis_streams (name, mode, retention_hours, created_at, tags) "
        "VALUES (?,?,?,?,?)",
        (stream.name, stream.mode.value, stream.retention_hours, stream.created_at,
         json.dumps(stream.tags)),
    )
    insert_shards(conn, stream.name, stream.shards)


def insert_shards(conn: sqlite3.Connection, stream: str, shards: Iterable[Shard]) -> None:
    """Rows for new shards (of a new stream, or the children of a split or merge)."""
    conn.executemany(
        "INSERT INTO kinesis_shards (stream, ix, start_hash, end_hash, created, parent, "
        "adjacent_parent) VALUES (?,?,?,?,?,?,?)",
        [(stream, s.index, str(s.start_hash), str(s.end_hash), s.created, s.parent,
          s.adjacent_parent) for s in shards],
    )


def close_shards(conn: sqlite3.Connection, stream: str, shards: Iterable[Shard]) -> None:
    """Mark shards closed by a split or merge."""
    conn.executemany(
        "UPDATE kinesis_shards SET closed_at = ? WHERE stream = ? AND ix = ?",
        [(s.closed_at, stream, s.index) for s in shards],
    )


def save_stream(conn: sqlite3.Connection, stream: Stream) -> None:
    """Store a stream's settings (retention, tags, encryption) as they now are."""
    conn.execute(
        "UPDATE kinesis_streams SET retention_hours = ?, tags = ?, encryption_type = ?, "
        "key_id = ? WHERE name = ?",
        (stream.retention_hours, json.dumps(stream.tags), stream.encryption_type,
         stream.key_id, stream.name),
    )


def delete_stream(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM kinesis_records WHERE stream = ?", (name,))
    conn.execute("DELETE FROM kinesis_streams WHERE name = ?", (name,))


def pack(records: Sequence[tuple[bytes, bytes]]) -> bytes:
    """The body of a chunk: (partition key as UTF-8, data) pairs."""
    parts: list[bytes] = []
    head = HEAD.pack
    for key, data in records:
        parts += (head(len(key), len(data)), key, data)
    return b"".join(parts)


def insert_chunk(
    conn: sqlite3.Connection, rows: Sequence[tuple[str, int, int, int, float, bool, bytes]]
) -> None:
    """(stream, shard, first counter, last counter, arrival, encrypted, body) rows."""
    # One statement for the chunks of one put (one per shard it reached), not one each.
    insert_rows(
        conn, "INSERT INTO kinesis_records (stream, shard, first, last, arrival, kms, body)",
        7, rows,
    )


def save_counters(conn: sqlite3.Connection, stream: str, shards: Iterable[Shard]) -> None:
    """Store the shards' counters (the newest chunks hold them until a trim deletes those)."""
    conn.executemany(
        "UPDATE kinesis_shards SET last_counter = ? WHERE stream = ? AND ix = ?",
        [(s.last_counter, stream, s.index) for s in shards],
    )


def trim(conn: sqlite3.Connection, stream: str, cutoff: float) -> None:
    """Drop the records that arrived before `cutoff` (past the retention period)."""
    conn.execute("DELETE FROM kinesis_records WHERE stream = ? AND arrival < ?", (stream, cutoff))


def read_records(
    conn: sqlite3.Connection, stream: str, shard: int, position: int, cutoff: float
) -> Iterator[StoredRecord]:
    """Records of a shard from counter `position` on, still retained, in order (lazily)."""
    cursor = conn.execute(
        "SELECT first, last, arrival, kms, body FROM kinesis_records "
        "WHERE stream = ? AND shard = ? AND first > ? AND last >= ? AND arrival >= ? "
        "ORDER BY first",
        (stream, shard, position - MAX_CHUNK, position, cutoff),
    )
    unpack = HEAD.unpack_from
    size = HEAD.size
    for first, _, arrival, kms, body in cursor:
        encrypted = bool(kms)
        view = memoryview(body)
        at = 0
        counter = first
        while at < len(view):
            key_len, data_len = unpack(view, at)
            at += size
            if counter >= position:
                key = str(view[at:at + key_len], "utf-8")
                data = bytes(view[at + key_len:at + key_len + data_len])
                yield StoredRecord(counter, key, data, arrival, encrypted)
            at += key_len + data_len
            counter += 1


def first_counter_at(
    conn: sqlite3.Connection, stream: str, shard: int, since: float
) -> int | None:
    """Counter of the first record of a shard that arrived at or after `since`."""
    row = conn.execute(
        "SELECT first FROM kinesis_records WHERE stream = ? AND shard = ? AND arrival >= ? "
        "ORDER BY first LIMIT 1",
        (stream, shard, since),
    ).fetchone()
    return None if row is None else int(row[0])
