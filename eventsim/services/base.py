"""What every service is built with."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventsim.clock import Clock
from eventsim.store import Database
from eventsim.store.queue import QueuedEvent
from eventsim.tracing import Cause, RequestIds, current_trace

__all__ = ["Pending", "ServiceContext", "allow_statement", "record_traced_write"]


def _always(kind: str, arn: str) -> bool:
    return True


def _permitted(function_arn: str, principal: str, source_arn: str,
               source_account: str | None = None) -> bool:
    return True


@dataclass
class Pending:
    """What a unit produced for the engine, handed over once the unit has committed."""

    events: list[QueuedEvent] = field(default_factory=list)
    outbox: bool = False
    ids: RequestIds | None = None
    """The request's ids, for the events it causes (S3's responseElements)."""

    def hand_over(self, ctx: ServiceContext) -> None:
        if self.events:
            ctx.queued(self.events)
        if self.outbox:
            ctx.wake_dispatcher()


@dataclass
class ServiceContext:
    """Shared by all services of one simulator."""

    db: Database
    clock: Clock
    region: str
    account_id: str
    wake_dispatcher: Callable[[], None] = lambda: None
    """Call after committing outbox rows, so the dispatcher hands them on at once."""
    queued: Callable[[list[QueuedEvent]], None] = lambda events: None
    """Call after committing async-queue rows: hands them to the invoke queue in memory."""
    resource_exists: Callable[[str, str], bool] = field(default=_always)
    """``(kind, arn) -> bool`` for destination validation: kind is function, topic or queue."""
    invoke_permitted: Callable[..., bool] = field(default=_permitted)
    """``(function_arn, principal, source_arn, source_account=None) -> bool``: whether the
    function's resource policy lets a service (``s3.amazonaws.com``) push to it for a bucket
    or topic; False only when the simulator enforces permissions (it warns otherwise)."""
    source_written: Callable[[str], None] = lambda arn: None
    """Call with an event source's ARN after committing records to a Kinesis or DynamoDB
    stream or messages to an SQS queue: wakes the event source mappings' pollers at once
    instead of at their next idle poll."""


def record_traced_write(
    conn: sqlite3.Connection, cause: Cause, kind: str, resource: str, now: float
) -> None:
    """Remember that a handler's invocation made this write (an edge of the causal trace).

    Writes made outside any invocation start their own trace and need no edge.
    """
    if cause.parent_span is None:
        return
    HandlerWrite(cause.trace_id, cause.parent_span, kind, resource, now).record(conn)


@dataclass(frozen=True, slots=True)
class HandlerWrite:
    """A write a handler is making, to be recorded in its unit as an edge of the trace."""

    trace_id: str
    span_id: str
    kind: str
    resource: str
    at: float

    def record(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO trace_events (trace_id, span_id, kind, resource, created_at) "
            "VALUES (?,?,?,?,?)",
            (self.trace_id, self.span_id, self.kind, self.resource, self.at),
        )


def handler_write(kind: str, resource: str, now: float) -> HandlerWrite | None:
    """The trace edge of a write made inside an invocation (a request that carries a
    handler's trace header), or None, at the cost of one context variable lookup, for every
    other write. Call it where the request is served, not inside the unit: units run in the
    writer's context, where the request's header is not set."""
    header = current_trace.get()
    if header is None or header.parent is None:
        return None
    return HandlerWrite(header.root, header.parent, kind, resource, now)


def allow_statement(
    label: str, account_ids: list[str], actions: list[str], prefix: str, resource: str,
) -> dict[str, Any]:
    """The policy statement AddPermission writes (SQS's and SNS's alike): the label as
    ``Sid``, the accounts' root principals and the actions prefixed ``SQS:`` or ``SNS:``,
    each a plain string when there is one."""
    principals = [f"arn:aws:iam::{account}:root" for account in account_ids]
    named = [f"{prefix}:{action}" for action in actions]
    return {"Sid": label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": named[0] if len(named) == 1 else named, "Resource": resource}
