"""Many rows in few statements, so that SQLite works long stretches without the GIL.

Python's sqlite3 lets go of the GIL while SQLite steps a statement and takes it back to bind
the next row. `executemany` of 500 rows therefore asks for the GIL 500 times, and on a busy
simulator (the event loop and handler threads running Python) each ask waits for whoever holds
it: 500 single-row inserts took 36 µs a row against 10 µs uncontended on the machines this is
built on, and a multi-row ``INSERT ... VALUES (...), (...)`` of the same rows 23 µs. Both
helpers here send rows in chunks of `CHUNK` per statement, and what is left over in chunks of
powers of two, so that a handful of distinct statements stay in sqlite3's statement cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["CHUNK", "delete_ids", "insert_rows"]

CHUNK = 64
"""Rows per statement (at 18 columns, 1,152 parameters: far below SQLite's 32,766)."""


def insert_rows(conn: sqlite3.Connection, head: str, width: int,
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (each `width` values) with ``head`` (``INSERT INTO t (a, b, ...)``)."""
    start = 0
    for size in _chunks(len(rows)):
        chunk = rows[start:start + size]
        start += size
        conn.execute(_values_statement(head, width, size), [v for row in chunk for v in row])


def delete_ids(conn: sqlite3.Connection, table: str, ids: Sequence[int]) -> None:
    """Delete the rows of `table` whose ``id`` is in `ids`."""
    start = 0
    for size in _chunks(len(ids)):
        conn.execute(_in_statement(table, size), ids[start:start + size])
        start += size


def _chunks(count: int) -> list[int]:
    sizes = [CHUNK] * (count // CHUNK)
    rest = count % CHUNK
    bit = CHUNK >> 1
    while rest:
        if rest >= bit:
            sizes.append(bit)
            rest -= bit
        bit >>= 1
    return sizes


@lru_cache(maxsize=64)
def _values_statement(head: str, width: int, rows: int) -> str:
    row = "(" + ",".join("?" * width) + ")"
    return f"{head} VALUES {','.join([row] * rows)}"


@lru_cache(maxsize=64)
def _in_statement(table: str, count: int) -> str:
    return f"DELETE FROM {table} WHERE id IN ({','.join('?' * count)})"
