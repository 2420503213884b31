"""The store: what a commit costs, per row and batched.

Prints rows per second for inserting small rows into a WAL database file:

1. aiosqlite's public API, a commit per row (``await conn.execute(...)``, ``await
   conn.commit()``): every call is a hop to aiosqlite's thread and back;
2. eventsim's `Database.write`, one row per unit, awaited one after another: each unit is its
   own transaction, committed on the loop's thread (no hop);
3. eventsim's `Database.write`, the same units issued together: they share commits.

Usage: python bench/store.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

import aiosqlite

from eventsim.store import Database

ROW = b"x" * 200


async def per_row_aiosqlite(path: Path, rows: int) -> float:
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        start = time.perf_counter()
        for i in range(rows):
            await conn.execute("INSERT INTO t VALUES (?, ?)", (i, ROW))
            await conn.commit()
        return rows / (time.perf_counter() - start)


def _insert(i: int) -> object:
    return lambda conn: conn.execute("INSERT INTO t VALUES (?, ?)", (i, ROW))


async def _database(path: Path) -> Database:
    db = Database(path)
    await db.open()
    await db.write(lambda conn: conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)"))
    return db


async def sequential_units(path: Path, rows: int) -> tuple[float, int]:
    db = await _database(path)
    try:
        before = db.commits
        start = time.perf_counter()
        for i in range(rows):
            await db.write(_insert(i))  # type: ignore[arg-type]
        return rows / (time.perf_counter() - start), db.commits - before
    finally:
        await db.aclose()


async def concurrent_units(path: Path, rows: int, burst: int = 500) -> tuple[float, int]:
    db = await _database(path)
    try:
        before = db.commits
        start = time.perf_counter()
        for first in range(0, rows, burst):
            await asyncio.gather(*(db.write(_insert(i))  # type: ignore[arg-type]
                                   for i in range(first, min(rows, first + burst))))
        return rows / (time.perf_counter() - start), db.commits - before
    finally:
        await db.aclose()


async def main(rows: int) -> None:
    print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL, {rows} rows of 200 bytes")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        per_row = await per_row_aiosqlite(base / "a.db", rows)
        print(f"  aiosqlite, a commit per row:               {per_row:9,.0f} rows/s")
        sequential, commits = await sequential_units(base / "b.db", rows)
        print(f"  Database.write, one unit at a time:        {sequential:9,.0f} rows/s "
              f"({commits} commits)")
        together, commits = await concurrent_units(base / "c.db", rows)
        print(f"  Database.write, {500} units issued together: {together:9,.0f} rows/s "
              f"({commits} commits)")
        print(f"  batched / aiosqlite per row: {together / per_row:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    asyncio.run(main(parser.parse_args().rows))
