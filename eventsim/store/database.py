"""The SQLite database: one connection, one thread, batched commits.

Work is expressed as *units*: plain functions ``fn(conn: sqlite3.Connection) -> T`` that run on
aiosqlite's connection thread. Running a whole unit in one thread hop (instead of one hop per
statement) is what makes the store fast, and it keeps each unit atomic:

- `read(fn)` runs a unit outside any write transaction.
- `write(fn)` queues a unit; the writer runs every unit queued at that moment inside ONE
  transaction, each under its own SAVEPOINT (a unit that raises is rolled back alone and its
  caller gets the exception), then commits once. A commit per row costs about ten times a
  batched one, and concurrent writers (a burst of PutObject calls) now share a commit.

`write` returns only after the commit, so an accepted write is durable (WAL, synchronous=NORMAL
survives a killed process).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from eventsim.errors import SimulatorStateError
from eventsim.store.migrate import migrate

__all__ = ["Database", "Unit"]

LOG = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], T]

# Cap on units per transaction, so one huge burst still commits in reasonable slices.
_MAX_BATCH = 2000


@dataclass
class _Pending:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]


class Database:
    """An open SQLite database. Use as ``async with Database(path) as db:``."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self.commits = 0
        """How many write transactions have committed (for benchmarks and tests)."""

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Connect, set the pragmas and apply pending migrations."""
        if self._conn is not None or self._closed:
            raise SimulatorStateError("Cannot open a database more than once.")
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so Python's sqlite3 module
        # never opens a transaction behind our back.
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        await self._run(_configure)
        await self._run(migrate)
        self._writer = asyncio.create_task(self._write_loop(), name="eventsim-db-writer")

    async def aclose(self) -> None:
        """Flush queued writes and close. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._wakeup.set()
            self._writer.cancel()
            with suppress(asyncio.CancelledError):
                await self._writer
        if self._queue:
            await self._commit_batch(self._queue)
            self._queue = []
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read-only unit on the connection thread."""
        return await self._run(fn)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a unit in a (shared) write transaction; return its result once committed."""
        if self._closed or self._conn is None:
            raise SimulatorStateError("The database is closed.")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(fn, future))
        self._wakeup.set()
        return await future

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise SimulatorStateError("The database is closed.")
        # aiosqlite's public API hops threads per statement; _execute runs one callable on
        # its connection thread, which is the whole point of units.
        return await conn._execute(fn, conn._conn)  # type: ignore[no-any-return]

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
                await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Pending]) -> None:
        try:
            outcomes = await self._run(lambda conn: _apply(conn, [p.fn for p in batch]))
        except BaseException as exc:  # the commit itself failed: every unit fails with it
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc if isinstance(exc, Exception) else
                                                 RuntimeError("database writer stopped"))
            if not isinstance(exc, Exception):
                raise
            LOG.exception("write transaction failed")
            return
        self.commits += 1
        for pending, (ok, value) in zip(batch, outcomes, strict=True):
            if pending.future.done():
                continue
            if ok:
                pending.future.set_result(value)
            else:
                pending.future.set_exception(value)


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a committed transaction survives a killed process (the case we
    # promise); only an OS crash or power loss may lose the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def _apply(
    conn: sqlite3.Connection, fns: list[Callable[[sqlite3.Connection], Any]]
) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for fn in fns:
            conn.execute("SAVEPOINT unit")
            try:
                value = fn(conn)
            except Exception as exc:
                conn.execute("ROLLBACK TO unit")
                conn.execute("RELEASE unit")
                outcomes.append((False, exc))
            else:
                conn.execute("RELEASE unit")
                outcomes.append((True, value))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes
