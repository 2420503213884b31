"""Messages on their way in and out: a validated message about to be queued (with the answer
SendMessage gives for it), and a received message shaped as ReceiveMessage returns it."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from eventsim.services.sqs import storage
from eventsim.services.sqs.errors import InvalidParameterValue, MissingParameter
from eventsim.services.sqs.messages import (
    attributes_md5,
    body_md5,
    select_message_attributes,
    select_system_attributes,
)
from eventsim.services.sqs.queues import Queue

__all__ = ["Outgoing", "loose_attributes", "shape_received"]


class Outgoing:
    """One validated message on its way into a queue."""

    __slots__ = ("attributes", "body", "dedup_id", "delay", "group_id", "system", "system_md5")

    def __init__(self, body: str, attributes: dict[str, dict[str, Any]], system: dict[str, str],
                 delay: int, group_id: str | None, dedup_id: str | None) -> None:
        self.body = body
        self.attributes = attributes
        self.system = system
        self.delay = delay
        self.group_id = group_id
        self.dedup_id = dedup_id
        self.system_md5: str | None = None
        """MD5OfMessageSystemAttributes, when the sender gave system attributes."""

    @classmethod
    def build(
        cls,
        queue: Queue,
        body: str,
        attributes: dict[str, dict[str, Any]],
        system: dict[str, str],
        delay_seconds: int | None,
        dedup_id: str | None,
        group_id: str | None,
    ) -> Outgoing:
        """Apply the queue type's rules (FIFO: group required, deduplication id or
        content-based deduplication, no per-message delay)."""
        if queue.fifo:
            if delay_seconds:
                raise InvalidParameterValue(
                    f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: The "
                    "request include parameter that is not valid for this queue type."
                )
            if not group_id:
                raise MissingParameter("MessageGroupId")
            if not dedup_id:
                if not queue.content_based_deduplication:
                    raise InvalidParameterValue(
                        "The queue should either have ContentBasedDeduplication enabled or "
                        "MessageDeduplicationId provided explicitly"
                    )
                dedup_id = hashlib.sha256(body.encode("utf-8")).hexdigest()
            delay = queue.int_attribute("DelaySeconds")
        else:
            if dedup_id:
                raise InvalidParameterValue(
                    f"Value {dedup_id} for parameter MessageDeduplicationId is invalid. Reason: "
                    "The request includes a parameter that is not valid for this queue type."
                )
            delay = (queue.int_attribute("DelaySeconds") if delay_seconds is None
                     else int(delay_seconds))
        return cls(body, attributes, system, delay, group_id, dedup_id)

    def enqueue(self, conn: sqlite3.Connection, queue: Queue, now: float) -> storage.Sent:
        return storage.enqueue(
            conn, queue, body=self.body, attributes=self.attributes, system=self.system,
            delay=self.delay, group_id=self.group_id, dedup_id=self.dedup_id, now=now,
        )

    def result(self, sent: storage.Sent) -> dict[str, Any]:
        result: dict[str, Any] = {"MD5OfMessageBody": body_md5(self.body),
                                  "MessageId": sent.message_id}
        digest = attributes_md5(self.attributes)
        if digest is not None:
            result["MD5OfMessageAttributes"] = digest
        if self.system_md5 is not None:
            result["MD5OfMessageSystemAttributes"] = self.system_md5
        if sent.sequence_number is not None:
            result["SequenceNumber"] = sent.sequence_number
        return result


def loose_attributes(attributes: Mapping[str, Mapping[str, Any]] | None) -> dict[
        str, dict[str, Any]]:
    """Attributes as given, for measuring a batch before each entry is validated."""
    loose: dict[str, dict[str, Any]] = {}
    for name, value in (attributes or {}).items():
        if value.get("BinaryValue") is not None:
            loose[name] = {"DataType": value.get("DataType", ""),
                           "BinaryValue": value["BinaryValue"]}
        else:
            loose[name] = {"DataType": value.get("DataType", ""),
                           "StringValue": value.get("StringValue", "")}
    return loose


def shape_received(
    message: storage.Received,
    system_names: list[str],
    attribute_names: Iterable[str] | None,
) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": body_md5(message.body),
        "Body": message.body,
    }
    system = select_system_attributes(message.system, system_names)
    if system:
        shaped["Attributes"] = system
    user = select_message_attributes(message.attributes, attribute_names)
    if user:
        shaped["MD5OfMessageAttributes"] = attributes_md5(user)
        shaped["MessageAttributes"] = user
    return shaped
