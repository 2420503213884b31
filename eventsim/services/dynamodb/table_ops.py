"""Table operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable and
the tags of tables."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from eventsim.errors import ValidationException
from eventsim.ids import new_uuid
from eventsim.services.dynamodb import storage
from eventsim.services.dynamodb.catalog import Catalog, replace_table, timestamp
from eventsim.services.dynamodb.errors import ResourceInUseException, ResourceNotFoundException
from eventsim.services.dynamodb.tables import (
    StreamDef,
    TableDef,
    parse_stream_specification,
    parse_table,
    parse_throughput,
)

__all__ = ["TableOperations"]


class TableOperations(Catalog):
    """The operations on tables (not their items)."""

    # -- tables ----------------------------------------------------------------------------

    async def create_table(
        self,
        *,
        table_name: str,
        attribute_definitions: list[dict[str, str]],
        key_schema: list[dict[str, str]],
        billing_mode: str | None = None,
        provisioned_throughput: dict[str, Any] | None = None,
        global_secondary_indexes: list[dict[str, Any]] | None = None,
        local_secondary_indexes: list[dict[str, Any]] | None = None,
        stream_specification: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        table_class: str | None = None,
        deletion_protection_enabled: bool | None = None,
    ) -> dict[str, Any]:
        """CreateTable. Tables are ACTIVE at once (there is nothing to provision)."""
        now = self._ctx.clock.time()
        table = parse_table(
            name=table_name, table_id=new_uuid(), created_at=now,
            attribute_definitions=attribute_definitions, key_schema=key_schema,
            billing_mode=billing_mode, provisioned_throughput=provisioned_throughput,
            global_secondary_indexes=global_secondary_indexes,
            local_secondary_indexes=local_secondary_indexes,
        )
        view_type = parse_stream_specification(stream_specification)
        extra: dict[str, Any] = {"deletion_protection": bool(deletion_protection_enabled),
                                 "tags": _check_tags(tags or [])}
        if table_class:
            extra["table_class"] = table_class
        region, account = self._ctx.region, self._ctx.account_id

        def unit(conn: sqlite3.Connection) -> TableDef:
            if conn.execute("SELECT 1 FROM ddb_tables WHERE name = ?", (table_name,)).fetchone():
                raise ResourceInUseException(f"Table already exists: {table_name}")
            made = table
            if view_type is not None:
                arn, label = storage.create_stream(conn, table, view_type, now, region, account)
                made = replace_table(table, stream=StreamDef(arn, label, view_type),
                                extra={**extra, "latest_stream": [arn, label]})
            else:
                made = replace_table(table, extra=extra)
            conn.execute(
                "INSERT INTO ddb_tables (name, definition, created_at) VALUES (?,?,?)",
                (table_name, json.dumps(made.to_json()), now),
            )
            return made

        made = await self._ctx.db.write(unit)
        self._tables[table_name] = made
        return {"TableDescription": self._describe(made, 0, 0, status="ACTIVE")}

    async def describe_table(self, *, table_name: str) -> dict[str, Any]:
        """DescribeTable."""
        table = self._tables.get(table_name)
        if table is None:
            raise ResourceNotFoundException.table(table_name)
        count, size, indexes = await self._ctx.db.read(
            lambda c: (*storage.table_stats(c, table_name), storage.index_stats(c, table_name))
        )
        return {"Table": self._describe(table, count, size, index_counts=indexes)}

    async def list_tables(
        self, *, exclusive_start_table_name: str | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        """ListTables, in name order, up to 100 a page."""
        if limit is not None and not 1 <= limit <= 100:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value "
                + ("less than or equal to 100" if limit > 100 else "greater than or equal to 1")
            )
        page = limit or 100
        names = sorted(
            name for name in self._tables
            if exclusive_start_table_name is None or name > exclusive_start_table_name
        )
        out: dict[str, Any] = {"TableNames": names[:page]}
        if len(names) > page:
            out["LastEvaluatedTableName"] = names[page - 1]
        return out

    async def delete_table(self, *, table_name: str) -> dict[str, Any]:
        """DeleteTable: the items go; the stream (if any) closes, readable for 24 hours."""
        table = self._tables.get(table_name)
        if table is None:
            raise ResourceNotFoundException.table(table_name)
        if table.extra.get("deletion_protection"):
            raise ValidationException(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> tuple[int, int]:
            stats = storage.table_stats(conn, table_name)
            conn.execute("DELETE FROM ddb_index_items WHERE table_name = ?", (table_name,))
            conn.execute("DELETE FROM ddb_tables WHERE name = ?", (table_name,))
            if table.stream is not None:
                storage.disable_stream(conn, table.stream.arn, now)
            return stats

        count, size = await self._ctx.db.write(unit)
        self._tables.pop(table_name, None)
        return {"TableDescription": self._describe(table, count, size, status="DELETING")}

    async def update_table(
        self,
        *,
        table_name: str,
        stream_specification: dict[str, Any] | None = None,
        billing_mode: str | None = None,
        provisioned_throughput: dict[str, Any] | None = None,
        attribute_definitions: list[dict[str, str]] | None = None,
        deletion_protection_enabled: bool | None = None,
    ) -> dict[str, Any]:
        """UpdateTable: streams on and off (a new view type needs off, then on: a new stream),
        billing mode and throughput, deletion protection."""
        table = self._tables.get(table_name)
        if table is None:
            raise ResourceNotFoundException.table(table_name)
        now = self._ctx.clock.time()
        changes: dict[str, Any] = {}
        if billing_mode is not None or provisioned_throughput is not None:
            mode = billing_mode or table.billing_mode
            changes["billing_mode"] = mode
            changes["throughput"] = parse_throughput(
                mode, provisioned_throughput if provisioned_throughput is not None
                else (table.throughput if mode == "PROVISIONED" else None)
            )
        extra = dict(table.extra)
        if deletion_protection_enabled is not None:
            extra["deletion_protection"] = deletion_protection_enabled
        enable: str | None = None
        disable = False
        if stream_specification is not None:
            if stream_specification.get("StreamEnabled"):
                enable = parse_stream_specification(stream_specification)
                if table.stream is not None:
                    raise ValidationException(
                        f"Table already has an enabled stream: TableName: {table_name}"
                    )
            else:
                if stream_specification.get("StreamViewType"):
                    parse_stream_specification(stream_specification)
                if table.stream is None:
                    raise ValidationException(
                        "Table already has stream disabled: TableName: "  # hedged wording
                        f"{table_name}"
                    )
                disable = True
        if not changes and enable is None and not disable and extra == table.extra:
            raise ValidationException(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
            )
        region, account = self._ctx.region, self._ctx.account_id

        def unit(conn: sqlite3.Connection) -> TableDef:
            updated = replace_table(table, extra=extra, **changes)
            if disable and table.stream is not None:
                storage.disable_stream(conn, table.stream.arn, now)
                updated = replace_table(updated, stream=None)
            if enable is not None:
                arn, label = storage.create_stream(conn, table, enable, now, region, account)
                updated = replace_table(updated, stream=StreamDef(arn, label, enable),
                                   extra={**extra, "latest_stream": [arn, label]})
            conn.execute("UPDATE ddb_tables SET definition = ? WHERE name = ?",
                         (json.dumps(updated.to_json()), table_name))
            return updated

        updated = await self._ctx.db.write(unit)
        self._tables[table_name] = updated
        count, size = await self._ctx.db.read(lambda c: storage.table_stats(c, table_name))
        return {"TableDescription": self._describe(updated, count, size)}

    def _describe(
        self, table: TableDef, count: int, size: int, status: str = "ACTIVE",
        index_counts: dict[str, tuple[int, int]] | None = None,
    ) -> dict[str, Any]:
        arn = self._arn(table.name)
        read, write = (
            (table.throughput["ReadCapacityUnits"], table.throughput["WriteCapacityUnits"])
            if table.throughput else (0, 0)
        )
        out: dict[str, Any] = {
            "AttributeDefinitions": [dict(d) for d in table.attribute_definitions],
            "TableName": table.name,
            "KeySchema": table.key_schema(),
            "TableStatus": status,
            "CreationDateTime": timestamp(table.created_at),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0, "ReadCapacityUnits": read,
                "WriteCapacityUnits": write,
            },
            "TableSizeBytes": size,
            "ItemCount": count,
            "TableArn": arn,
            "TableId": table.table_id,
        }
        if table.billing_mode == "PAY_PER_REQUEST":
            out["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": timestamp(table.created_at),
            }
        counts = index_counts or {}
        lsis = [i for i in table.indexes if i.kind == "LSI"]
        gsis = [i for i in table.indexes if i.kind == "GSI"]
        if lsis:
            out["LocalSecondaryIndexes"] = [
                {"IndexName": i.name, "KeySchema": i.key_schema(), "Projection": i.projection,
                 "IndexSizeBytes": counts.get(i.name, (0, 0))[1],
                 "ItemCount": counts.get(i.name, (0, 0))[0], "IndexArn": f"{arn}/index/{i.name}"}
                for i in lsis
            ]
        if gsis:
            out["GlobalSecondaryIndexes"] = [
                {"IndexName": i.name, "KeySchema": i.key_schema(), "Projection": i.projection,
                 "IndexStatus": "ACTIVE",
                 "ProvisionedThroughput": {
                     "NumberOfDecreasesToday": 0,
                     "ReadCapacityUnits": (i.throughput or {}).get("ReadCapacityUnits", 0),
                     "WriteCapacityUnits": (i.throughput or {}).get("WriteCapacityUnits", 0),
                 },
                 "IndexSizeBytes": counts.get(i.name, (0, 0))[1],
                 "ItemCount": counts.get(i.name, (0, 0))[0], "IndexArn": f"{arn}/index/{i.name}"}
                for i in gsis
            ]
        if table.stream is not None:
            out["StreamSpecification"] = {
                "StreamEnabled": True, "StreamViewType": table.stream.view_type,
            }
        latest = table.extra.get("latest_stream")
        if latest:
            out["LatestStreamArn"], out["LatestStreamLabel"] = latest
        out["DeletionProtectionEnabled"] = bool(table.extra.get("deletion_protection"))
        # AWS reports the warm throughput every new table starts with (DynamoDB Developer
        # Guide, "Understanding DynamoDB warm throughput": 12,000 reads, 4,000 writes a second).
        out["WarmThroughput"] = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                                 "Status": "ACTIVE"}
        if table.extra.get("table_class"):
            out["TableClassSummary"] = {"TableClass": table.extra["table_class"]}
        return out

    # -- tags ------------------------------------------------------------------------------

    def _table_of_arn(self, arn: str) -> TableDef:
        prefix = self._arn("")
        name = arn[len(prefix):] if arn.startswith(prefix) else ""
        table = self._tables.get(name)
        if table is None:
            raise ResourceNotFoundException()
        return table

    async def _set_tags(self, table: TableDef, tags: dict[str, str]) -> None:
        await self._store_definition(replace_table(table, extra={**table.extra, "tags": [
            {"Key": k, "Value": v} for k, v in tags.items()]}))

    async def tag_resource(self, *, resource_arn: str, tags: list[dict[str, str]]) -> None:
        """TagResource: add or overwrite tags of a table."""
        table = self._table_of_arn(resource_arn)
        current = {t["Key"]: t["Value"] for t in table.extra.get("tags", [])}
        current.update({t["Key"]: t["Value"] for t in _check_tags(tags)})
        if len(current) > 50:
            raise ValidationException("Too many tags: a resource can have at most 50 tags")
        await self._set_tags(table, current)

    async def untag_resource(self, *, resource_arn: str, tag_keys: list[str]) -> None:
        """UntagResource."""
        table = self._table_of_arn(resource_arn)
        current = {t["Key"]: t["Value"] for t in table.extra.get("tags", [])
                   if t["Key"] not in tag_keys}
        await self._set_tags(table, current)

    async def list_tags_of_resource(
        self, *, resource_arn: str, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListTagsOfResource (all tags on one page: a table has at most 50)."""
        table = self._table_of_arn(resource_arn)
        return {"Tags": [dict(t) for t in table.extra.get("tags", [])]}


def _check_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    for tag in tags:
        key = tag.get("Key", "")
        if not 1 <= len(key) <= 128 or len(tag.get("Value", "")) > 256:
            raise ValidationException(
                "One or more parameter values were invalid: tag keys must be 1-128 characters "
                "and values at most 256"  # hedged wording
            )
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]

