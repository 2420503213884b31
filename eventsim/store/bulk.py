"""Many rows in few statements, so that SQLite works long stretches without the GIL.

Python's sqlite3 lets go of the GIL while SQLite steps a statement and takes it back to bind
the next row. `executemany` of 500 rows therefore asks for the GIL 500 times, and on a busy
simulator (the event loop and handler threads running Python) each ask waits for whoever holds
it: 500 single-row inserts took 36 µs a row against 10 µs uncontended on the machines this is
built on, and a multi-row ``INSERT ... VALUES (...), (...)`` of the same rows 23 µs. Both
helpers here send rows in chunks of `CHUNK` per statement, and what is left over in chunks of
powers of two, so that a handful of distinct statements stay in sqlite3's statement cache.

`RowBuffer` does the same for rows that many small units insert one each (a burst of
PutObject calls: an object row and an invoke-queue row per put): the units of one transaction
add their rows to it, and the database's writer sends them many to a statement before COMMIT.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["CHUNK", "RowBuffer", "delete_ids", "insert_rows"]

CHUNK = 256
"""Rows per statement at most (at 18 columns, 4,608 parameters: far below SQLite's 32,766).
Each statement is one more wait for the GIL on a busy simulator."""

STEP = 32
"""What is left after full chunks goes in one statement of a multiple of `STEP` rows, and
the rest in powers of two: a burst of 500 rows takes 4 statements (256, 224, 16, 4), and
each table has at most 13 distinct statements to keep prepared."""


def insert_rows(conn: sqlite3.Connection, head: str, width: int,
                rows: Sequence[Sequence[Any]],
                on_rowid: Sequence[Callable[[int], None] | None] | None = None) -> None:
    """Insert `rows` (each `width` values) with ``head`` (``INSERT INTO t (a, b, ...)``).
    ``on_rowid``: one per row, None or told the row's rowid (see `RowBuffer`)."""
    start = 0
    for size in _chunks(len(rows)):
        chunk = rows[start:start + size]
        cursor = conn.execute(_values_statement(head, width, size),
                              [v for row in chunk for v in row])
        if on_rowid is not None:
            first = int(cursor.lastrowid or 0) - size + 1
            for offset, tell in enumerate(on_rowid[start:start + size]):
                if tell is not None:
                    tell(first + offset)
        start += size


def delete_ids(conn: sqlite3.Connection, table: str, ids: Sequence[int]) -> None:
    """Delete the rows of `table` whose ``id`` is in `ids`.

    Ids often come in runs (a burst's queue rows are numbered in order and their events end
    in order): a run of `MIN_RUN` or more goes in one range statement, the rest in lists."""
    scattered: list[int] = []
    runs: list[tuple[int, int]] = []
    ordered = sorted(ids)
    start = 0
    for i in range(1, len(ordered) + 1):
        if i < len(ordered) and ordered[i] - ordered[i - 1] <= 1:
            continue  # the run goes on (a repeated id changes nothing)
        if i - start >= MIN_RUN:
            runs.append((ordered[start], ordered[i - 1]))
        else:
            scattered.extend(ordered[start:i])
        start = i
    for low, high in runs:
        conn.execute(f"DELETE FROM {table} WHERE id BETWEEN ? AND ?", (low, high))
    start = 0
    for size in _chunks(len(scattered)):
        conn.execute(_in_statement(table, size), scattered[start:start + size])
        start += size


MIN_RUN = 8
"""Consecutive ids that `delete_ids` deletes as a range rather than in a list."""


def _chunks(count: int) -> list[int]:
    sizes = [CHUNK] * (count // CHUNK)
    rest = count % CHUNK
    if rest >= STEP:
        sizes.append(rest - rest % STEP)
        rest %= STEP
    bit = STEP >> 1
    while rest:
        if rest >= bit:
            sizes.append(bit)
            rest -= bit
        bit >>= 1
    return sizes


@lru_cache(maxsize=128)
def _values_statement(head: str, width: int, rows: int) -> str:
    row = "(" + ",".join("?" * width) + ")"
    return f"{head} VALUES {','.join([row] * rows)}"


@lru_cache(maxsize=128)
def _in_statement(table: str, count: int) -> str:
    return f"DELETE FROM {table} WHERE id IN ({','.join('?' * count)})"


class RowBuffer:
    """Rows the buffered units of one write transaction insert, held until the writer flushes
    them, many to a statement (see `eventsim.store.database`: before any unit that is not
    buffered runs, so that it sees them, and before COMMIT).

    While a unit runs alone in its transaction there is nothing to share a statement with:
    the writer then puts the buffer in *direct* mode, where `insert` executes at once and a
    failing constraint raises in the unit, as a plain ``conn.execute`` would.

    Rows inserted by one statement get consecutive rowids in their order (SQLite gives a new
    row one more than the largest rowid present), so ``on_rowid`` learns each row's rowid; it
    is called during the flush, inside the transaction, and only for tables without
    AUTOINCREMENT whose rowid the statement does not set.
    """

    def __init__(self) -> None:
        self._tables: dict[tuple[str, int], tuple[list[Sequence[Any]],
                                                  list[Callable[[int], None] | None]]] = {}
        self._journal: list[tuple[str, int]] = []
        """The table of every row in the buffer, in the order they came: to discard a
        failed unit's rows."""
        self._checked: set[Hashable] = set()
        self._conn: sqlite3.Connection | None = None

    def __len__(self) -> int:
        return len(self._journal)

    def insert(self, head: str, width: int, row: Sequence[Any],
               on_rowid: Callable[[int], None] | None = None) -> None:
        """Insert ``row`` (``width`` values) with ``head`` (``INSERT INTO t (a, b, ...)``)."""
        conn = self._conn
        if conn is not None:
            cursor = conn.execute(_values_statement(head, width, 1), row)
            if on_rowid is not None:
                on_rowid(int(cursor.lastrowid or 0))
            return
        key = (head, width)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = ([], [])
        table[0].append(row)
        table[1].append(on_rowid)
        self._journal.append(key)

    def knows(self, fact: Hashable) -> bool:
        """Whether a unit has checked ``fact`` (say, that a bucket exists) and said so with
        `learn` since the last unit that was not buffered ran: later units of the transaction
        may rely on it, since only an unbuffered unit could have changed it meanwhile. Always
        true in direct mode, where the insert's own constraints check."""
        return self._conn is not None or fact in self._checked

    def learn(self, fact: Hashable) -> None:
        """``fact`` holds, as a query has just shown (see `knows`)."""
        self._checked.add(fact)

    def mark(self) -> int:
        """A point to `discard` back to, should the unit about to run fail."""
        return len(self._journal)

    def discard(self, mark: int) -> None:
        """Forget the rows added since `mark` (their unit failed)."""
        while len(self._journal) > mark:
            rows, callbacks = self._tables[self._journal.pop()]
            rows.pop()
            callbacks.pop()

    def flush(self, conn: sqlite3.Connection) -> None:
        """Insert every buffered row, and forget what units checked: the unit about to run
        (or the next transaction) may change it."""
        self._checked.clear()
        if not self._journal:
            return
        tables, self._tables, self._journal = self._tables, {}, []
        for (head, width), (rows, callbacks) in tables.items():
            insert_rows(conn, head, width, rows, callbacks if any(callbacks) else None)

    def begin_direct(self, conn: sqlite3.Connection) -> None:
        """Until `end_direct`, rows go straight to ``conn``."""
        self._conn = conn

    def end_direct(self) -> None:
        self._conn = None

    def reset(self) -> None:
        """Drop everything (the transaction rolled back)."""
        self._tables, self._journal = {}, []
        self._checked.clear()
        self._conn = None
