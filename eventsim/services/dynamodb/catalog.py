"""What every group of DynamoDB operations shares: the context and the table definitions.

Definitions live in ``ddb_tables`` and, for every write, in memory; only the table operations
change them, after their unit has committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from typing import Any

from eventsim.services.base import ServiceContext
from eventsim.services.dynamodb.errors import ResourceNotFoundException
from eventsim.services.dynamodb.storage import number_key_repair_pending, repair_number_keys
from eventsim.services.dynamodb.tables import TableDef

__all__ = ["Catalog", "replace_table", "require_table", "timestamp"]

LOG = logging.getLogger(__name__)


def timestamp(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


class Catalog:
    """The simulator's context and the tables it knows."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._tables: dict[str, TableDef] = {}
        self._sequences: dict[str, int] = {}
        """Stream ARN -> the position its next record takes (`storage.NEXT_SEQUENCE`)."""
        self._replacing: set[str] = set()
        """Tables whose last unconditional put replaced an item: the next one reads first
        (`storage.put_item`'s ``insert_first``), as a run of overwrites suggests."""

    async def load(self) -> None:
        """Read the table definitions into memory (called at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT definition FROM ddb_tables").fetchall()
        )
        for row in rows:
            table = TableDef.from_json(json.loads(row[0]))
            self._tables[table.name] = table
        if await self._ctx.db.read(number_key_repair_pending):
            tables = list(self._tables.values())
            moved = await self._ctx.db.write(lambda c: repair_number_keys(c, tables))
            LOG.info("stored %d DynamoDB items under exact number keys (migration 0011)", moved)

    def table_definition(self, name: str) -> TableDef:
        """The definition of a table (for the streams service and tests)."""
        return self._table(name)

    def _table(self, name: str) -> TableDef:
        table = self._tables.get(name)
        if table is None:
            raise ResourceNotFoundException()
        return table

    async def _store_definition(self, updated: TableDef) -> None:
        """Write a changed definition of an existing table, then keep it in memory."""

        def unit(conn: sqlite3.Connection) -> None:
            require_table(conn, updated.name)
            conn.execute("UPDATE ddb_tables SET definition = ? WHERE name = ?",
                         (json.dumps(updated.to_json()), updated.name))

        await self._ctx.db.write(unit)
        self._tables[updated.name] = updated

    def _arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self._ctx.region}:{self._ctx.account_id}:table/{name}"


def replace_table(table: TableDef, **changes: Any) -> TableDef:
    return dataclasses.replace(table, **changes)


def require_table(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("SELECT 1 FROM ddb_tables WHERE name = ?", (name,)).fetchone() is None:
        raise ResourceNotFoundException()

