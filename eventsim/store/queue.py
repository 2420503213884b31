"""Rows of the asynchronous invoke queue.

Writers (S3 notifications, Event invokes, the dispatcher) insert a row in the same transaction
as the write that caused it and hand the returned `QueuedEvent` to the engine after commit, so
the engine never reads back what it was just given. The table is the durable truth: after a
restart the engine loads every row again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from eventsim.store.bulk import RowBuffer
from eventsim.tracing import Cause

__all__ = [
    "QueuedEvent", "buffer_queued_event", "delete_queued_event", "insert_queued_event",
    "load_queued_events",
]


@dataclass(slots=True)
class QueuedEvent:
    """An event waiting for (another) attempt at invoking its function. Treat as immutable
    once handed over (not frozen because it is made once per event, and frozen dataclasses are
    slow to make, and because a buffered insert learns its id after it is made)."""

    id: int
    function: str
    payload: str
    attempt: int
    """Attempts already made."""
    not_before: float
    enqueued_at: float
    request_id: str
    cause: Cause

    def assign_id(self, rowid: int) -> None:
        """Its row's id, known once a buffered insert has run (`buffer_queued_event`)."""
        self.id = rowid


_HEAD = ("INSERT INTO async_queue (function, payload, attempt, not_before, enqueued_at, "
         "request_id, cause)")
_INSERT = f"{_HEAD} VALUES (?,?,0,?,?,?,?)"


def buffer_queued_event(
    rows: RowBuffer, function: str, payload: str, cause: Cause, now: float, request_id: str,
    cause_json: str,
) -> QueuedEvent:
    """Queue an event inside a buffered unit (see `eventsim.store.database`): the returned
    event has its id once the rows are flushed, which is before the unit commits."""
    event = QueuedEvent(0, function, payload, 0, now, now, request_id, cause)
    rows.insert(_HEAD, 7, (function, payload, 0, now, now, request_id, cause_json),
                event.assign_id)
    return event


def insert_queued_event(
    conn: sqlite3.Connection, function: str, payload: str, cause: Cause, now: float,
    request_id: str, cause_json: str | None = None,
) -> QueuedEvent:
    """Queue an event inside the caller's unit (``cause_json``: the cause already encoded).
    The arguments may be given by position (S3's notifier does, for every event)."""
    cursor = conn.execute(
        _INSERT,
        (function, payload, now, now, request_id, cause_json or cause.to_json()),
    )
    # Positional: keywords cost more than the rest of this function's Python, per event.
    return QueuedEvent(int(cursor.lastrowid or 0), function, payload, 0, now, now, request_id,
                       cause)


def load_queued_events(conn: sqlite3.Connection) -> list[QueuedEvent]:
    """Every queued event, oldest first (at start, to resume after a restart)."""
    rows = conn.execute(
        "SELECT id, function, payload, attempt, not_before, enqueued_at, request_id, cause "
        "FROM async_queue ORDER BY id"
    ).fetchall()
    return [QueuedEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], Cause.from_json(r[7]))
            for r in rows]


def delete_queued_event(conn: sqlite3.Connection, event_id: int) -> None:
    conn.execute("DELETE FROM async_queue WHERE id = ?", (event_id,))
