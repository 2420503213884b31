"""Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the deletion of expired items.

As on DynamoDB (Developer Guide, "Using time to live (TTL) in DynamoDB"): an item expires
when its TTL attribute is a Number of epoch seconds at or before the current time; items
whose time is more than five years past are never deleted, and an item without the attribute,
or with another type, never expires. A deletion by TTL writes a REMOVE stream record with
``userIdentity`` ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``, which is
how a function (or a mapping's filter) tells it from a user's delete.

DynamoDB deletes expired items some time after they expire (within days), and reads still
return them until then. Here the `TtlSweeper` deletes them within a second of clock time after
they expire, on its clock: a virtual clock's `advance` brings the deletions, and `settle` does
not wait for expiries to come, nor jump the clock to them. Each sweep is one search of the
TTL tables by SQLite's json_extract; a table of many items pays for it every second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.worker import Worker
from eventsim.errors import ValidationException
from eventsim.services.dynamodb import storage
from eventsim.services.dynamodb.catalog import replace_table
from eventsim.services.dynamodb.item_ops import ItemOperations
from eventsim.services.dynamodb.tables import TableDef

__all__ = ["TTL_IDENTITY", "TimeToLiveOperations", "TtlSweeper"]

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
"""The ``userIdentity`` of a stream record written by a TTL deletion."""
SWEEP_EVERY = 1.0
"""Clock seconds between sweeps while a table has TTL on."""
_OLDEST = 5 * 365 * 86400
"""Items whose TTL is further in the past than this are not deleted (as DynamoDB does)."""


def _path(attribute: str) -> str:
    # The stored item is DynamoDB JSON: the attribute's number is at $."name".N.
    return '$."' + attribute.replace("\\", "\\\\").replace('"', '\\"') + '".N'


class TimeToLiveOperations(ItemOperations):
    """UpdateTimeToLive and DescribeTimeToLive, and the sweep that deletes expired items
    (a part of `DynamoDBService`)."""

    ttl_changed: Callable[[], None] = staticmethod(lambda: None)
    """Called when a table's TTL is turned on (the simulator wakes its sweeper)."""

    async def update_time_to_live(
        self, *, table_name: str, time_to_live_specification: dict[str, Any],
    ) -> dict[str, Any]:
        """UpdateTimeToLive: turn TTL on for an attribute, or off."""
        table = self._table(table_name)
        enabled = bool(time_to_live_specification.get("Enabled"))
        attribute = str(time_to_live_specification.get("AttributeName") or "")
        if not attribute:
            raise ValidationException("TimeToLiveSpecification AttributeName must not be empty")
        current = table.extra.get("ttl")
        if enabled and current is not None:
            raise ValidationException("TimeToLive is already enabled")
        if not enabled and current is None:
            raise ValidationException("TimeToLive is already disabled")
        if not enabled and current != attribute:
            raise ValidationException(
                f"TimeToLive is active on a different AttributeName: current AttributeName is "
                f"{current}")
        extra = {k: v for k, v in table.extra.items() if k != "ttl"}
        if enabled:
            extra["ttl"] = attribute
        await self._store_definition(replace_table(table, extra=extra))
        if enabled:
            self.ttl_changed()
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    async def describe_time_to_live(self, *, table_name: str) -> dict[str, Any]:
        """DescribeTimeToLive."""
        attribute = self._table(table_name).extra.get("ttl")
        if attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED",
                                          "AttributeName": attribute}}

    def ttl_tables(self) -> list[TableDef]:
        """The tables with TTL on."""
        return [t for t in self._tables.values() if t.extra.get("ttl") is not None]

    async def sweep_expired(self, now: float) -> None:
        """Delete every item expired at ``now`` in the tables with TTL on. The search is a
        read on the database's thread; only expired items make a write, which looks at each
        again (it may have changed)."""
        tables = self.ttl_tables()
        if not tables:
            return
        expired = await self._ctx.db.read(lambda conn: _expired(conn, tables, now),
                                          offload=True)
        if not expired:
            return
        region = self._ctx.region

        def unit(conn: sqlite3.Connection) -> list[TableDef]:
            written: list[TableDef] = []
            for table, keys in expired:
                attribute = str(table.extra["ttl"])
                for pk, sk in keys:
                    old = storage.load_item(conn, table.name, pk, sk)
                    if old is None or not _is_expired(old.get(attribute), now):
                        continue
                    storage.commit_change(conn, table, old, None, now, region,
                                          sequences=self._sequences, key=(pk, sk),
                                          identity=TTL_IDENTITY)
                    written.append(table)
            return written

        self._streams_written(await self._ctx.db.write(unit, heavy=True))


def _expired(
    conn: sqlite3.Connection, tables: list[TableDef], now: float,
) -> list[tuple[TableDef, list[tuple[bytes, bytes]]]]:
    """The keys of the expired items of each table."""
    found: list[tuple[TableDef, list[tuple[bytes, bytes]]]] = []
    for table in tables:
        keys = [(bytes(row["pk"]), bytes(row["sk"])) for row in conn.execute(
            "SELECT pk, sk FROM ddb_items WHERE table_name = ? AND "
            "CAST(json_extract(item, ?) AS REAL) BETWEEN ? AND ?",
            (table.name, _path(str(table.extra["ttl"])), now - _OLDEST, now))]
        if keys:
            found.append((table, keys))
    return found


def _is_expired(value: Any, now: float) -> bool:
    """Whether an item's TTL attribute says it has expired (a Number, not too old)."""
    if not isinstance(value, dict) or "N" not in value:
        return False
    try:
        expires = float(value["N"])
    except ValueError:
        return False
    return now - _OLDEST <= expires <= now


class TtlSweeper(Worker):
    """Deletes expired items when they expire (see the module's docstring). Its timer is a
    daemon's: `Simulator.settle` does not jump a virtual clock to it, or wait for it."""

    name = "dynamodb-ttl"
    daemon_timer = True

    def __init__(self, clock: Clock, activity: Activity,
                 service: TimeToLiveOperations) -> None:
        super().__init__(clock, activity)
        self._service = service

    async def step(self) -> float | None:
        now = self._clock.time()
        await self._service.sweep_expired(now)
        if not self._service.ttl_tables():
            return None  # woken again when a table turns TTL on
        return now + SWEEP_EVERY
