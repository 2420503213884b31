"""What a receipt handle lets a consumer do, inside a unit: delete the message or change its
visibility. A handle names its queue and message (see `messages.new_receipt_handle`); one for
another queue, or one SQS never issued, is `ReceiptHandleIsInvalid`."""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsim.services.sqs.errors import InvalidParameterValue, ReceiptHandleIsInvalid
from eventsim.services.sqs.messages import parse_receipt_handle
from eventsim.services.sqs.queues import Queue

__all__ = ["MAX_VISIBILITY", "change_visibility", "delete"]

MAX_VISIBILITY = 43_200
"""Seconds: the longest visibility timeout."""


def delete(conn: sqlite3.Connection, queue: Queue, handle: str, now: float) -> None:
    """DeleteMessage inside a unit.

    AWS says an old handle "will succeed, but the message might not be deleted". Here, on a
    standard queue, any handle the message was received with deletes it (what standard queues
    do in practice, and what LocalStack's provider, checked against AWS, does); on a FIFO queue
    only the latest handle, while the message is in flight: an expired one is refused with
    "The receipt handle has expired". A message already gone is a success."""
    message_id = _message_id(queue, handle)
    row = conn.execute(
        "SELECT receipt_handle, visible_at FROM sqs_messages WHERE queue = ? AND "
        "message_id = ?", (queue.name, message_id),
    ).fetchone()
    if row is None:
        return  # already deleted: SQS answers success
    if queue.fifo and (row["receipt_handle"] != handle or row["visible_at"] <= now):
        raise InvalidParameterValue(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt "
            "handle has expired."
        )
    conn.execute("DELETE FROM sqs_messages WHERE queue = ? AND message_id = ?",
                 (queue.name, message_id))


def change_visibility(
    conn: sqlite3.Connection, queue: Queue, handle: str, timeout: Any, now: float
) -> None:
    """ChangeMessageVisibility inside a unit: the message becomes visible `timeout` seconds
    from now (0: at once). A message not in flight is left as it is."""
    message_id = _message_id(queue, handle)
    seconds = int(timeout)
    if not 0 <= seconds <= MAX_VISIBILITY:
        raise InvalidParameterValue(
            f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be "
            f">= 0 and <= {MAX_VISIBILITY}, if provided."
        )
    row = conn.execute(
        "SELECT receipt_handle, visible_at, receive_count, received_at FROM sqs_messages "
        "WHERE queue = ? AND message_id = ?", (queue.name, message_id),
    ).fetchone()
    if row is None or (queue.fifo and row["receipt_handle"] != handle):
        raise InvalidParameterValue(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does "
            "not exist or is not available for visibility timeout change."
        )
    if row["receive_count"] == 0 or row["visible_at"] <= now:
        return  # not in flight: nothing to change
    if now + seconds - row["received_at"] > MAX_VISIBILITY:
        raise InvalidParameterValue(
            f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total "
            f"VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY} seconds]"
        )
    conn.execute(
        "UPDATE sqs_messages SET visible_at = ? WHERE queue = ? AND message_id = ?",
        (now + seconds, queue.name, message_id),
    )


def _message_id(queue: Queue, handle: str) -> str:
    parsed = parse_receipt_handle(handle)
    if parsed.queue_arn != queue.arn:
        raise ReceiptHandleIsInvalid(handle)
    return parsed.message_id
