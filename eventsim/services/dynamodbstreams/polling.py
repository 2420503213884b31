"""Read-only helpers for the engine's event source mapping pollers.

The pollers read a stream's records as Lambda receives them (the stored JSON), by position
(the stream's sequence offset), without shard iterators: the mapping's checkpoint is the
position. Call inside `Database.read`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from eventsim.services.dynamodb.storage import NEXT_SEQUENCE, RETENTION_SECONDS, SEQUENCE_BASE

__all__ = ["RETENTION_SECONDS", "SEQUENCE_BASE", "StreamState", "read_from", "stream_state"]


@dataclass(frozen=True, slots=True)
class StreamState:
    shard_id: str
    next_position: int
    """Position the next record written will take."""
    closed: bool
    """Disabled (or its table deleted): no record will be added."""
    table_name: str


def stream_state(conn: sqlite3.Connection, arn: str) -> StreamState | None:
    row = conn.execute(
        f"SELECT shard_id, {NEXT_SEQUENCE}, disabled_at, table_name FROM ddb_streams "
        "WHERE arn = ?",
        (arn,),
    ).fetchone()
    if row is None:
        return None
    return StreamState(row[0], int(row[1]), row[2] is not None, row[3])


def read_from(
    conn: sqlite3.Connection, arn: str, position: int, cutoff: float, limit: int
) -> list[tuple[int, float, str]]:
    """(position, creation time, record JSON) of up to `limit` records from `position` on."""
    return [
        (int(r[0]), float(r[1]), str(r[2]))
        for r in conn.execute(
            "SELECT seq, created_at, record FROM ddb_stream_records WHERE stream_arn = ? "
            "AND seq >= ? AND created_at >= ? ORDER BY seq LIMIT ?",
            (arn, position, cutoff, limit),
        )
    ]
