"""The asynchronous invoke queue: durable, retried, bounded by concurrency.

AWS's semantics (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
an event that fails is retried up to MaximumRetryAttempts times (default 2), about one minute
and then two minutes later; an event older than MaximumEventAgeInSeconds is dropped; either way
it then goes to the on-failure destination (or the dead-letter queue), if any. The request id
stays the same across retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.retry import retry_delay
from eventsim.delivery.worker import Worker
from eventsim.events.destinations import async_destination_record
from eventsim.runtime.invoker import Invoker
from eventsim.services.lambda_.invocations import InvocationRecord, insert_invocation
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.service import LambdaService
from eventsim.store import Database
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.tracing import MAX_HOPS, Cause

__all__ = ["AsyncInvokeQueue", "add_queued_event", "destination_kind"]

LOG = logging.getLogger(__name__)


def add_queued_event(
    conn: sqlite3.Connection, function: str, payload: str, cause: str, now: float,
    request_id: str | None = None,
) -> str:
    """Queue an event for `function` inside the caller's unit; return its request id."""
    request_id = request_id or str(uuid.uuid4())
    conn.execute(
        "INSERT INTO async_queue (function, payload, attempt, not_before, enqueued_at, "
        "request_id, cause) VALUES (?,?,0,?,?,?,?)",
        (function, payload, now, now, request_id, cause),
    )
    return request_id


def destination_kind(arn: str) -> str:
    """The outbox target kind for a destination ARN."""
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    return {"lambda": "function", "sqs": "queue", "sns": "topic", "events": "bus"}.get(
        service, "unknown"
    )


@dataclass(frozen=True)
class _Queued:
    id: int
    function: str
    payload: str
    attempt: int
    enqueued_at: float
    request_id: str
    cause: Cause


class AsyncInvokeQueue(Worker):
    """Takes due events off the queue and invokes their functions."""

    name = "async-queue"

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        activity: Activity,
        invoker: Invoker,
        functions: LambdaService,
        max_concurrency: int,
        wake_dispatcher: Callable[[], None],
    ) -> None:
        super().__init__(clock, activity)
        self._db = db
        self._invoker = invoker
        self._functions = functions
        self._max = max_concurrency
        self._wake_dispatcher = wake_dispatcher
        self._inflight: set[int] = set()
        self._per_function: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        await super().aclose()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def enqueue(self, function: FunctionConfig, payload: str, cause: Cause) -> str:
        """Queue an Event invocation durably; return its request id."""
        now = self._clock.time()
        request_id = await self._db.write(
            lambda c: add_queued_event(c, function.name, payload, cause.to_json(), now)
        )
        self.wake()
        return request_id

    async def step(self) -> float | None:
        now = self._clock.time()
        room = self._max - len(self._inflight)
        rows, next_due = await self._db.read(
            lambda c: _due(c, now, room + len(self._inflight))
        )
        blocked = False
        for row in rows:
            if row.id in self._inflight:
                continue
            if len(self._inflight) >= self._max:
                blocked = True
                break
            function = self._function(row.function)
            if function is None:
                await self._discard_orphan(row)
                continue
            limit = function.reserved_concurrency
            if limit is not None and self._per_function[function.name] >= limit:
                # Throttled: the event waits in the queue, as Lambda retries throttles.
                blocked = True
                continue
            self._launch(function, row)
        # When capacity is what holds events back, a finishing invocation wakes us.
        return next_due if not blocked or next_due is not None else None

    def _function(self, name: str) -> FunctionConfig | None:
        return self._functions.peek(name)

    def _launch(self, function: FunctionConfig, row: _Queued) -> None:
        self._inflight.add(row.id)
        self._per_function[function.name] += 1
        self._activity.begin("invocation")
        task = asyncio.create_task(self._attempt(function, row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt(self, function: FunctionConfig, row: _Queued) -> None:
        try:
            await self._attempt_once(function, row)
        except asyncio.CancelledError:
            raise
        except Exception:
            LOG.exception("asynchronous invocation %s of %s failed inside eventsim",
                          row.request_id, function.name)
        finally:
            self._inflight.discard(row.id)
            self._per_function[function.name] -= 1
            self.wake()
            self._activity.end("invocation")

    async def _attempt_once(self, function: FunctionConfig, row: _Queued) -> None:
        now = self._clock.time()
        attempt = row.attempt + 1
        if row.cause.hop >= MAX_HOPS:
            record = self._invoker.loop_record(function, row.payload, row.cause, row.request_id,
                                               attempt)
            await self._finish(function, row, record, "RecursiveInvocationLoop")
            return
        if now - row.enqueued_at > function.maximum_event_age:
            await self._finish(function, row, None, "EventAgeExceeded")
            return
        record = await self._invoker.run(
            function, row.payload, row.cause, request_id=row.request_id,
            invocation_type="Event", attempt=attempt,
        )
        if record.status == "Success":
            await self._finish(function, row, record, "Success")
            return
        delay = retry_delay(attempt)
        retry_at = self._clock.time() + delay
        too_old = retry_at - row.enqueued_at > function.maximum_event_age
        if attempt <= function.maximum_retry_attempts and not too_old:
            def unit(conn: sqlite3.Connection) -> None:
                insert_invocation(conn, record)
                conn.execute(
                    "UPDATE async_queue SET attempt = ?, not_before = ? WHERE id = ?",
                    (attempt, retry_at, row.id),
                )
            await self._db.write(unit)
            return
        condition = "EventAgeExceeded" if too_old and attempt <= function.maximum_retry_attempts \
            else "RetriesExhausted"
        await self._finish(function, row, record, condition)

    async def _finish(
        self, function: FunctionConfig, row: _Queued, record: InvocationRecord | None,
        condition: str,
    ) -> None:
        """Remove the event and, where configured, send the destination record."""
        now = self._clock.time()
        destination = function.on_success if condition == "Success" else (
            function.on_failure or function.dead_letter_target
        )
        document = None
        if condition != "Success" or destination is not None:
            document = async_destination_record(
                request_id=row.request_id, function_arn=function.arn, version=function.version,
                condition=condition, approximate_invoke_count=row.attempt + (record is not None),
                request_payload=row.payload,
                response_payload=(record.result if record and record.status == "Success"
                                  else json.dumps(record.error) if record and record.error
                                  else None),
                function_error=None if record is None or record.status == "Success"
                else "Unhandled",
                timestamp=now,
            )

        def unit(conn: sqlite3.Connection) -> None:
            if record is not None:
                insert_invocation(conn, record)
            conn.execute("DELETE FROM async_queue WHERE id = ?", (row.id,))
            if document is None:
                return
            text = json.dumps(document, separators=(",", ":"))
            conn.execute(
                "INSERT INTO async_outcomes (request_id, function, condition, destination, "
                "record, created_at) VALUES (?,?,?,?,?,?)",
                (row.request_id, function.name, condition, destination, text, now),
            )
            if destination is not None:
                add_outbox_row(conn, OutboxRow(
                    target_kind=destination_kind(destination), target=destination,
                    payload=text, cause=row.cause.to_json(), created_at=now,
                ))

        await self._db.write(unit)
        if destination is not None:
            self._wake_dispatcher()

    async def _discard_orphan(self, row: _Queued) -> None:
        LOG.warning("dropping event %s for deleted function %s", row.request_id, row.function)
        await self._db.write(
            lambda c: c.execute("DELETE FROM async_queue WHERE id = ?", (row.id,))
        )


def _due(conn: sqlite3.Connection, now: float, limit: int) -> tuple[list[_Queued], float | None]:
    rows = conn.execute(
        "SELECT id, function, payload, attempt, enqueued_at, request_id, cause FROM async_queue "
        "WHERE not_before <= ? ORDER BY not_before, id LIMIT ?",
        (now, max(limit, 1)),
    ).fetchall()
    later = conn.execute(
        "SELECT MIN(not_before) FROM async_queue WHERE not_before > ?", (now,)
    ).fetchone()[0]
    return (
        [
            _Queued(id=r["id"], function=r["function"], payload=r["payload"],
                    attempt=r["attempt"], enqueued_at=r["enqueued_at"],
                    request_id=r["request_id"], cause=Cause.from_json(r["cause"]))
            for r in rows
        ],
        later,
    )

