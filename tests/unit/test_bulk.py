"""Many rows in few statements: every row is written or deleted, whatever the count, and
buffered rows go in late, together, with the rowids their writers are told."""

from __future__ import annotations

import sqlite3

import pytest

from eventsim.store.bulk import CHUNK, MIN_RUN, STEP, RowBuffer, delete_ids, insert_rows


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
    # Full chunks, one multiple of STEP, then powers of two: one statement per bit below STEP.
    assert len(statements) <= count // CHUNK + 1 + (STEP - 1).bit_length()
    delete_ids(conn, "t", [i for i in range(count) if i % 3])
    assert [r[0] for r in conn.execute("SELECT id FROM t ORDER BY id")] == list(range(0, count, 3))


def test_runs_of_ids_are_deleted_by_range_and_only_the_ids_given_go() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO t (id) VALUES (?)", [(i,) for i in range(1, 1001)])
    gone = [*range(500, 100, -1), 7, 9, 11, *range(600, 600 + MIN_RUN - 1), 900, 900, 901]
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    delete_ids(conn, "t", gone)
    conn.set_trace_callback(None)
    left = {r[0] for r in conn.execute("SELECT id FROM t")}
    assert left == set(range(1, 1001)) - set(gone)
    # One range (101-500); the rest, too short to be runs, in lists.
    assert ["BETWEEN" in s for s in statements] == [True] + [False] * (len(statements) - 1)
    assert len(statements) <= 1 + (STEP - 1).bit_length()


def _queue_table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO q (id, name) VALUES (41, 'older')")  # ids go on from the largest
    return conn


@pytest.mark.parametrize("count", [1, 3, CHUNK, CHUNK + 5])
def test_buffered_rows_go_in_many_to_a_statement_and_learn_their_rowids(count: int) -> None:
    conn = _queue_table()
    rows = RowBuffer()
    learned: dict[str, int] = {}
    for i in range(count):
        rows.insert("INSERT INTO q (name)", 1, (f"row {i}",),
                    lambda rowid, name=f"row {i}": learned.__setitem__(name, rowid))
    assert conn.execute("SELECT COUNT(*) FROM q").fetchone()[0] == 1  # nothing sent yet
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    rows.flush(conn)
    conn.set_trace_callback(None)
    stored = dict(conn.execute("SELECT name, id FROM q WHERE name != 'older'").fetchall())
    assert learned == stored
    assert sorted(stored.values()) == list(range(42, 42 + count))
    assert len(statements) <= count // CHUNK + 1 + (STEP - 1).bit_length()
    assert len(rows) == 0


def test_discarded_rows_are_never_inserted_and_the_rest_keep_their_order() -> None:
    conn = _queue_table()
    rows = RowBuffer()
    rows.insert("INSERT INTO q (name)", 1, ("kept 1",))
    mark = rows.mark()
    rows.insert("INSERT INTO q (name)", 1, ("failed unit",))
    rows.insert("INSERT INTO q (id, name)", 2, (7, "failed unit too"))
    rows.discard(mark)
    rows.insert("INSERT INTO q (name)", 1, ("kept 2",))
    rows.flush(conn)
    assert [r[0] for r in conn.execute("SELECT name FROM q ORDER BY id")] == [
        "older", "kept 1", "kept 2"]


def test_in_direct_mode_a_row_goes_in_at_once_and_its_constraint_fails_in_the_caller() -> None:
    conn = _queue_table()
    rows = RowBuffer()
    rows.begin_direct(conn)
    learned: list[int] = []
    rows.insert("INSERT INTO q (name)", 1, ("now",), learned.append)
    assert learned == [42] and len(rows) == 0
    with pytest.raises(sqlite3.IntegrityError):
        rows.insert("INSERT INTO q (id, name)", 2, (41, "taken id"))
    assert rows.knows("anything")  # the insert's own constraints check, in direct mode
    rows.end_direct()
    assert not rows.knows("anything")


def test_what_a_unit_learned_is_forgotten_at_the_next_flush() -> None:
    conn = _queue_table()
    rows = RowBuffer()
    rows.learn(("bucket", "b"))
    assert rows.knows(("bucket", "b"))
    rows.flush(conn)  # an unbuffered unit is about to run: it may delete the bucket
    assert not rows.knows(("bucket", "b"))
