"""Queue operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes,
PurgeQueue, Tag/UntagQueue, ListQueueTags and ListDeadLetterSourceQueues."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from eventsim.services.sqs import storage
from eventsim.services.sqs.catalog import Catalog
from eventsim.services.sqs.errors import (
    InvalidAttributeName,
    InvalidParameterValue,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
)
from eventsim.services.sqs.queues import (
    COMPUTED_ATTRIBUTES,
    SETTABLE,
    Queue,
    allows_source,
    default_attributes,
    queue_arn,
    validate_attributes,
    validate_queue_name,
)

__all__ = ["QueueOperations"]

_PURGE_INTERVAL = 60.0
_NAME_HOLD = 60.0
"""Seconds after DeleteQueue before the name can be used again."""


class QueueOperations(Catalog):
    """The operations that create, delete, describe, change, tag and list queues."""

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

    # -- helpers ---------------------------------------------------------------------------

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
