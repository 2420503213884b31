"""Rows of the asynchronous invoke queue.

Writers (S3 notifications, Event invokes, the dispatcher) insert a row in the same transaction
as the write that caused it and hand the returned `QueuedEvent` to the engine after commit, so
the engine never reads back what it was just given. The table is the durable truth: after a
restart the engine loads every row again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["QueuedEvent", "delete_queued_event", "insert_queued_event", "load_queued_events"]


@dataclass(frozen=True)
class QueuedEvent:
    """An event waiting for (another) attempt at invoking its function."""

    id: int
    function: str
    payload: str
    attempt: int
    """Attempts already made."""
    not_before: float
    enqueued_at: float
    request_id: str
    cause: str
    """`eventsim.tracing.Cause` as JSON."""


def insert_queued_event(
    conn: sqlite3.Connection, *, function: str, payload: str, cause: str, now: float,
    request_id: str,
) -> QueuedEvent:
    """Queue an event inside the caller's unit."""
    cursor = conn.execute(
        "INSERT INTO async_queue (function, payload, attempt, not_before, enqueued_at, "
        "request_id, cause) VALUES (?,?,0,?,?,?,?)",
        (function, payload, now, now, request_id, cause),
    )
    return QueuedEvent(
        id=int(cursor.lastrowid or 0), function=function, payload=payload, attempt=0,
        not_before=now, enqueued_at=now, request_id=request_id, cause=cause,
    )


def load_queued_events(conn: sqlite3.Connection) -> list[QueuedEvent]:
    """Every queued event, oldest first (at start, to resume after a restart)."""
    rows = conn.execute(
        "SELECT id, function, payload, attempt, not_before, enqueued_at, request_id, cause "
        "FROM async_queue ORDER BY id"
    ).fetchall()
    return [QueuedEvent(*tuple(r)) for r in rows]


def delete_queued_event(conn: sqlite3.Connection, event_id: int) -> None:
    conn.execute("DELETE FROM async_queue WHERE id = ?", (event_id,))
