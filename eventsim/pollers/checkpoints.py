"""SQL over ``esm_checkpoints``: where each mapping's poller goes on in each shard."""

from __future__ import annotations

import sqlite3

__all__ = ["load_checkpoints", "save_checkpoint"]


def load_checkpoints(conn: sqlite3.Connection, uuid: str) -> dict[str, int]:
    """Shard id -> position of the next record to deliver."""
    return {r[0]: int(r[1]) for r in conn.execute(
        "SELECT shard, position FROM esm_checkpoints WHERE uuid = ?", (uuid,))}


def save_checkpoint(
    conn: sqlite3.Connection, uuid: str, shard: str, position: int, now: float
) -> None:
    """Move a checkpoint; call inside the unit that records why it moved."""
    conn.execute(
        "INSERT INTO esm_checkpoints (uuid, shard, position, updated_at) VALUES (?,?,?,?) "
        "ON CONFLICT (uuid, shard) DO UPDATE SET position = excluded.position, "
        "updated_at = excluded.updated_at",
        (uuid, shard, position, now),
    )
