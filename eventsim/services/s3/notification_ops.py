"""A bucket's notification configuration: PutBucketNotificationConfiguration and
GetBucketNotificationConfiguration (`NotificationConfigurationOperations`, a part of
`S3Service`). What a configuration may say is `eventsim.services.s3.notifications`'; the events
of each write, `eventsim.services.s3.notifier`'s."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from eventsim.events import s3 as s3_events
from eventsim.services.base import ServiceContext
from eventsim.services.s3.notifications import parse_notification_configuration
from eventsim.services.s3.notifier import Notifier, new_request_ids, target_payload
from eventsim.services.s3.objects import require_bucket
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.tracing import Cause, current_request

__all__ = ["NotificationConfigurationOperations"]


class NotificationConfigurationOperations:
    """The notification configuration operations (a part of `S3Service`)."""

    _ctx: ServiceContext
    _notifier: Notifier

    def _destination_check(self, bucket: str) -> Callable[[str, str], bool]:
        """Whether a destination exists and, for a function, lets S3 invoke it for this
        bucket (S3 checks both when the configuration is put; AWS answers the same
        InvalidArgument for either)."""
        ctx = self._ctx

        def check(kind: str, arn: str) -> bool:
            if not ctx.resource_exists(kind, arn):
                return False
            return kind != "function" or ctx.invoke_permitted(
                arn, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", ctx.account_id)

        return check

    async def put_bucket_notification_configuration(
        self,
        *,
        bucket: str,
        notification_configuration: dict[str, Any],
        skip_destination_validation: bool | None = None,
    ) -> dict[str, Any]:
        """PutBucketNotificationConfiguration; sends ``s3:TestEvent`` to queues and topics."""
        await self._ctx.db.read(lambda c: require_bucket(c, bucket))
        exists = None if skip_destination_validation else self._destination_check(bucket)
        config = parse_notification_configuration(
            notification_configuration, destination_exists=exists
        )
        now = self._ctx.clock.time()
        ids = current_request.get() or new_request_ids()
        test_event = json.dumps(
            s3_events.s3_test_event(
                bucket=bucket, event_time=now, request_id=ids.request_id,
                host_id=ids.host_id or s3_events.new_host_id(),
            ),
            separators=(",", ":"),
        )
        cause = Cause.for_write(f"s3:TestEvent {bucket}", now)

        def unit(conn: sqlite3.Connection) -> None:
            require_bucket(conn, bucket)
            conn.execute(
                "INSERT OR REPLACE INTO bucket_notifications (bucket, configuration) VALUES (?,?)",
                (bucket, config.to_json()),
            )
            # S3 tests each new queue and topic destination with a test message.
            for target in config.targets:
                if target.kind in ("queue", "topic"):
                    add_outbox_row(conn, OutboxRow(
                        target_kind=target.kind, target=target.arn,
                        payload=target_payload(target.kind, test_event),
                        cause=cause.to_json(), created_at=now,
                    ))

        await self._ctx.db.write(unit)
        self._notifier.set(bucket, config)
        self._ctx.wake_dispatcher()
        return {}

    async def get_bucket_notification_configuration(
        self, *, bucket: str, expected_bucket_owner: str | None = None
    ) -> dict[str, Any]:
        """GetBucketNotificationConfiguration."""
        await self._ctx.db.read(lambda c: require_bucket(c, bucket))
        config = self._notifier.get(bucket)
        return config.to_api() if config else {}
