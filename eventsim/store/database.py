"""The SQLite database: one connection, batched commits, and no thread hop for small work.

Work is expressed as *units*: plain functions ``fn(conn: sqlite3.Connection) -> T`` that run
on the connection as a whole, never a statement at a time:

- `read(fn)` runs a unit outside any write transaction.
- `write(fn)` queues a unit; the writer runs every unit queued at that moment inside ONE
  transaction, each under its own SAVEPOINT (a unit that raises is rolled back alone and its
  caller gets the exception), then commits once. A commit per row costs about ten times a
  batched one, and concurrent writers (a burst of PutObject calls) share a commit.
  A write that finds nothing else in flight commits at once, without waiting a turn of the
  loop: a sequential client (one boto3 call after another) waits for every commit. Writes
  arriving later in the same turn queue behind it as above.

Where a unit runs. aiosqlite owns the connection and its thread. Handing a unit to that
thread and getting the answer back costs two thread wake-ups, about 85 us on the machines
this is built on, while a WAL commit of a few rows costs about 10 us. So small units (a read,
a batch of up to `INLINE_UNITS` writes) run on the event loop's thread, and large batches,
batches holding a unit marked ``heavy=True`` (one that writes many rows, such as a burst of
invocation records), migrations and reads marked ``offload=True`` (big object bodies) go to
aiosqlite's thread, so that the loop never stalls for long. The two never overlap: while the
thread has the connection, inline work waits for it.

`write` returns only after the commit, so an accepted write is durable (WAL with
synchronous=NORMAL survives a killed process).

Units without a savepoint. A unit that can only fail before it has changed anything (its
checks come first, and a statement that fails leaves nothing behind) may say so:
``write(fn, savepoint=False)`` runs it in a shared transaction without its SAVEPOINT and
RELEASE, two of the four or five statements of a PutObject. Should such a unit raise after
all with rows changed (``total_changes`` moved), nothing can undo its writes alone: the whole
transaction rolls back and every unit in it fails, so a partial write is never committed.
Such units must not run DDL (SQLite does not count it as a change).

Buffered units. Python's sqlite3 lets go of the GIL for every statement and must take it back
after, which on a busy simulator means waiting for whoever holds it (see
`eventsim.store.bulk`). A burst of PutObject calls makes two one-row statements per put. A
unit written with ``write(fn, buffered=True)`` instead adds its rows to `Database.rows` (a
`RowBuffer`), and the writer inserts the rows of all such units many to a statement: before
any unit that is not buffered runs (it may read them, or change what they depend on) and
before COMMIT. A buffered unit that fails has its rows discarded with it. Alone in its
transaction, a buffered unit's rows go to the connection at once (there is nothing to share a
statement with). A buffered unit must not read rows that buffered units write.

Checkpoints. Left to itself, SQLite checkpoints inside the commit that takes the WAL past 1,000
pages: that commit copies the WAL into the database file and syncs it, milliseconds instead of
tens of microseconds, on the event loop. A file database therefore runs with
``wal_autocheckpoint=0`` and checkpoints every `CHECKPOINT_EVERY` commits, in two passes:

1. On a second connection of its own, in a thread, while writes go on. This pass does nearly
   all the work, and nearly all of that is the two syncs (the WAL's, then the database file's):
   about 6 ms of a 7 ms checkpoint on the machines this is built on, against 0.4 ms without
   them. Writes do not wait for it (a WAL checkpointer and a writer hold different locks).
2. On aiosqlite's thread with writes held, only when commits arrived during the first pass:
   it copies just those, and since no write runs during it, the checkpoint completes and the
   WAL starts over instead of growing.

Durability is unchanged: a commit is durable once it is in the WAL.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from eventsim.errors import SimulatorStateError
from eventsim.store.bulk import RowBuffer
from eventsim.store.migrate import migrate

__all__ = ["INLINE_UNITS", "Database", "Unit"]

LOG = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], T]

INLINE_UNITS = 64
"""Write batches up to this many units commit on the event loop's thread."""

CHECKPOINT_EVERY = 256
"""Commits between WAL checkpoints (see the module's docstring)."""

# Cap on units per transaction, so one huge burst still commits in reasonable slices.
_MAX_BATCH = 2000


_Pending = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]", bool, bool]
"""A queued unit, the future its caller awaits, whether the unit runs under a savepoint and
whether it is buffered (a tuple: one is made per write)."""

_Unit = tuple[Callable[[sqlite3.Connection], Any], bool, bool]
"""A unit, whether it runs under a savepoint and whether it is buffered."""


class Database:
    """An open SQLite database. Use as ``async with Database(path) as db:``."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._aio: aiosqlite.Connection | None = None
        self._conn: sqlite3.Connection | None = None
        self._queue: list[_Pending] = []
        self._flush_scheduled = False
        self._turn_taken = False
        """A write committed at once in this turn of the loop (later ones queue)."""
        self._writer: asyncio.Task[None] | None = None
        self._heavy = False
        """A heavy unit is queued: the next batch commits on aiosqlite's thread."""
        self._offloaded: asyncio.Future[None] | None = None
        """Set while aiosqlite's thread has the connection."""
        self._closed = False
        self._checkpoints = False
        """Whether this database checkpoints its WAL itself (files do, ``:memory:`` has none)."""
        self._checkpoint_at = CHECKPOINT_EVERY
        self._checkpointing: asyncio.Task[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None
        """The first pass's connection (see the module's docstring), opened at its first use."""
        self.checkpoints = 0
        """How many WAL checkpoints have run (for tests)."""
        self.commits = 0
        """How many write transactions have committed (for benchmarks and tests)."""
        self.rows = RowBuffer()
        """Where buffered units insert their rows (see the module's docstring); only while
        such a unit runs."""
        self.commit_listeners: list[Callable[[], None]] = []
        """Called after every commit, on the loop: cheap and synchronous (set an event, never
        do I/O). The console's live feed wakes on it instead of polling tables."""

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Connect, set the pragmas and apply pending migrations."""
        if self._aio is not None or self._closed:
            raise SimulatorStateError("Cannot open a database more than once.")
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so Python's sqlite3 module
        # never opens a transaction behind our back. check_same_thread=False: the loop's
        # thread uses the connection too, never at the same time as aiosqlite's (see above).
        self._aio = await aiosqlite.connect(
            self.path, isolation_level=None, check_same_thread=False
        )
        self._conn = self._aio._conn
        try:
            await self._offload(_configure)
            await self._offload(migrate)
        except BaseException:
            # A file that is not a database (or a failed migration) must not leave
            # aiosqlite's worker thread behind: it is not a daemon, and the process
            # would never exit.
            await self._aio.close()
            self._aio = None
            self._conn = None
            self._closed = True
            raise
        if self.path != ":memory:":
            await self._offload(lambda conn: conn.execute("PRAGMA wal_autocheckpoint=0"))
            self._checkpoints = True

    async def aclose(self) -> None:
        """Flush queued writes and close. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            with suppress(Exception):
                await self._writer
        if self._offloaded is not None:
            with suppress(Exception):
                await asyncio.shield(self._offloaded)
        while self._queue:
            batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
            await self._commit_batch(batch)
        if self._checkpointing is not None:
            with suppress(Exception):
                await self._checkpointing
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._aio is not None:
            await self._aio.close()
            self._aio = None
            self._conn = None

    async def read(self, fn: Callable[[sqlite3.Connection], T], *, offload: bool = False) -> T:
        """Run a read-only unit; ``offload`` sends it to aiosqlite's thread (for reads that
        may take long, such as large object bodies)."""
        if offload:
            return await self._offload(fn)
        while self._offloaded is not None:
            await asyncio.shield(self._offloaded)
        return fn(self._connection())

    async def write(
        self, fn: Callable[[sqlite3.Connection], T], *, savepoint: bool = True,
        heavy: bool = False, buffered: bool = False,
    ) -> T:
        """Run a unit in a (shared) write transaction; return its result once committed.
        ``savepoint=False``: the unit fails only before it writes (see the module's
        docstring). ``heavy``: the unit writes many rows; its batch commits on aiosqlite's
        thread rather than stalling the loop. ``buffered``: the unit inserts through
        `rows` (see the module's docstring)."""
        if self._closed or self._aio is None:
            raise SimulatorStateError("The database is closed.")
        loop = asyncio.get_running_loop()
        if heavy:
            self._heavy = True
        elif not (self._flush_scheduled or self._queue or self._turn_taken
                or self._writer is not None or self._offloaded is not None):
            # Nothing else is in flight: commit now rather than a loop turn later (a
            # sequential client waits for every commit). Writes arriving later in this same
            # turn queue up and share the next commit, as usual.
            self._turn_taken = True
            loop.call_soon(self._next_turn)
            ok, value = _apply_one(self._connection(), fn, self.rows if buffered else None)
            self._committed()
            if ok:
                return cast(T, value)
            raise value
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((fn, future, savepoint, buffered))
        if not self._flush_scheduled:
            # After the callbacks that are ready now, which may queue more units: those that
            # arrive together commit together.
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _next_turn(self) -> None:
        self._turn_taken = False

    def _committed(self) -> None:
        self.commits += 1
        for listener in self.commit_listeners:
            listener()
        if self._checkpoints and self.commits >= self._checkpoint_at:
            self._start_checkpoint()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise SimulatorStateError("The database is closed.")
        return self._conn

    async def _offload(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a unit on aiosqlite's thread, with the connection to itself."""
        aio = self._aio
        if aio is None:
            raise SimulatorStateError("The database is closed.")
        while self._offloaded is not None:
            await asyncio.shield(self._offloaded)
        done = self._offloaded = asyncio.get_running_loop().create_future()
        try:
            # aiosqlite's public API hops threads per statement; _execute runs one callable on
            # its connection thread, which is the whole point of units.
            return await aio._execute(fn, self._connection())  # type: ignore[no-untyped-call,no-any-return]
        finally:
            self._offloaded = None
            done.set_result(None)

    def _flush(self) -> None:
        """Commit what is queued: here and now when it is small and the connection is free,
        else in the writer task (which then takes everything queued until it runs dry)."""
        self._flush_scheduled = False
        if self._writer is not None or not self._queue or self._closed:
            return
        if len(self._queue) <= INLINE_UNITS and self._offloaded is None and not self._heavy:
            batch, self._queue = self._queue, []
            self._settle(batch, self._apply_inline(batch))
            return
        self._writer = asyncio.create_task(self._drain(), name="eventsim-db-writer")

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
                heavy, self._heavy = self._heavy, False
                await self._commit_batch(batch, heavy)
        finally:
            self._writer = None

    async def _commit_batch(self, batch: list[_Pending], heavy: bool = False) -> None:
        if len(batch) <= INLINE_UNITS and not heavy:
            while self._offloaded is not None:
                await asyncio.shield(self._offloaded)
            self._settle(batch, self._apply_inline(batch))
            return
        units = [(fn, savepoint, buffered) for fn, _, savepoint, buffered in batch]
        try:
            outcomes = await self._offload(lambda conn: _apply(conn, units, self.rows))
        except BaseException as exc:
            self._fail(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return
        self._settle(batch, outcomes)

    def _apply_inline(self, batch: list[_Pending]) -> list[tuple[bool, Any]] | None:
        try:
            return _apply(self._connection(),
                          [(fn, savepoint, buffered) for fn, _, savepoint, buffered in batch],
                          self.rows)
        except Exception as exc:
            self._fail(batch, exc)
            return None

    def _start_checkpoint(self) -> None:
        if self._checkpointing is not None or self._closed:
            return
        self._checkpoint_at = self.commits + CHECKPOINT_EVERY
        self._checkpointing = asyncio.get_running_loop().create_task(
            self._checkpoint(), name="eventsim-db-checkpoint"
        )

    async def _checkpoint(self) -> None:
        try:
            commits = self.commits
            # Frames that commits appended during the first pass are not counted in what it
            # reports: whether any commit came is told by the count.
            if await asyncio.to_thread(self._checkpoint_beside) or self.commits != commits:
                await self._offload(_checkpoint)
            self.checkpoints += 1
        except Exception:
            LOG.warning("WAL checkpoint failed", exc_info=True)
        finally:
            self._checkpointing = None

    def _checkpoint_beside(self) -> bool:
        """The first pass, on its own connection (in a worker thread); True if it could not
        copy every frame it found."""
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False
            )
            self._checkpointer.execute("PRAGMA synchronous=NORMAL")
        # fetchall: a statement left unfinished would keep a read lock, and the WAL could
        # never start over.
        [(busy, frames, copied)] = self._checkpointer.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchall()
        return bool(busy) or frames > copied

    def _fail(self, batch: list[_Pending], exc: BaseException) -> None:
        """The commit itself failed: every unit fails with it."""
        for _, future, _, _ in batch:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else
                                     RuntimeError("database writer stopped"))
        if isinstance(exc, Exception):
            LOG.error("write transaction failed", exc_info=exc)

    def _settle(self, batch: list[_Pending], outcomes: list[tuple[bool, Any]] | None) -> None:
        if outcomes is None:
            return
        self._committed()
        for (_, future, _, _), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a committed transaction survives a killed process (the case we
    # promise); only an OS crash or power loss may lose the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def _checkpoint(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _apply(
    conn: sqlite3.Connection, units: list[_Unit], rows: RowBuffer
) -> list[tuple[bool, Any]]:
    if len(units) == 1:
        fn, _, buffered = units[0]
        return [_apply_one(conn, fn, rows if buffered else None)]
    outcomes: list[tuple[bool, Any]] = []
    # The savepoint statements go through one cursor: `conn.execute` makes a new cursor per
    # call, and a batch makes two such calls per unit.
    execute = conn.cursor().execute
    conn.execute("BEGIN IMMEDIATE")
    try:
        for fn, savepoint, buffered in units:
            if not buffered:
                rows.flush(conn)  # it may read the buffered rows, or change what they rely on
            mark = rows.mark()
            if not savepoint:
                changes = conn.total_changes
                try:
                    value = fn(conn)
                except Exception as exc:
                    if conn.total_changes != changes or not conn.in_transaction:
                        raise  # it wrote before failing: the whole batch fails (module doc)
                    rows.discard(mark)
                    outcomes.append((False, exc))
                else:
                    outcomes.append((True, value))
                continue
            execute("SAVEPOINT unit")
            try:
                value = fn(conn)
            except Exception as exc:
                execute("ROLLBACK TO unit")
                execute("RELEASE unit")
                rows.discard(mark)
                outcomes.append((False, exc))
            else:
                execute("RELEASE unit")
                outcomes.append((True, value))
        rows.flush(conn)
        conn.execute("COMMIT")
    except BaseException:
        rows.reset()
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _apply_one(
    conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any],
    rows: RowBuffer | None = None,
) -> tuple[bool, Any]:
    # A unit alone needs no savepoint: if it raises, the whole transaction is its own. Its
    # buffered rows, if any, have nothing to share a statement with: they go in at once.
    conn.execute("BEGIN IMMEDIATE")
    if rows is not None:
        rows.begin_direct(conn)
    try:
        value = fn(conn)
    except Exception as exc:
        conn.execute("ROLLBACK")
        return False, exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        if rows is not None:
            rows.end_direct()
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True, value
