"""The asynchronous invoke queue: durable, retried, bounded by concurrency.

AWS's semantics (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
an event that fails is retried up to MaximumRetryAttempts times (default 2), about one minute
and then two minutes later; an event older than MaximumEventAgeInSeconds is dropped; either way
it then goes to the on-failure destination (or the dead-letter queue), if any. The request id
stays the same across retries.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import json
import logging
from collections import Counter, deque
from collections.abc import Callable

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.outcomes import OutcomeWriter
from eventsim.delivery.retry import retry_delay
from eventsim.delivery.worker import Worker
from eventsim.events.destinations import async_destination_record, dead_letter_attributes
from eventsim.ids import new_uuid
from eventsim.runtime.invoker import Invoker
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.service import LambdaService
from eventsim.store import Database
from eventsim.store.outbox import OutboxRow
from eventsim.store.queue import (
    QueuedEvent,
    delete_queued_event,
    insert_queued_event,
    load_queued_events,
)
from eventsim.tracing import MAX_HOPS, Cause

__all__ = ["AsyncInvokeQueue", "destination_kind"]

LOG = logging.getLogger(__name__)


def destination_kind(arn: str) -> str:
    """The outbox target kind for a destination ARN."""
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    return {"lambda": "function", "sqs": "queue", "sns": "topic", "events": "bus"}.get(
        service, "unknown"
    )


def _destination_payload(
    kind: str, record_text: str, row: QueuedEvent, record: InvocationRecord | None,
    dead_letter: bool,
) -> str:
    """The outbox payload for a destination, by the outbox contracts: queues take
    ``{"MessageBody"}``, topics ``{"Message"}``, functions the event itself. A dead-letter queue
    or topic gets the original event with Lambda's three attributes rather than the record."""
    if dead_letter and kind in ("queue", "topic"):
        error = (record.error or {}) if record is not None else {}
        attributes = dead_letter_attributes(
            request_id=row.request_id, error_message=str(error.get("errorMessage", "")))
        key = "MessageBody" if kind == "queue" else "Message"
        return json.dumps({key: row.payload, "MessageAttributes": attributes},
                          separators=(",", ":"))
    if kind == "queue":
        return json.dumps({"MessageBody": record_text}, separators=(",", ":"))
    if kind == "topic":
        return json.dumps({"Message": record_text}, separators=(",", ":"))
    return record_text


class AsyncInvokeQueue(Worker):
    """Invokes queued events as concurrency allows.

    The async_queue table is the durable record; this worker keeps the same events in memory
    (ready now, or delayed until a retry is due) so that it never reads back what writers just
    handed it. At start it loads whatever a previous process left in the table.
    """

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
        self._ready: deque[QueuedEvent] = deque()
        self._delayed: list[tuple[float, int, QueuedEvent]] = []
        self._inflight = 0
        self._per_function: Counter[str] = Counter()
        self._outcomes = OutcomeWriter(db, activity, "invocation")

    async def load(self) -> None:
        """Take over the events a previous process left queued."""
        for event in await self._db.read(load_queued_events):
            self._schedule(event, event.not_before)

    async def aclose(self) -> None:
        await super().aclose()
        # Invocations still running are not recorded: their events run again after a
        # restart (at least once).
        await self._outcomes.aclose()

    def accept(self, events: list[QueuedEvent]) -> None:
        """Take events whose rows have just committed."""
        for event in events:
            self._schedule(event, event.not_before)
        self.wake()

    async def enqueue(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None,
    ) -> str:
        """Queue an Event invocation durably; return its request id (`request_id`, when the
        caller has one: the Invoke request's)."""
        now = self._clock.time()
        event = await self._db.write(lambda c: insert_queued_event(
            c, function=function.ref, payload=payload, cause=cause, now=now,
            request_id=request_id or new_uuid(),
        ))
        self.accept([event])
        return event.request_id

    def inflight(self, function: str) -> int:
        """Asynchronous invocations of ``function`` running now."""
        return self._per_function[function]

    def _schedule(self, item: QueuedEvent, not_before: float) -> None:
        if not_before <= self._clock.time():
            self._ready.append(item)
        else:
            heapq.heappush(self._delayed, (not_before, item.id, item))

    async def step(self) -> float | None:
        now = self._clock.time()
        while self._delayed and self._delayed[0][0] <= now:
            self._ready.append(heapq.heappop(self._delayed)[2])
        held: list[QueuedEvent] = []
        while self._ready and self._inflight < self._max:
            item = self._ready.popleft()
            function = self._functions.peek(item.function)
            if function is None:
                await self._discard_orphan(item)
                continue
            limit = function.reserved_concurrency
            if limit is not None and self._per_function[function.name] >= limit:
                # Throttled: the event waits its turn, as Lambda retries throttled events.
                held.append(item)
                continue
            self._launch(function, item)
        self._ready.extendleft(reversed(held))
        # Events held back by concurrency are woken by a finishing invocation.
        return self._delayed[0][0] if self._delayed else None

    def _launch(self, function: FunctionConfig, item: QueuedEvent) -> None:
        self._inflight += 1
        self._per_function[function.name] += 1
        self._activity.begin("invocation")
        attempt = item.attempt + 1
        if item.cause.hop >= MAX_HOPS and not self._functions.allows_recursion(function.name):
            record = self._invoker.loop_record(function, item.payload, item.cause,
                                               item.request_id, attempt)
            self._done(function, item, record, "RecursiveInvocationLoop")
            return
        if self._clock.time() - item.enqueued_at > function.maximum_event_age:
            self._done(function, item, None, "EventAgeExceeded")
            return
        try:
            self._invoker.start(
                function, item.payload, item.cause,
                functools.partial(self._on_record, function, item),
                request_id=item.request_id, invocation_type="Event", attempt=attempt,
            )
        except Exception:
            LOG.exception("could not start asynchronous invocation %s of %s", item.request_id,
                          function.name)
            self._release(function)
            self._activity.end("invocation")

    def _on_record(
        self, function: FunctionConfig, row: QueuedEvent, record: InvocationRecord | BaseException
    ) -> None:
        """An attempt ended (on the loop): decide what becomes of the event."""
        if isinstance(record, BaseException):
            # Our bug, not the handler's: the event stays in the table for the next start.
            LOG.error("asynchronous invocation %s of %s failed inside eventsim", row.request_id,
                      function.name, exc_info=record)
            self._release(function)
            self._activity.end("invocation")
            return
        attempt = row.attempt + 1
        if record.status == "Success":
            self._done(function, row, record, "Success")
            return
        retry_at = self._clock.time() + retry_delay(attempt)
        too_old = retry_at - row.enqueued_at > function.maximum_event_age
        if attempt <= function.maximum_retry_attempts and not too_old:
            retry = dataclasses.replace(row, attempt=attempt)

            def after_commit() -> None:
                self._schedule(retry, retry_at)
                self.wake()  # to sleep until the retry is due

            self._release(function)
            self._outcomes.retry(record, row.id, attempt, retry_at, after_commit)
            return
        condition = "EventAgeExceeded" if too_old and attempt <= function.maximum_retry_attempts \
            else "RetriesExhausted"
        self._done(function, row, record, condition)

    def _done(
        self, function: FunctionConfig, row: QueuedEvent, record: InvocationRecord | None,
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

        outcome = outbox = None
        if document is not None:
            text = json.dumps(document, separators=(",", ":"))
            outcome = (row.request_id, function.name, condition, destination, text, now)
            if destination is not None:
                kind = destination_kind(destination)
                dead_letter = condition != "Success" and function.on_failure is None
                outbox = OutboxRow(
                    target_kind=kind, target=destination,
                    payload=_destination_payload(kind, text, row, record, dead_letter),
                    cause=row.cause.to_json(), created_at=now,
                )
        self._release(function)
        self._outcomes.finish(record, row.id, outcome, outbox,
                              self._wake_dispatcher if destination is not None else None)

    def _release(self, function: FunctionConfig) -> None:
        self._inflight -= 1
        self._per_function[function.name] -= 1
        self.wake()

    async def _discard_orphan(self, row: QueuedEvent) -> None:
        LOG.warning("dropping event %s for deleted function %s", row.request_id, row.function)
        await self._db.write(lambda c: delete_queued_event(c, row.id))

