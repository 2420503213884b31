"""The events a bucket's writes produce, for the targets its configuration names.

`Notifier` holds every bucket's notification configuration in memory (writes consult it on
each put) and turns a write into AWS-shaped S3 events inside the write's own transaction: the
transactional outbox.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable

from eventsim.clock import Clock
from eventsim.events import s3 as s3_events
from eventsim.ids import new_uuid
from eventsim.services.base import Pending
from eventsim.services.lambda_.arns import function_ref
from eventsim.services.s3.notifications import NotificationConfiguration, matching_targets
from eventsim.services.s3.objects import OWNER_PRINCIPAL
from eventsim.store.bulk import RowBuffer
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.store.queue import buffer_queued_event, insert_queued_event
from eventsim.tracing import Cause, RequestIds

__all__ = ["S3_SUBJECT", "Notifier", "new_request_ids", "target_payload"]

S3_SUBJECT = "Amazon S3 Notification"
"""The Subject of the SNS messages S3 publishes."""


class Notifier:
    """Notification configurations by bucket, and the events of each write."""

    def __init__(self, clock: Clock, region: str,
                 may_invoke: Callable[[str, str], bool] = lambda arn, bucket: True) -> None:
        self._region = region
        self._may_invoke = may_invoke
        """``(function_arn, bucket)``: whether the function's policy still lets S3 invoke it
        (checked again at each event, as S3 does: a permission removed after the
        configuration was put stops the deliveries)."""
        self._configs: dict[str, NotificationConfiguration] = {}
        self._refs: dict[str, str] = {}
        """`function_ref` of each function target's ARN (asked at every event)."""
        # Sequencers must grow per key across restarts: start from the clock in microseconds.
        self._sequence = itertools.count(int(clock.time() * 1_000_000))

    def load(self, rows: list[tuple[str, str]]) -> None:
        """Take the stored configurations, (bucket, JSON) pairs (at start)."""
        self._configs = {bucket: NotificationConfiguration.from_json(text)
                         for bucket, text in rows}

    def get(self, bucket: str) -> NotificationConfiguration | None:
        """The bucket's configuration, if it has one."""
        return self._configs.get(bucket)

    def set(self, bucket: str, config: NotificationConfiguration) -> None:
        """A configuration has been stored (call after its unit committed)."""
        self._configs[bucket] = config

    def forget(self, bucket: str) -> None:
        """The bucket is gone."""
        self._configs.pop(bucket, None)

    def notify(
        self,
        conn: sqlite3.Connection,
        pending: Pending,
        event_name: str,
        bucket: str,
        key: str,
        size: int | None,
        etag: str | None,
        now: float,
        cause: Cause,
        rows: RowBuffer | None = None,
        version_id: str | None = None,
    ) -> None:
        """Queue the events a write produces, inside the write's unit: a row in the invoke
        queue for each function target (through ``rows`` in a buffered unit), an outbox row
        for each topic or queue target. ``version_id``: the version the event is about, in a
        bucket with versioning enabled (S3 names no null version in events)."""
        config = self._configs.get(bucket)
        if config is None:
            return
        encoded_key = s3_events.encode_key(key)
        targets = matching_targets(config, "s3:" + event_name, key, encoded_key=encoded_key)
        if not targets:
            return
        sequencer = s3_events.sequencer_for(next(self._sequence))
        ids = pending.ids
        if ids is None:  # a write through the Python API: one pair for the whole call
            ids = pending.ids = new_request_ids()
        request_id, host_id = ids.request_id, ids.host_id or s3_events.new_host_id()
        cause_json = cause.to_json()
        principal = _principal(cause)
        bare_etag = etag.strip('"') if etag else None
        for target in targets:
            function = target.kind == "function"
            if function and not self._may_invoke(target.arn, bucket):
                continue  # refused (and said so) by the permission check
            # By position, in s3_event_json's order: this runs for every event.
            payload = s3_events.s3_event_json(
                event_name, bucket, key, self._region, now, target.configuration_id,
                request_id, host_id, principal, "127.0.0.1", size, bare_etag, sequencer,
                OWNER_PRINCIPAL, version_id, encoded_key,
            )
            if function:
                # S3 invokes functions asynchronously: the outbox row for a function target
                # is its row in the invoke queue.
                ref = self._refs.get(target.arn)
                if ref is None:
                    ref = self._refs[target.arn] = function_ref(target.arn)
                pending.events.append(
                    insert_queued_event(conn, ref, payload, cause, now, new_uuid(), cause_json)
                    if rows is None else
                    buffer_queued_event(rows, ref, payload, cause, now, new_uuid(), cause_json))
            else:
                add_outbox_row(conn, OutboxRow(
                    target_kind=target.kind, target=target.arn,
                    payload=target_payload(target.kind, payload),
                    cause=cause_json, created_at=now,
                ))
                pending.outbox = True


def target_payload(kind: str, event: str) -> str:
    """The outbox payload for a queue or topic target, by the outbox contracts: a queue gets
    the S3 event JSON as the message body (``{"MessageBody": ...}``), a topic as the message
    with S3's subject (``{"Message": ..., "Subject": "Amazon S3 Notification"}``)."""
    if kind == "queue":
        return json.dumps({"MessageBody": event}, separators=(",", ":"))
    if kind == "topic":
        return json.dumps({"Message": event, "Subject": S3_SUBJECT}, separators=(",", ":"))
    return event


def new_request_ids() -> RequestIds:
    """Ids for the events of a write made through the Python API (the gateway's requests
    have their own, in `current_request`, which the events then carry)."""
    return RequestIds(s3_events.new_request_id(), s3_events.new_host_id())


def _principal(cause: Cause) -> str:
    # A write from a handler is made by the function's role session; others by the user.
    return "AWS:AROAEVENTSIMLAMBDA:eventsim" if cause.parent_span else "AWS:AIDAEVENTSIMUSER"
