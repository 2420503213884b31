"""The queue as the dispatcher's delivery target: messages that other services (SNS, S3
notifications, Lambda destinations) send to a queue go in inside the dispatcher's unit."""

from __future__ import annotations

import json
import logging
import sqlite3

from eventsim.errors import AwsError
from eventsim.services.sqs.catalog import SENDER_ID, Catalog
from eventsim.services.sqs.messages import decode_attributes
from eventsim.services.sqs.wire import Outgoing
from eventsim.store.outbox import OutboxRow
from eventsim.tracing import Cause, TraceHeader

__all__ = ["DeliveryTarget"]

LOG = logging.getLogger(__name__)


class DeliveryTarget(Catalog):
    """The dispatcher's ``queue`` deliverer, and the waking of long polls after its unit."""

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
