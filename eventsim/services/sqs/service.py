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

from eventsim.services.sqs.catalog import SENDER_ID
from eventsim.services.sqs.delivery import DeliveryTarget
from eventsim.services.sqs.move_tasks import MoveTaskOperations
from eventsim.services.sqs.permission_ops import PermissionOperations
from eventsim.services.sqs.queue_ops import QueueOperations
from eventsim.services.sqs.receive_ops import ReceiveOperations
from eventsim.services.sqs.send_ops import SendOperations

__all__ = ["SENDER_ID", "SqsService"]


class SqsService(QueueOperations, SendOperations, ReceiveOperations, DeliveryTarget,
                 MoveTaskOperations, PermissionOperations):
    """Queues and messages, stored in SQLite. The operations are grouped by what they act on:
    queues (`queue_ops`), sending (`send_ops`), receiving, deleting and visibility
    (`receive_ops`), delivery by the dispatcher (`delivery`), dead-letter queue redrive
    (`move_tasks`) and access policy statements (`permission_ops`), over the queues of
    `catalog`."""
