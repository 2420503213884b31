"""The SQS service: standard and FIFO queues, their messages, redrive and long polling.

Each method is one SQS operation (named ``xform_name(Operation)``), takes the operation's input
members as snake_case keywords and returns a dict keyed by the output shape's members.

Queues are kept in memory (read on every call, written through to SQLite after each committed
change); messages live only in SQLite. Time is the clock's: visibility, delays, retention and
long-poll waits all read `ctx.clock`. A long poll waits on a daemon timer, so it never keeps
`Simulator.settle()` from returning; it wakes when a message arrives (sent, delivered by the
dispatcher, or moved to a dead-letter queue) or when a delayed or in-flight message becomes
visible.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from eventsim.errors import AwsError
from eventsim.services.base import ServiceContext, record_traced_write
from eventsim.services.sqs import handles, storage
from eventsim.services.sqs.batches import apply_each, check_batch, failure
from eventsim.services.sqs.errors import (
    BatchRequestTooLong,
    InvalidAttributeName,
    InvalidParameterValue,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
)
from eventsim.services.sqs.messages import (
    attributes_md5,
    body_md5,
    decode_attributes,
    message_size,
    validate_body,
    validate_message_attributes,
)
from eventsim.services.sqs.queues import (
    COMPUTED_ATTRIBUTES,
    DEFAULT_MAX_MESSAGE_SIZE,
    SETTABLE,
    Queue,
    allows_source,
    default_attributes,
    name_from_url,
    queue_arn,
    queue_url,
    validate_attributes,
    validate_queue_name,
)
from eventsim.services.sqs.wire import Outgoing, loose_attributes, shape_received
from eventsim.store.outbox import OutboxRow
from eventsim.tracing import Cause, TraceHeader, current_trace

__all__ = ["SENDER_ID", "SqsService"]

LOG = logging.getLogger(__name__)

T = TypeVar("T")

SENDER_ID = "AIDAEVENTSIMUSER"
"""SenderId of messages sent through the API (the same principal S3 events name)."""

_PURGE_INTERVAL = 60.0
_ATTEMPT_WINDOW = 300.0
"""Seconds a ReceiveRequestAttemptId is remembered."""
_NAME_HOLD = 60.0
"""Seconds after DeleteQueue before the name can be used again."""


class SqsService:
    """Queues and messages, stored in SQLite."""

    def __init__(
        self, ctx: ServiceContext, *, endpoint_url: Callable[[], str | None] = lambda: None
    ) -> None:
        self._ctx = ctx
        self._endpoint_url = endpoint_url
        self._queues: dict[str, Queue] = {}
        self._by_arn: dict[str, Queue] = {}
        self._arrivals: dict[str, asyncio.Event] = {}
        self._delivered: set[str] = set()
        """Queues the dispatcher put messages in, to wake once its unit has committed."""
        self._purged_at: dict[str, float] = {}
        self._queue_lock = asyncio.Lock()
        self._attempts: dict[tuple[str, str], tuple[float, list[storage.Received]]] = {}
        """FIFO receives by (queue, ReceiveRequestAttemptId): until when, and what they got."""
        self._deleted_at: dict[str, float] = {}
        """When each queue name was last deleted: AWS keeps the name for 60 seconds."""

    async def load(self) -> None:
        """Read the queues into memory (called at start)."""
        for queue in await self._ctx.db.read(storage.load_queues):
            self._remember(queue)

    def exists(self, arn: str) -> bool:
        """Whether a queue has this ARN (destination validation)."""
        return arn in self._by_arn

    def visibility_timeout(self, arn: str) -> int | None:
        """A queue's VisibilityTimeout in seconds, or None when there is no such queue (for
        event source mapping validation)."""
        queue = self._by_arn.get(arn)
        return None if queue is None else queue.int_attribute("VisibilityTimeout")

    def queue_names(self) -> list[str]:
        """Every queue's name, sorted (for the console)."""
        return sorted(self._queues)

    def url_of(self, name: str) -> str:
        return queue_url(self._endpoint_url(), self._ctx.region, self._ctx.account_id, name)

    # -- queues ----------------------------------------------------------------------------

    async def create_queue(
        self,
        *,
        queue_name: str,
        attributes: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """CreateQueue; creating an existing queue with the same attributes returns its URL."""
        given = dict(attributes or {})
        fifo = str(given.get("FifoQueue", "false")).lower() == "true"
        if queue_name.endswith(".fifo") and not fifo:
            validate_queue_name(queue_name, fifo=False)  # raises: the suffix is FIFO's
        validate_queue_name(queue_name, fifo=fifo)
        if "FifoQueue" in given and not fifo:
            given.pop("FifoQueue")  # FifoQueue=false on a standard queue changes nothing
        checked = validate_attributes(given, fifo=fifo, creating=True)
        checked = {k: v for k, v in checked.items() if v != ""}
        existing = self._queues.get(queue_name)
        if existing is not None:
            self._same_attributes(existing, checked)
            return {"QueueUrl": self.url_of(queue_name)}
        now = self._ctx.clock.time()
        deleted = self._deleted_at.get(queue_name)
        if deleted is not None and now - deleted < _NAME_HOLD:
            raise QueueDeletedRecently()
        self._check_redrive(checked, fifo,
                            queue_arn(self._ctx.region, self._ctx.account_id, queue_name))
        queue = Queue(
            name=queue_name,
            arn=queue_arn(self._ctx.region, self._ctx.account_id, queue_name),
            fifo=fifo, attributes={**default_attributes(fifo), **checked},
            tags=dict(tags or {}), created_at=now, modified_at=now,
        )

        def unit(conn: sqlite3.Connection) -> Queue:
            row = conn.execute("SELECT 1 FROM sqs_queues WHERE name = ?", (queue_name,)).fetchone()
            if row is not None:  # created concurrently: that one stands
                current = {q.name: q for q in storage.load_queues(conn)}[queue_name]
                self._same_attributes(current, checked)
                return current
            storage.insert_queue(conn, queue)
            return queue

        self._remember(await self._ctx.db.write(unit))
        return {"QueueUrl": self.url_of(queue_name)}

    async def get_queue_url(
        self, *, queue_name: str, queue_owner_aws_account_id: str | None = None
    ) -> dict[str, Any]:
        """GetQueueUrl."""
        owner = queue_owner_aws_account_id
        if (owner is not None and owner != self._ctx.account_id) \
                or queue_name not in self._queues:
            raise QueueDoesNotExist()
        return {"QueueUrl": self.url_of(queue_name)}

    async def list_queues(
        self,
        *,
        queue_name_prefix: str | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        """ListQueues: up to 1,000 URLs; pages of MaxResults with a NextToken."""
        names = sorted(n for n in self._queues if n.startswith(queue_name_prefix or ""))
        page, token = _page(names, next_token, max_results)
        result: dict[str, Any] = {}
        if page:
            result["QueueUrls"] = [self.url_of(n) for n in page]
        if token is not None:
            result["NextToken"] = token
        return result

    async def delete_queue(self, *, queue_url: str) -> dict[str, Any]:
        """DeleteQueue: the queue and its messages."""
        queue = self._queue(queue_url)
        await self._ctx.db.write(lambda c: storage.delete_queue_row(c, queue.name))
        self._queues.pop(queue.name, None)
        self._by_arn.pop(queue.arn, None)
        self._deleted_at[queue.name] = self._ctx.clock.time()
        self._wake([queue.name])
        return {}

    async def get_queue_attributes(
        self, *, queue_url: str, attribute_names: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """GetQueueAttributes: ``All`` or named attributes, counts as of now."""
        queue = self._queue(queue_url)
        names = list(attribute_names or [])
        known = set(COMPUTED_ATTRIBUTES) | set(SETTABLE)
        for name in names:
            if name != "All" and name not in known:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not names:
            return {}
        now = self._ctx.clock.time()
        visible, in_flight, delayed = await self._ctx.db.read(
            lambda c: storage.count_messages(c, queue, now)
        )
        everything = {
            "QueueArn": queue.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(queue.created_at)),
            "LastModifiedTimestamp": str(int(queue.modified_at)),
            **queue.attributes,
        }
        if "All" in names:
            return {"Attributes": everything}
        picked = {n: everything[n] for n in names if n in everything}
        return {"Attributes": picked} if picked else {}

    async def set_queue_attributes(
        self, *, queue_url: str, attributes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """SetQueueAttributes; an empty RedrivePolicy (or Policy) removes it."""
        def change(queue: Queue) -> Queue:
            checked = validate_attributes(dict(attributes or {}), fifo=queue.fifo,
                                          creating=False)
            self._check_redrive(checked, queue.fifo, queue.arn)
            merged = dict(queue.attributes)
            for name, value in checked.items():
                if value == "":
                    merged.pop(name, None)
                else:
                    merged[name] = value
            return replace(queue, attributes=merged, modified_at=self._ctx.clock.time())

        await self._update_queue(queue_url, change)
        return {}

    async def purge_queue(self, *, queue_url: str) -> dict[str, Any]:
        """PurgeQueue: every message goes; once per 60 seconds per queue."""
        queue = self._queue(queue_url)
        now = self._ctx.clock.time()
        last = self._purged_at.get(queue.name)
        if last is not None and now - last < _PURGE_INTERVAL:
            raise PurgeQueueInProgress(queue.name)
        await self._ctx.db.write(
            lambda c: c.execute("DELETE FROM sqs_messages WHERE queue = ?", (queue.name,))
        )
        self._purged_at[queue.name] = now
        return {}

    async def tag_queue(self, *, queue_url: str, tags: Mapping[str, str]) -> dict[str, Any]:
        """TagQueue."""
        await self._update_queue(queue_url,
                                 lambda queue: replace(queue, tags={**queue.tags, **dict(tags)}))
        return {}

    async def untag_queue(self, *, queue_url: str, tag_keys: Iterable[str]) -> dict[str, Any]:
        """UntagQueue."""
        drop = set(tag_keys)
        await self._update_queue(queue_url, lambda queue: replace(
            queue, tags={k: v for k, v in queue.tags.items() if k not in drop}))
        return {}

    async def list_queue_tags(self, *, queue_url: str) -> dict[str, Any]:
        """ListQueueTags."""
        queue = self._queue(queue_url)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    async def list_dead_letter_source_queues(
        self, *, queue_url: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        """ListDeadLetterSourceQueues: queues whose RedrivePolicy targets this one."""
        dlq = self._queue(queue_url)
        names = sorted(
            q.name for q in self._queues.values()
            if (p := q.redrive_policy) is not None and p.dead_letter_target_arn == dlq.arn
        )
        page, token = _page(names, next_token, max_results)
        result: dict[str, Any] = {"queueUrls": [self.url_of(n) for n in page]}
        if token is not None:
            result["NextToken"] = token
        return result

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

    # -- as a delivery target ----------------------------------------------------------------

    def deliver(self, conn: sqlite3.Connection, row: OutboxRow) -> None:
        """The dispatcher's ``queue`` deliverer: put the row's message in its queue, inside the
        dispatcher's unit. A queue that is gone drops the message, as AWS would."""
        queue = self._by_arn.get(row.target)
        if queue is None:
            LOG.warning("queue %s does not exist; message dropped", row.target)
            return
        try:
            payload = json.loads(row.payload)
            attributes = decode_attributes(payload.get("MessageAttributes") or {})
            message = Outgoing.build(
                queue, str(payload["MessageBody"]), attributes, _system_of(row), None,
                payload.get("MessageDeduplicationId"),
                payload.get("MessageGroupId"),
            )
        except (ValueError, KeyError, TypeError, AwsError):
            LOG.exception("undeliverable message for %s; dropped", row.target)
            return
        try:
            message.enqueue(conn, queue, row.created_at or self._ctx.clock.time())
        except sqlite3.IntegrityError:  # the queue was deleted in this very transaction
            LOG.warning("queue %s was deleted; message dropped", row.target)
            return
        self._delivered.add(queue.name)

    def after_delivery(self) -> None:
        """The dispatcher's unit has committed: wake the long polls of the queues it filled."""
        names, self._delivered = self._delivered, set()
        self._wake(names)

    # -- helpers ---------------------------------------------------------------------------

    def _queue(self, url: str) -> Queue:
        name = name_from_url(url, self._ctx.account_id)
        queue = self._queues.get(name)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    async def _enqueue(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._ctx.db.write(unit)
        except sqlite3.IntegrityError:  # deleted while the send was on its way
            raise QueueDoesNotExist() from None

    def _remember(self, queue: Queue) -> None:
        self._queues[queue.name] = queue
        self._by_arn[queue.arn] = queue

    async def _update_queue(self, url: str, change: Callable[[Queue], Queue]) -> None:
        """Read, change and write a queue's row, one change at a time (two concurrent
        TagQueue calls must not each start from the same tags)."""
        async with self._queue_lock:
            queue = change(self._queue(url))
            await self._ctx.db.write(lambda c: storage.update_queue(c, queue))
            if queue.name in self._queues:
                self._remember(queue)

    def _wake(self, names: Iterable[str]) -> None:
        for name in names:
            event = self._arrivals.pop(name, None)
            if event is not None:
                event.set()
            queue = self._queues.get(name)
            if queue is not None:
                self._ctx.source_written(queue.arn)  # event source mappings polling it

    @staticmethod
    def _same_attributes(existing: Queue, given: Mapping[str, str]) -> None:
        for name, value in given.items():
            if existing.attributes.get(name) != value:
                raise QueueNameExists(name)

    def _check_redrive(self, attributes: Mapping[str, str], fifo: bool, source_arn: str) -> None:
        text = attributes.get("RedrivePolicy")
        if not text:
            return
        policy = json.loads(text)
        target = self._by_arn.get(policy["deadLetterTargetArn"])
        if target is None:
            raise InvalidParameterValue(
                f"Value {text} for parameter RedrivePolicy is invalid. Reason: Dead letter "
                "target does not exist."
            )
        if target.fifo != fifo:
            raise InvalidParameterValue(
                f"Value {text} for parameter RedrivePolicy is invalid. Reason: Dead-letter "
                "queue must be same type of queue as the source."
            )
        if not allows_source(target, source_arn):
            raise InvalidParameterValue(
                f"Value {text} for parameter RedrivePolicy is invalid. Reason: The dead-letter "
                f"queue's RedriveAllowPolicy does not allow {source_arn} to use it."
            )


def _receive_unit(
    queue: Queue, limit: int, visibility: int, now: float,
    dead_letter_queue: storage.DeadLetterLookup,
) -> Callable[[sqlite3.Connection], storage.ReceiveOutcome]:
    def unit(conn: sqlite3.Connection) -> storage.ReceiveOutcome:
        return storage.receive(conn, queue, limit=limit, visibility=visibility, now=now,
                               dead_letter_queue=dead_letter_queue)

    return unit


def _page(
    names: list[str], next_token: str | None, max_results: int | None
) -> tuple[list[str], str | None]:
    """One page of sorted queue names, and the token for the next (only with MaxResults, as
    SQS pages only then)."""
    if max_results is not None and not 1 <= int(max_results) <= 1000:
        raise InvalidParameterValue(
            f"Value {max_results} for parameter MaxResults is invalid. Reason: MaxResults "
            "must be an integer between 1 and 1000."
        )
    if next_token:
        try:
            after = base64.urlsafe_b64decode(next_token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameterValue("Invalid NextToken value.") from None
        names = [n for n in names if n > after]
    size = int(max_results) if max_results is not None else 1000
    page = names[:size]
    more = max_results is not None and len(names) > size
    return page, base64.urlsafe_b64encode(page[-1].encode()).decode() if more else None


def _received(
    messages: list[storage.Received], system_names: list[str],
    attribute_names: Iterable[str] | None,
) -> dict[str, Any]:
    shaped = [shape_received(m, system_names, attribute_names) for m in messages]
    return {"Messages": shaped} if shaped else {}


def _system_of(row: OutboxRow) -> dict[str, str]:
    """System attributes of a delivered message. A message that a handler's write caused
    (an SNS publish or S3 upload made inside an invocation) carries that invocation's trace
    header as AWSTraceHeader, as a handler's own SendMessage does: it is what lets Lambda see
    a loop through the queue, and what links the queue's consumer into the trace."""
    system = {"SenderId": SENDER_ID}
    if '"parent_span":null' not in row.cause:  # cheap test first: most rows have no parent
        cause = Cause.from_json(row.cause)
        if cause.parent_span is not None:
            system["AWSTraceHeader"] = TraceHeader(
                root=cause.trace_id, parent=cause.parent_span, hop=cause.hop).format()
    return system
