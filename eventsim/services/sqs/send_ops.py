"""Sending: SendMessage and SendMessageBatch, each message checked by
`SendOperations._prepare` and enqueued in one unit per call."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from eventsim.errors import AwsError
from eventsim.services.base import record_traced_write
from eventsim.services.sqs import storage
from eventsim.services.sqs.batches import check_batch, failure
from eventsim.services.sqs.catalog import SENDER_ID, Catalog
from eventsim.services.sqs.errors import (
    BatchRequestTooLong,
    InvalidParameterValue,
    QueueDoesNotExist,
)
from eventsim.services.sqs.messages import (
    attributes_md5,
    message_size,
    validate_body,
    validate_message_attributes,
)
from eventsim.services.sqs.queues import DEFAULT_MAX_MESSAGE_SIZE, Queue
from eventsim.services.sqs.wire import Outgoing, loose_attributes
from eventsim.tracing import Cause, current_trace

__all__ = ["SendOperations"]

T = TypeVar("T")



class SendOperations(Catalog):
    """The operations that put messages in a queue."""

    # -- sending ---------------------------------------------------------------------------

    async def send_message(
        self,
        *,
        queue_url: str,
        message_body: str,
        delay_seconds: int | None = None,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        message_system_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> dict[str, Any]:
        """SendMessage."""
        queue = self._queue(queue_url)
        message = self._prepare(queue, message_body, delay_seconds, message_attributes,
                                message_system_attributes, message_deduplication_id,
                                message_group_id)
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"sqs:SendMessage {queue.name}", now)

        def unit(conn: sqlite3.Connection) -> storage.Sent:
            record_traced_write(conn, cause, "sqs:SendMessage", queue.arn, now)
            return message.enqueue(conn, queue, now)

        sent = await self._enqueue(unit)
        self._wake([queue.name])
        return message.result(sent)

    async def send_message_batch(
        self, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """SendMessageBatch: up to 10 messages, 256 KiB in all; each entry fails alone."""
        queue = self._queue(queue_url)
        check_batch(entries, "SendMessageBatchRequestEntry")
        total = 0
        for entry in entries:
            body = entry.get("MessageBody") or ""
            total += message_size(body, loose_attributes(entry.get("MessageAttributes")))
        if total > DEFAULT_MAX_MESSAGE_SIZE:
            raise BatchRequestTooLong(DEFAULT_MAX_MESSAGE_SIZE, total)
        if queue.fifo:
            # A FIFO batch missing either id is refused whole (single sends answer
            # MissingParameter for the group; a batch answers InvalidParameterValue).
            for entry in entries:
                if not entry.get("MessageGroupId"):
                    raise InvalidParameterValue(
                        "The request must contain the parameter MessageGroupId.")
                if not entry.get("MessageDeduplicationId") \
                        and not queue.content_based_deduplication:
                    raise InvalidParameterValue(
                        "The queue should either have ContentBasedDeduplication enabled or "
                        "MessageDeduplicationId provided explicitly")
        prepared: list[tuple[str, Outgoing]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                prepared.append((entry["Id"], self._prepare(
                    queue, entry.get("MessageBody"), entry.get("DelaySeconds"),
                    entry.get("MessageAttributes"), entry.get("MessageSystemAttributes"),
                    entry.get("MessageDeduplicationId"), entry.get("MessageGroupId"),
                )))
            except AwsError as exc:
                failed.append(failure(entry["Id"], exc))
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"sqs:SendMessageBatch {queue.name}", now)

        def unit(conn: sqlite3.Connection) -> list[storage.Sent]:
            record_traced_write(conn, cause, "sqs:SendMessageBatch", queue.arn, now)
            return [message.enqueue(conn, queue, now) for _, message in prepared]

        sent = await self._enqueue(unit) if prepared else []
        if prepared:
            self._wake([queue.name])
        successful = [
            {"Id": entry_id, **message.result(result)}
            for (entry_id, message), result in zip(prepared, sent, strict=True)
        ]
        return {"Successful": successful, "Failed": failed}

    def _prepare(
        self,
        queue: Queue,
        body: str | None,
        delay_seconds: int | None,
        attributes: Mapping[str, Mapping[str, Any]] | None,
        system_attributes: Mapping[str, Mapping[str, Any]] | None,
        dedup_id: str | None,
        group_id: str | None,
    ) -> Outgoing:
        body = validate_body(body)
        user = validate_message_attributes(attributes)
        limit = queue.int_attribute("MaximumMessageSize")
        if message_size(body, user) > limit:
            raise InvalidParameterValue(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                f"{limit} bytes."
            )
        if delay_seconds is not None and not 0 <= int(delay_seconds) <= 900:
            raise InvalidParameterValue(
                f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                "DelaySeconds must be >= 0 and <= 900."
            )
        system: dict[str, str] = {"SenderId": SENDER_ID}
        given = dict(system_attributes or {})
        for name, value in given.items():
            # AWSTraceHeader is the only system attribute a sender may set, and a String.
            if name != "AWSTraceHeader":
                raise InvalidParameterValue(
                    f"Message system attribute name '{name}' is invalid.")
            if value.get("DataType") != "String" or not value.get("StringValue"):
                raise InvalidParameterValue(
                    "Message system attribute 'AWSTraceHeader' must be of type 'String' with a "
                    "non-empty value.")
        if given:
            system["AWSTraceHeader"] = str(given["AWSTraceHeader"]["StringValue"])
        elif (header := current_trace.get()) is not None:
            system["AWSTraceHeader"] = header.format()
        message = Outgoing.build(queue, body, user, system, delay_seconds, dedup_id, group_id)
        if given:
            message.system_md5 = attributes_md5(
                {"AWSTraceHeader": {"DataType": "String",
                                    "StringValue": system["AWSTraceHeader"]}})
        return message

    async def _enqueue(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._ctx.db.write(unit)
        except sqlite3.IntegrityError:  # deleted while the send was on its way
            raise QueueDoesNotExist() from None
