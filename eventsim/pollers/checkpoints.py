"""SQL over ``esm_checkpoints``: where each mapping's poller goes on in each shard, and the
shard's open tumbling window (its start and the state the function returned)."""

from __future__ import annotations

import sqlite3

__all__ = ["load_checkpoints", "save_checkpoint"]


def load_checkpoints(conn: sqlite3.Connection, uuid: str) -> dict[str, tuple[int, str | None]]:
    """Shard id -> (position of the next record to deliver, open window JSON or None)."""
    return {r[0]: (int(r[1]), r[2]) for r in conn.execute(
        "SELECT shard, position, window FROM esm_checkpoints WHERE uuid = ?", (uuid,))}


def save_checkpoint(
    conn: sqlite3.Connection, uuid: str, shard: str, position: int, now: float,
    window: str | None = None,
) -> None:
    """Move a checkpoint; call inside the unit that records why it moved."""
    conn.execute(
        "INSERT INTO esm_checkpoints (uuid, shard, position, updated_at, window) "
        "VALUES (?,?,?,?,?) ON CONFLICT (uuid, shard) DO UPDATE SET "
        "position = excluded.position, updated_at = excluded.updated_at, "
        "window = excluded.window",
        (uuid, shard, position, now, window),
    )
