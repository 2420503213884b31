"""Rows of the SQS tables, read and written inside units.

A message's state is two numbers: ``visible_at`` (before it, the message is delayed when never
received, in flight when received) and ``receive_count``. Nothing runs on a timer: expiry,
visibility and delays are all read against the clock when a unit looks, so a virtual clock
moves them as surely as the real one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsim.ids import new_uuid
from eventsim.services.sqs.messages import (
    decode_attributes,
    encode_attributes,
    new_receipt_handle,
)
from eventsim.services.sqs.queues import DEDUPLICATION_WINDOW, Queue

__all__ = [
    "DeadLetterLookup",
    "Peeked",
    "ReceiveOutcome",
    "Received",
    "Sent",
    "count_messages",
    "delete_queue_row",
    "drop_expired",
    "enqueue",
    "in_flight_count",
    "insert_queue",
    "load_queues",
    "peek",
    "receive",
    "update_queue",
]

# The first SequenceNumber of a FIFO queue: AWS's are 20-digit decimal strings.
_SEQUENCE_BASE = 10**19


@dataclass(frozen=True)
class Sent:
    message_id: str
    sequence_number: str | None
    duplicate: bool
    """A FIFO deduplication id seen within the window: nothing new was queued."""


@dataclass
class Received:
    """One message handed to a receiver, as the receive left it."""

    message_id: str
    receipt_handle: str
    body: str
    attributes: dict[str, dict[str, Any]]
    system: dict[str, str]
    """Every system attribute the message has, as SQS reports them (strings)."""


@dataclass
class ReceiveOutcome:
    messages: list[Received] = field(default_factory=list)
    moved_to: set[str] = field(default_factory=set)
    """Dead-letter queues that got messages."""
    next_visible: float | None = None
    """When the next delayed or in-flight message of the queue becomes visible."""


# -- queues --------------------------------------------------------------------------------


def load_queues(conn: sqlite3.Connection) -> list[Queue]:
    rows = conn.execute(
        "SELECT name, arn, fifo, attributes, tags, created_at, modified_at FROM sqs_queues"
    ).fetchall()
    return [
        Queue(name=r["name"], arn=r["arn"], fifo=bool(r["fifo"]),
              attributes=json.loads(r["attributes"]), tags=json.loads(r["tags"]),
              created_at=r["created_at"], modified_at=r["modified_at"])
        for r in rows
    ]


def insert_queue(conn: sqlite3.Connection, queue: Queue) -> None:
    conn.execute(
        "INSERT INTO sqs_queues (name, arn, fifo, attributes, tags, created_at, modified_at) "
        "VALUES (?,?,?,?,?,?,?)",
        queue.to_row(),
    )


def update_queue(conn: sqlite3.Connection, queue: Queue) -> None:
    conn.execute(
        "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_at = ? WHERE name = ?",
        (json.dumps(queue.attributes), json.dumps(queue.tags), queue.modified_at, queue.name),
    )


def delete_queue_row(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM sqs_queues WHERE name = ?", (name,))


# -- messages ------------------------------------------------------------------------------


def drop_expired(conn: sqlite3.Connection, queue: Queue, now: float) -> None:
    """Messages older than the queue's MessageRetentionPeriod are gone."""
    cutoff = now - queue.int_attribute("MessageRetentionPeriod")
    conn.execute("DELETE FROM sqs_messages WHERE queue = ? AND enqueued_at <= ?",
                 (queue.name, cutoff))


def enqueue(
    conn: sqlite3.Connection,
    queue: Queue,
    *,
    body: str,
    attributes: Mapping[str, Mapping[str, Any]],
    system: Mapping[str, str],
    delay: int,
    group_id: str | None,
    dedup_id: str | None,
    now: float,
    message_id: str | None = None,
) -> Sent:
    """Queue one message (already validated). For FIFO queues, a deduplication id seen within
    five minutes queues nothing and answers with the first message's id."""
    sequence_number: str | None = None
    if queue.fifo:
        assert dedup_id is not None
        by_group = queue.attributes.get("DeduplicationScope") == "messageGroup"
        scope = (group_id or "") if by_group else ""
        conn.execute("DELETE FROM sqs_deduplication WHERE queue = ? AND expires_at <= ?",
                     (queue.name, now))
        seen = conn.execute(
            "SELECT message_id, sequence_number FROM sqs_deduplication "
            "WHERE queue = ? AND scope = ? AND dedup_id = ?",
            (queue.name, scope, dedup_id),
        ).fetchone()
        if seen is not None:
            return Sent(seen["message_id"], seen["sequence_number"], True)
        counter = conn.execute(
            "UPDATE sqs_queues SET next_sequence = next_sequence + 1 WHERE name = ? "
            "RETURNING next_sequence",
            (queue.name,),
        ).fetchone()[0]
        sequence_number = str(_SEQUENCE_BASE + counter)
    message_id = message_id or new_uuid()
    if queue.fifo:
        conn.execute(
            "INSERT INTO sqs_deduplication (queue, scope, dedup_id, message_id, "
            "sequence_number, expires_at) VALUES (?,?,?,?,?,?)",
            (queue.name, scope, dedup_id, message_id, sequence_number,
             now + DEDUPLICATION_WINDOW),
        )
    conn.execute(
        "INSERT INTO sqs_messages (queue, message_id, body, attributes, system, sent_at, "
        "enqueued_at, visible_at, group_id, dedup_id, sequence_number) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (queue.name, message_id, body, json.dumps(encode_attributes(attributes)),
         json.dumps(dict(system)), now, now, now + delay, group_id, dedup_id, sequence_number),
    )
    return Sent(message_id, sequence_number, False)


def count_messages(conn: sqlite3.Connection, queue: Queue, now: float) -> tuple[int, int, int]:
    """(visible, in flight, delayed), ignoring expired messages."""
    cutoff = now - queue.int_attribute("MessageRetentionPeriod")
    row = conn.execute(
        "SELECT "
        "COALESCE(SUM(visible_at <= :now), 0), "
        "COALESCE(SUM(visible_at > :now AND receive_count > 0), 0), "
        "COALESCE(SUM(visible_at > :now AND receive_count = 0), 0) "
        "FROM sqs_messages WHERE queue = :queue AND enqueued_at > :cutoff",
        {"now": now, "queue": queue.name, "cutoff": cutoff},
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


@dataclass(frozen=True)
class Peeked:
    """One message as it lies in its queue, looked at without being received."""

    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]]
    system: dict[str, str]
    state: str
    """``Visible``, ``InFlight`` (received and not yet visible again) or ``Delayed``."""
    seq: int = 0
    """Its place in arrival order (to page on from)."""
    visible_at: float = 0.0
    """When it is (or became) visible: the end of a delay or of a receive's visibility."""


def peek(conn: sqlite3.Connection, queue: Queue, now: float, limit: int | None,
         after_seq: int = 0) -> list[Peeked]:
    """The queue's unexpired messages in arrival order after `after_seq`, changing nothing."""
    cutoff = now - queue.int_attribute("MessageRetentionPeriod")
    rows = conn.execute(
        "SELECT seq, message_id, body, attributes, system, sent_at, visible_at, receive_count, "
        "first_received_at, group_id, sequence_number FROM sqs_messages "
        "INDEXED BY sqs_messages_order "
        "WHERE queue = ? AND seq > ? AND enqueued_at > ? ORDER BY seq LIMIT ?",
        (queue.name, after_seq, cutoff, -1 if limit is None else limit),
    ).fetchall()
    out = []
    for row in rows:
        system = dict(json.loads(row["system"]))
        system["SentTimestamp"] = str(int(row["sent_at"] * 1000))
        system["ApproximateReceiveCount"] = str(row["receive_count"])
        if row["first_received_at"] is not None:
            system["ApproximateFirstReceiveTimestamp"] = str(int(row["first_received_at"] * 1000))
        if row["group_id"] is not None:
            system["MessageGroupId"] = row["group_id"]
        if row["sequence_number"] is not None:
            system["SequenceNumber"] = row["sequence_number"]
        if row["visible_at"] <= now:
            state = "Visible"
        else:
            state = "InFlight" if row["receive_count"] > 0 else "Delayed"
        out.append(Peeked(row["message_id"], row["body"],
                          decode_attributes(json.loads(row["attributes"])), system, state,
                          seq=row["seq"], visible_at=row["visible_at"]))
    return out


def in_flight_count(
    conn: sqlite3.Connection, queue: Queue, handles: list[str], now: float
) -> int:
    """How many of these receipt handles are each their message's latest, still in flight."""
    if not handles:
        return 0
    marks = ",".join("?" * len(handles))
    row = conn.execute(
        f"SELECT COUNT(*) FROM sqs_messages WHERE queue = ? AND visible_at > ? "
        f"AND receipt_handle IN ({marks})",
        (queue.name, now, *handles),
    ).fetchone()
    return int(row[0])


DeadLetterLookup = Callable[[str], Queue | None]



def receive(
    conn: sqlite3.Connection,
    queue: Queue,
    *,
    limit: int,
    visibility: int,
    now: float,
    dead_letter_queue: DeadLetterLookup,
) -> ReceiveOutcome:
    """Take up to `limit` visible messages, make them in flight for `visibility` seconds, and
    move those already received maxReceiveCount times to the dead-letter queue instead."""
    drop_expired(conn, queue, now)
    outcome = ReceiveOutcome()
    policy = queue.redrive_policy
    dlq = dead_letter_queue(policy.dead_letter_target_arn) if policy else None
    blocked: set[str] = set()
    if queue.fifo:
        # A group with a message in flight (or a delayed one ahead) yields nothing more.
        blocked = {r[0] for r in conn.execute(
            "SELECT DISTINCT group_id FROM sqs_messages WHERE queue = ? AND visible_at > ?",
            (queue.name, now),
        )}
    last_seq = 0
    taken_groups: list[str] = []
    while len(outcome.messages) < limit:
        rows = conn.execute(
            # "+visible_at": walk the queue in arrival order (sqs_messages_order) and stop at
            # the limit, rather than sort every visible message on each receive.
            "SELECT * FROM sqs_messages WHERE queue = ? AND +visible_at <= ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (queue.name, now, last_seq, 100 if queue.fifo else limit * 2),
        ).fetchall()
        if not rows:
            break
        last_seq = rows[-1]["seq"]
        candidates = _fifo_order(rows, blocked, taken_groups) if queue.fifo else rows
        for row in candidates:
            if len(outcome.messages) >= limit:
                break
            if policy is not None and dlq is not None \
                    and row["receive_count"] >= policy.max_receive_count:
                _move_to_dead_letter_queue(conn, row, queue, dlq, now)
                outcome.moved_to.add(dlq.name)
                continue
            outcome.messages.append(_take(conn, queue, row, visibility, now))
    outcome.next_visible = conn.execute(
        "SELECT MIN(visible_at) FROM sqs_messages WHERE queue = ? AND visible_at > ?",
        (queue.name, now),
    ).fetchone()[0]
    return outcome


def _fifo_order(
    rows: list[sqlite3.Row], blocked: set[str], taken_groups: list[str]
) -> list[sqlite3.Row]:
    """FIFO receive order: as many messages of one group as possible, group after group, each
    group in send order, skipping groups that are blocked."""
    by_group: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        group = row["group_id"]
        if group in blocked:
            continue
        by_group.setdefault(group, []).append(row)
    ordered = [g for g in taken_groups if g in by_group]
    ordered += [g for g in by_group if g not in ordered]
    for group in ordered:
        if group not in taken_groups:
            taken_groups.append(group)
    return [row for group in ordered for row in by_group[group]]


def _take(
    conn: sqlite3.Connection, queue: Queue, row: sqlite3.Row, visibility: int, now: float
) -> Received:
    handle = new_receipt_handle(queue.arn, row["message_id"])
    count = row["receive_count"] + 1
    first = row["first_received_at"] if row["first_received_at"] is not None else now
    conn.execute(
        "UPDATE sqs_messages SET receive_count = ?, first_received_at = ?, received_at = ?, "
        "receipt_handle = ?, visible_at = ? WHERE seq = ?",
        (count, first, now, handle, now + visibility, row["seq"]),
    )
    stored: dict[str, str] = json.loads(row["system"])
    system: dict[str, str] = {
        "SenderId": stored.get("SenderId", ""),
        "SentTimestamp": str(int(row["sent_at"] * 1000)),
        "ApproximateReceiveCount": str(count),
        "ApproximateFirstReceiveTimestamp": str(int(first * 1000)),
    }
    if row["sequence_number"] is not None:
        system["SequenceNumber"] = row["sequence_number"]
    if row["dedup_id"] is not None:
        system["MessageDeduplicationId"] = row["dedup_id"]
    if row["group_id"] is not None:
        system["MessageGroupId"] = row["group_id"]
    for name in ("AWSTraceHeader", "DeadLetterQueueSourceArn"):
        if name in stored:
            system[name] = stored[name]
    return Received(
        message_id=row["message_id"], receipt_handle=handle, body=row["body"],
        attributes=decode_attributes(json.loads(row["attributes"])), system=system,
    )


def _move_to_dead_letter_queue(
    conn: sqlite3.Connection, row: sqlite3.Row, source: Queue, dlq: Queue, now: float
) -> None:
    # The message keeps its id, body, attributes, SentTimestamp, receive count and first receive
    # (a dead-lettered message AWS hands Lambda reads ApproximateReceiveCount "2" after one
    # receive in its source, with the source's ApproximateFirstReceiveTimestamp: Powertools'
    # recorded sqsDlqTriggerEvent.json). Retention counts from the original enqueue for standard
    # queues and starts again for FIFO queues, whose deduplication id becomes the message id so
    # that the dead-letter queue never takes two messages for one (SQS Developer Guide, "Using
    # dead-letter queues", "Configuring dead-letter queue redrive").
    system = json.loads(row["system"])
    system["DeadLetterQueueSourceArn"] = source.arn
    enqueued_at = now if source.fifo else row["enqueued_at"]
    dedup_id = row["message_id"] if source.fifo else row["dedup_id"]
    conn.execute(
        "UPDATE sqs_messages SET queue = ?, "
        "received_at = NULL, receipt_handle = NULL, visible_at = ?, enqueued_at = ?, "
        "dedup_id = ?, system = ? WHERE seq = ?",
        (dlq.name, now, enqueued_at, dedup_id, json.dumps(system), row["seq"]),
    )
