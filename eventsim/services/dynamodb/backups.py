"""Point-in-time recovery settings: DescribeContinuousBackups and UpdateContinuousBackups.

A table's setting is kept in its definition (``TableDef.extra["pitr"]``: when it was turned on
and its recovery period) and answered as DynamoDB answers it: continuous backups ENABLED, point
in time recovery ENABLED or DISABLED, restorable from when it was turned on until five minutes
ago (on the clock). eventsim restores nothing: RestoreTableToPointInTime and the on-demand
backup operations answer NotImplemented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.catalog import Catalog, replace_table
from eventsim.services.dynamodb.errors import TableNotFoundException

__all__ = ["ContinuousBackupOperations"]

DEFAULT_RECOVERY_DAYS = 35
_LATEST_LAG = 300.0
"""DynamoDB's latest restorable time trails the present by about five minutes."""


class ContinuousBackupOperations(Catalog):
    """A table's point-in-time recovery setting (a part of `DynamoDBService`)."""

    async def describe_continuous_backups(self, *, table_name: str) -> dict[str, Any]:
        """DescribeContinuousBackups."""
        return self._backups_of(table_name)

    async def update_continuous_backups(
        self, *, table_name: str, point_in_time_recovery_specification: dict[str, Any],
    ) -> dict[str, Any]:
        """UpdateContinuousBackups: turn point-in-time recovery on (with its recovery period,
        1 to 35 days) or off."""
        table = self._tables.get(table_name)
        if table is None:
            raise TableNotFoundException(table_name)
        spec = point_in_time_recovery_specification
        enabled = bool(spec.get("PointInTimeRecoveryEnabled"))
        days = spec.get("RecoveryPeriodInDays")
        if days is not None and not 1 <= int(days) <= DEFAULT_RECOVERY_DAYS:
            raise ValidationException(
                f"1 validation error detected: Value '{days}' at "
                "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy "
                f"constraint: Member must have value between 1 and {DEFAULT_RECOVERY_DAYS}")
        extra = {k: v for k, v in table.extra.items() if k != "pitr"}
        if enabled:
            current = table.extra.get("pitr") or {"since": self._ctx.clock.time()}
            extra["pitr"] = {"since": current["since"],
                             "days": int(days if days is not None
                                         else current.get("days", DEFAULT_RECOVERY_DAYS))}
        await self._store_definition(replace_table(table, extra=extra))
        return self._backups_of(table_name)

    def _backups_of(self, table_name: str) -> dict[str, Any]:
        table = self._tables.get(table_name)
        if table is None:
            raise TableNotFoundException(table_name)
        pitr = table.extra.get("pitr")
        recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "DISABLED"}
        if pitr is not None:
            now = self._ctx.clock.time()
            since = pitr["since"]
            recovery = {
                "PointInTimeRecoveryStatus": "ENABLED",
                "RecoveryPeriodInDays": pitr["days"],
                "EarliestRestorableDateTime": _when(max(since, now - pitr["days"] * 86400)),
                "LatestRestorableDateTime": _when(max(since, now - _LATEST_LAG)),
            }
        return {"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED",
                                                 "PointInTimeRecoveryDescription": recovery}}


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)
