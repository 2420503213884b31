"""The dispatcher: hands outbox rows on to their targets.

A function target becomes a row in the asynchronous invoke queue (S3 and SNS invoke functions
asynchronously). Other target kinds (topics, queues) are delivered by handlers that their
services register; a kind nobody handles is logged and dropped, because its configuration
could not have been accepted in the first place.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.worker import Worker
from eventsim.ids import new_uuid
from eventsim.services.lambda_.arns import function_ref
from eventsim.store import Database
from eventsim.store.outbox import OutboxRow, take_outbox_rows
from eventsim.store.queue import QueuedEvent, insert_queued_event
from eventsim.tracing import Cause

__all__ = ["Deliver", "Dispatcher"]

LOG = logging.getLogger(__name__)

_BATCH = 1000

Deliver = Callable[[sqlite3.Connection, OutboxRow], None]
"""Hands one row on, inside the dispatcher's unit (the hand-off and the delete commit together)."""


class Dispatcher(Worker):
    """Drains the outbox in batches, each batch in one transaction."""

    name = "dispatcher"

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        activity: Activity,
        accept_events: Callable[[list[QueuedEvent]], None],
    ) -> None:
        super().__init__(clock, activity)
        self._db = db
        self._accept_events = accept_events
        self._queued: list[QueuedEvent] = []
        self._deliver: dict[str, Deliver] = {"function": self._to_function}
        self._after: dict[str, Callable[[], None]] = {}

    def register(self, kind: str, deliver: Deliver, after_commit: Callable[[], None]) -> None:
        """Let a service take rows of `kind`; `after_commit` wakes whatever consumes them."""
        self._deliver[kind] = deliver
        self._after[kind] = after_commit

    def _to_function(self, conn: sqlite3.Connection, row: OutboxRow) -> None:
        self._queued.append(insert_queued_event(
            conn, function=function_ref(row.target), payload=row.payload,
            cause=Cause.from_json(row.cause), cause_json=row.cause, now=row.created_at,
            request_id=new_uuid(),
        ))

    async def step(self) -> float | None:
        while True:
            self._queued = []
            kinds = await self._db.write(self._drain)
            if self._queued:
                self._accept_events(self._queued)
            for kind in kinds:
                wake = self._after.get(kind)
                if wake is not None:
                    wake()
            if not kinds:
                return None

    def _drain(self, conn: sqlite3.Connection) -> set[str]:
        rows = take_outbox_rows(conn, _BATCH)
        kinds: set[str] = set()
        for row in rows:
            deliver = self._deliver.get(row.target_kind)
            if deliver is None:
                LOG.error("no delivery for %s target %s; event dropped", row.target_kind,
                          row.target)
            else:
                deliver(conn, row)
                kinds.add(row.target_kind)
        if rows:
            conn.execute("DELETE FROM outbox WHERE id <= ?", (rows[-1].id,))
            kinds.add("")  # something was drained: look again
        return kinds
