"""Receiving and what follows it: ReceiveMessage (long polling, FIFO receive attempts),
DeleteMessage(Batch), ChangeMessageVisibility(Batch), and the simulator's own peek_messages."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from eventsim.services.sqs import handles, storage
from eventsim.services.sqs.batches import apply_each, check_batch
from eventsim.services.sqs.catalog import Catalog
from eventsim.services.sqs.errors import InvalidParameterValue
from eventsim.services.sqs.messages import attributes_md5, body_md5
from eventsim.services.sqs.queues import Queue
from eventsim.services.sqs.wire import shape_received

__all__ = ["ReceiveOperations"]

_ATTEMPT_WINDOW = 300.0
"""Seconds a ReceiveRequestAttemptId is remembered."""


class ReceiveOperations(Catalog):
    """The operations that receive, peek at, delete and hide messages."""

    # -- receiving -------------------------------------------------------------------------

    async def receive_message(
        self,
        *,
        queue_url: str,
        attribute_names: Iterable[str] | None = None,
        message_system_attribute_names: Iterable[str] | None = None,
        message_attribute_names: Iterable[str] | None = None,
        max_number_of_messages: int | None = None,
        visibility_timeout: int | None = None,
        wait_time_seconds: int | None = None,
        receive_request_attempt_id: str | None = None,
    ) -> dict[str, Any]:
        """ReceiveMessage, long polling for up to WaitTimeSeconds when nothing is visible."""
        queue = self._queue(queue_url)
        limit = 1 if max_number_of_messages is None else int(max_number_of_messages)
        if not 1 <= limit <= 10:
            raise InvalidParameterValue(
                f"Value {limit} for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                "between 1 and 10, if provided."
            )
        wait = (queue.int_attribute("ReceiveMessageWaitTimeSeconds")
                if wait_time_seconds is None else int(wait_time_seconds))
        if not 0 <= wait <= 20:
            raise InvalidParameterValue(
                f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                "and <= 20, if provided."
            )
        longest = handles.MAX_VISIBILITY
        if visibility_timeout is not None and not 0 <= int(visibility_timeout) <= longest:
            raise InvalidParameterValue(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
                f"Reason: Must be >= 0 and <= {longest}, if provided."
            )
        system_names = [*(attribute_names or []), *(message_system_attribute_names or [])]
        clock = self._ctx.clock
        attempt = (queue.name, receive_request_attempt_id) \
            if queue.fifo and receive_request_attempt_id else None
        if attempt is not None:
            repeated = await self._repeat_attempt(queue, attempt)
            if repeated is not None:
                return _received(repeated, system_names, message_attribute_names)
        deadline = clock.time() + wait
        while True:
            queue = self._queue(queue_url)
            arrival = self._arrivals.setdefault(queue.name, asyncio.Event())
            now = clock.time()
            visibility = (queue.int_attribute("VisibilityTimeout")
                          if visibility_timeout is None else int(visibility_timeout))
            outcome = await self._ctx.db.write(
                _receive_unit(queue, limit, visibility, now, self._by_arn.get)
            )
            if outcome.moved_to:
                self._wake(outcome.moved_to)
            now = clock.time()
            if outcome.messages or now >= deadline:
                break
            until = deadline if outcome.next_visible is None else min(deadline,
                                                                      outcome.next_visible)
            if until > now:  # (a zero wait on a virtual clock would only end when it moves)
                await clock.wait(arrival, until - now, daemon=True)
        if attempt is not None and outcome.messages:
            self._remember_attempt(attempt, outcome.messages)
        return _received(outcome.messages, system_names, message_attribute_names)

    async def peek_messages(
        self, *, queue_url: str, max_number_of_messages: int | None = None,
        after_position: int = 0,
    ) -> dict[str, Any]:
        """Every unexpired message of the queue, oldest first, without receiving any.

        Not an SQS operation (SQS has no way to look without receiving, so the gateway does
        not serve it): scenario expectations, the console and tests use it to see a queue,
        DLQs and destinations included, as it is. Nothing changes: no receipt handle is
        issued, no receive is counted (a redrive policy never sees it), nothing is hidden.
        Each message has ``MessageId``, ``MD5OfBody``, ``Body``, ``Attributes`` (the system
        attributes, ``ApproximateReceiveCount`` as it stands), ``MessageAttributes`` when it
        has some, ``State``: ``Visible``, ``InFlight`` or ``Delayed``, ``VisibleAt`` (epoch
        seconds: when a delayed or in-flight message becomes visible) and ``Position`` (its
        place in arrival order: pass the last one seen as `after_position` to page on).
        """
        queue = self._queue(queue_url)
        if max_number_of_messages is not None and int(max_number_of_messages) < 1:
            raise InvalidParameterValue(
                f"Value {max_number_of_messages} for parameter MaxNumberOfMessages is invalid. "
                "Reason: Must be at least 1, if provided.")
        limit = None if max_number_of_messages is None else int(max_number_of_messages)
        now = self._ctx.clock.time()
        peeked = await self._ctx.db.read(
            lambda c: storage.peek(c, queue, now, limit, after_position))
        messages = []
        for message in peeked:
            shaped: dict[str, Any] = {"MessageId": message.message_id,
                                      "MD5OfBody": body_md5(message.body),
                                      "Body": message.body, "Attributes": message.system}
            if message.attributes:
                shaped["MD5OfMessageAttributes"] = attributes_md5(message.attributes)
                shaped["MessageAttributes"] = message.attributes
            shaped["State"] = message.state
            shaped["VisibleAt"] = message.visible_at
            shaped["Position"] = message.seq
            messages.append(shaped)
        return {"Messages": messages}

    async def _repeat_attempt(
        self, queue: Queue, attempt: tuple[str, str]
    ) -> list[storage.Received] | None:
        """A FIFO receive retried with the same ReceiveRequestAttemptId within five minutes gets
        the same messages, while they are all still in flight under the handles it gave."""
        now = self._ctx.clock.time()
        cached = self._attempts.get(attempt)
        if cached is None or cached[0] <= now:
            return None
        messages = cached[1]
        held = await self._ctx.db.read(lambda c: storage.in_flight_count(
            c, queue, [m.receipt_handle for m in messages], now))
        return messages if held == len(messages) else None

    def _remember_attempt(self, attempt: tuple[str, str], messages: list[storage.Received]) -> None:
        now = self._ctx.clock.time()
        for key in [k for k, (until, _) in self._attempts.items() if until <= now]:
            del self._attempts[key]
        self._attempts[attempt] = (now + _ATTEMPT_WINDOW, messages)

    # -- deleting and visibility -----------------------------------------------------------

    async def delete_message(self, *, queue_url: str, receipt_handle: str) -> dict[str, Any]:
        """DeleteMessage. On a standard queue an older handle of the message deletes it too;
        on a FIFO queue only the latest, while the message is still in flight."""
        queue = self._queue(queue_url)
        now = self._ctx.clock.time()
        await self._ctx.db.write(lambda c: handles.delete(c, queue, receipt_handle, now))
        return {}

    async def delete_message_batch(
        self, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """DeleteMessageBatch."""
        queue = self._queue(queue_url)
        check_batch(entries, "DeleteMessageBatchRequestEntry")
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> dict[str, Any]:
            return apply_each(entries, lambda entry: handles.delete(
                conn, queue, str(entry.get("ReceiptHandle", "")), now))

        return await self._ctx.db.write(unit)

    async def change_message_visibility(
        self, *, queue_url: str, receipt_handle: str, visibility_timeout: int
    ) -> dict[str, Any]:
        """ChangeMessageVisibility: the message becomes visible `visibility_timeout` seconds
        from now (0: at once)."""
        queue = self._queue(queue_url)
        now = self._ctx.clock.time()
        await self._ctx.db.write(
            lambda c: handles.change_visibility(c, queue, receipt_handle, visibility_timeout, now)
        )
        if int(visibility_timeout) == 0:
            self._wake([queue.name])
        return {}

    async def change_message_visibility_batch(
        self, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """ChangeMessageVisibilityBatch."""
        queue = self._queue(queue_url)
        check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> dict[str, Any]:
            return apply_each(entries, lambda entry: handles.change_visibility(
                conn, queue, str(entry.get("ReceiptHandle", "")),
                entry.get("VisibilityTimeout", 0), now))

        result = await self._ctx.db.write(unit)
        self._wake([queue.name])
        return result


def _receive_unit(
    queue: Queue, limit: int, visibility: int, now: float,
    dead_letter_queue: storage.DeadLetterLookup,
) -> Callable[[sqlite3.Connection], storage.ReceiveOutcome]:
    def unit(conn: sqlite3.Connection) -> storage.ReceiveOutcome:
        return storage.receive(conn, queue, limit=limit, visibility=visibility, now=now,
                               dead_letter_queue=dead_letter_queue)

    return unit


def _received(
    messages: list[storage.Received], system_names: list[str],
    attribute_names: Iterable[str] | None,
) -> dict[str, Any]:
    shaped = [shape_received(m, system_names, attribute_names) for m in messages]
    return {"Messages": shaped} if shaped else {}
