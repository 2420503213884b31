"""Writing what became of asynchronous attempts, many at a time.

Attempts finish in bursts (a mailbox drain hands over every invocation that ended meanwhile),
so their records, queue updates and destination rows are gathered and written by one unit with
one statement per table: per-row statements and savepoints cost more than the rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from eventsim.activity import Activity
from eventsim.services.lambda_.invocations import InvocationRecord, insert_invocations
from eventsim.store import Database
from eventsim.store.bulk import delete_ids
from eventsim.store.outbox import OutboxRow, add_outbox_rows

__all__ = ["OutcomeWriter"]

LOG = logging.getLogger(__name__)

HEAVY = 32
"""How many outcomes make a unit heavy (`Database.write`): it then commits on the database's
thread, and the loop goes on launching invocations instead of waiting for the rows."""


@dataclass
class _Batch:
    invocations: list[InvocationRecord] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    retries: list[tuple[int, float, int]] = field(default_factory=list)
    outcomes: list[tuple[str, str, str, str | None, str, float]] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    pieces: int = 0

    def apply(self, conn: sqlite3.Connection) -> None:
        if self.invocations:
            insert_invocations(conn, self.invocations)
        if self.retries:
            conn.executemany(
                "UPDATE async_queue SET attempt = ?, not_before = ? WHERE id = ?", self.retries
            )
        if self.deletes:
            delete_ids(conn, "async_queue", self.deletes)
        if self.outcomes:
            conn.executemany(
                "INSERT INTO async_outcomes (request_id, function, condition, destination, "
                "record, created_at) VALUES (?,?,?,?,?,?)",
                self.outcomes,
            )
        if self.outbox:
            add_outbox_rows(conn, self.outbox)


class OutcomeWriter:
    """Gathers outcomes and writes them in shared units.

    Each outcome ends one piece of ``activity`` once it has committed (its attempt began it),
    so `Simulator.settle()` waits for the record, not only for the handler.
    """

    def __init__(self, db: Database, activity: Activity, who: str) -> None:
        self._db = db
        self._activity = activity
        self._who = who
        self._batch = _Batch()
        self._flusher: asyncio.Task[None] | None = None

    def retry(
        self, record: InvocationRecord, queue_id: int, attempt: int, not_before: float,
        after_commit: Callable[[], None],
    ) -> None:
        """The attempt failed and the event waits for another."""
        batch = self._batch
        batch.invocations.append(record)
        batch.retries.append((attempt, not_before, queue_id))
        self._add(after_commit)

    def finish(
        self,
        record: InvocationRecord | None,
        queue_id: int,
        outcome: tuple[str, str, str, str | None, str, float] | None = None,
        outbox: OutboxRow | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        """The event leaves the queue: recorded (if it ran), with where it ended and the row
        for its destination, if any."""
        batch = self._batch
        if record is not None:
            batch.invocations.append(record)
        batch.deletes.append(queue_id)
        if outcome is not None:
            batch.outcomes.append(outcome)
        if outbox is not None:
            batch.outbox.append(outbox)
        self._add(after_commit)

    def _add(self, after_commit: Callable[[], None] | None) -> None:
        batch = self._batch
        batch.pieces += 1
        if after_commit is not None:
            batch.after_commit.append(after_commit)
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="eventsim-outcomes")

    async def aclose(self) -> None:
        """Finish the write under way (outcomes not yet gathered into one are not written:
        their events run again after a restart, at least once)."""
        if self._flusher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher

    async def _flush(self) -> None:
        try:
            while self._batch.pieces:
                await asyncio.sleep(0)  # let the outcomes of one mailbox drain gather
                batch, self._batch = self._batch, _Batch()
                try:
                    await self._db.write(batch.apply, heavy=batch.pieces >= HEAVY)
                except Exception:
                    LOG.exception("recording %d asynchronous outcomes failed; their events "
                                  "run again after a restart", batch.pieces)
                else:
                    for after_commit in batch.after_commit:
                        after_commit()
                for _ in range(batch.pieces):
                    self._activity.end(self._who)
        finally:
            self._flusher = None
