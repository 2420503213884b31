"""Outbox rows: events written in the same transaction as the write that produced them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["OutboxRow", "add_outbox_row", "add_outbox_rows", "take_outbox_rows"]


@dataclass(frozen=True)
class OutboxRow:
    """One event on its way to one target."""

    target_kind: str
    """What the target is: ``function``, ``topic`` or ``queue``."""
    target: str
    """The target's ARN."""
    payload: str
    """The event exactly as the target will receive it (JSON text)."""
    cause: str
    """`eventsim.tracing.Cause` as JSON."""
    created_at: float = 0.0
    id: int = 0


_INSERT = "INSERT INTO outbox (created_at, target_kind, target, payload, cause) VALUES (?,?,?,?,?)"


def add_outbox_row(conn: sqlite3.Connection, row: OutboxRow) -> None:
    """Append a row; call inside the unit that makes the write."""
    conn.execute(_INSERT, (row.created_at, row.target_kind, row.target, row.payload, row.cause))


def add_outbox_rows(conn: sqlite3.Connection, rows: list[OutboxRow]) -> None:
    """Append many rows with one statement."""
    conn.executemany(
        _INSERT, [(r.created_at, r.target_kind, r.target, r.payload, r.cause) for r in rows]
    )


def take_outbox_rows(conn: sqlite3.Connection, limit: int) -> list[OutboxRow]:
    """The oldest rows, in order (they are deleted by whoever hands them on, same unit)."""
    rows = conn.execute(
        "SELECT id, created_at, target_kind, target, payload, cause FROM outbox "
        "ORDER BY id LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        OutboxRow(
            id=r["id"], created_at=r["created_at"], target_kind=r["target_kind"],
            target=r["target"], payload=r["payload"], cause=r["cause"],
        )
        for r in rows
    ]
