"""Many rows in few statements: every row is written or deleted, whatever the count."""

from __future__ import annotations

import sqlite3

import pytest

from eventsim.store.bulk import CHUNK, delete_ids, insert_rows


@pytest.mark.parametrize("count", [0, 1, 2, 3, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 37])
def test_every_row_is_inserted_then_deleted_in_order(count: int) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n REAL)")
    rows = [(i, f"row {i}", i / 2) for i in range(count)]
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    insert_rows(conn, "INSERT INTO t (id, name, n)", 3, rows)
    conn.set_trace_callback(None)
    assert conn.execute("SELECT id, name, n FROM t ORDER BY id").fetchall() == rows
    # Full chunks, then powers of two: at most one statement per bit of the remainder.
    assert len(statements) <= count // CHUNK + (CHUNK - 1).bit_length()
    delete_ids(conn, "t", [i for i in range(count) if i % 3])
    assert [r[0] for r in conn.execute("SELECT id FROM t ORDER BY id")] == list(range(0, count, 3))
