"""The DynamoDB service: tables, items, queries, transactions, and the stream records of writes.

Each method is one DynamoDB operation (``xform_name(Operation)``) taking the input members as
snake_case keywords, with attribute values in DynamoDB's typed form (``{"S": "x"}``, blobs as
bytes) as the json protocol delivers them, and returning the output shape's members.

Every write is one unit: the read of the item as it is, the condition, the new item, its index
entries and its stream record commit together. Table definitions are also kept in memory; they
change only through this service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from typing import Any

from eventsim.errors import ValidationException
from eventsim.ids import new_uuid
from eventsim.services.base import ServiceContext
from eventsim.services.dynamodb import storage
from eventsim.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    ResourceInUseException,
    ResourceNotFoundException,
    TransactionCanceledException,
)
from eventsim.services.dynamodb.expressions import (
    apply_update,
    condition_paths,
    evaluate,
    parse_key_condition,
    project,
    updated_paths,
)
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.reads import ReadPlan, read_page
from eventsim.services.dynamodb.requests import (
    MAX_ITEM_BYTES,
    Expressions,
    check_return_values,
    consumed,
)
from eventsim.services.dynamodb.tables import (
    StreamDef,
    TableDef,
    parse_stream_specification,
    parse_table,
    parse_throughput,
)
from eventsim.services.dynamodb.values import Item, item_size, to_json, validate_item

__all__ = ["DynamoDBService"]

_WRITE_LIMIT = 25
_GET_LIMIT = 100
_TRANSACT_LIMIT = 100


def _timestamp(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _check_size(item: Item) -> None:
    if item_size(item) > MAX_ITEM_BYTES:
        raise ValidationException("Item size has exceeded the maximum allowed size")


class _Write:
    """One item write prepared outside the unit: what to check and what to make."""

    def __init__(
        self, table: TableDef, key: Item, *, condition: n.Condition | None = None,
        put: Item | None = None, update: n.Update | None = None, delete: bool = False,
        return_old_on_failure: bool = False, check_only: bool = False,
    ) -> None:
        self.table = table
        self.check_only = check_only
        self.key = key
        self.pk, self.sk = table.encoded_key(key)
        self.condition = condition
        self.put = put
        self.update = update
        self.delete = delete
        self.return_old_on_failure = return_old_on_failure

    def check(self, old: Item | None) -> bool:
        return self.condition is None or evaluate(self.condition, old)

    def new_item(self, old: Item | None) -> Item | None:
        if self.delete:
            return None
        if self.put is not None:
            return self.put
        if self.update is None:
            return dict(old) if old is not None else dict(self.key)
        new = apply_update(old if old is not None else dict(self.key), self.update)
        self.table.check_item_keys(new)
        _check_size(new)
        return new


class DynamoDBService:
    """DynamoDB tables and items, stored in SQLite."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._tables: dict[str, TableDef] = {}

    async def load(self) -> None:
        """Read the table definitions into memory (called at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT definition FROM ddb_tables").fetchall()
        )
        for row in rows:
            table = TableDef.from_json(json.loads(row[0]))
            self._tables[table.name] = table

    def table_definition(self, name: str) -> TableDef:
        """The definition of a table (for the streams service and tests)."""
        return self._table(name)

    def _table(self, name: str) -> TableDef:
        table = self._tables.get(name)
        if table is None:
            raise ResourceNotFoundException()
        return table

    def _arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self._ctx.region}:{self._ctx.account_id}:table/{name}"

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
                made = _replace(table, stream=StreamDef(arn, label, view_type),
                                extra={**extra, "latest_stream": [arn, label]})
            else:
                made = _replace(table, extra=extra)
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
            updated = _replace(table, extra=extra, **changes)
            if disable and table.stream is not None:
                storage.disable_stream(conn, table.stream.arn, now)
                updated = _replace(updated, stream=None)
            if enable is not None:
                arn, label = storage.create_stream(conn, table, enable, now, region, account)
                updated = _replace(updated, stream=StreamDef(arn, label, enable),
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
            "CreationDateTime": _timestamp(table.created_at),
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
                "LastUpdateToPayPerRequestDateTime": _timestamp(table.created_at),
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

    # -- single items ----------------------------------------------------------------------

    async def put_item(
        self,
        *,
        table_name: str,
        item: dict[str, Any],
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> dict[str, Any]:
        """PutItem: replace the whole item (ReturnValues NONE or ALL_OLD)."""
        table = self._table(table_name)
        mode = check_return_values(return_values, ("NONE", "ALL_OLD"))
        new = validate_item(item)
        table.check_item_keys(new)
        _check_size(new)
        exprs = Expressions(expression_attribute_names, expression_attribute_values,
                            any_expression=condition_expression is not None)
        condition = exprs.condition(condition_expression)
        exprs.done()
        write = _Write(table, table.key_of(new), condition=condition, put=new,
                       return_old_on_failure=return_values_on_condition_check_failure == "ALL_OLD")
        old = await self._write_one(write)
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and old is not None:
            out["Attributes"] = old
        capacity = consumed(return_consumed_capacity, table_name, new, write=True)
        if capacity:
            out["ConsumedCapacity"] = capacity
        return out

    async def get_item(
        self,
        *,
        table_name: str,
        key: dict[str, Any],
        consistent_read: bool | None = None,
        projection_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        return_consumed_capacity: str | None = None,
    ) -> dict[str, Any]:
        """GetItem. Every read is consistent here; ConsistentRead changes only the capacity."""
        table = self._table(table_name)
        checked = validate_item(key)
        table.check_key(checked)
        exprs = Expressions(expression_attribute_names, None,
                            any_expression=projection_expression is not None)
        projection = exprs.projection(projection_expression)
        exprs.done()
        pk, sk = table.encoded_key(checked)
        found = await self._ctx.db.read(lambda c: storage.load_item(c, table_name, pk, sk))
        out: dict[str, Any] = {}
        if found is not None:
            out["Item"] = project(found, projection) if projection is not None else found
        capacity = consumed(return_consumed_capacity, table_name, found, write=False,
                            consistent=bool(consistent_read))
        if capacity:
            out["ConsumedCapacity"] = capacity
        return out

    async def update_item(
        self,
        *,
        table_name: str,
        key: dict[str, Any],
        update_expression: str | None = None,
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> dict[str, Any]:
        """UpdateItem: SET / REMOVE / ADD / DELETE on the item, creating it if absent."""
        table = self._table(table_name)
        mode = check_return_values(
            return_values, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
        )
        checked = validate_item(key)
        table.check_key(checked)
        exprs = Expressions(
            expression_attribute_names, expression_attribute_values,
            any_expression=update_expression is not None or condition_expression is not None,
        )
        update = exprs.update(update_expression)
        condition = exprs.condition(condition_expression)
        exprs.done()
        if update is not None:
            _check_key_untouched(table, update)
        write = _Write(table, checked, condition=condition, update=update,
                       return_old_on_failure=return_values_on_condition_check_failure == "ALL_OLD")
        old, new = await self._write_one_with_new(write)
        out: dict[str, Any] = {}
        paths = updated_paths(update) if update is not None else ()
        attributes: Item | None = None
        if mode == "ALL_OLD":
            attributes = old
        elif mode == "ALL_NEW":
            attributes = new
        elif mode == "UPDATED_OLD" and old is not None:
            attributes = project(old, paths)
        elif mode == "UPDATED_NEW" and new is not None:
            attributes = project(new, paths)
        if attributes:
            out["Attributes"] = attributes
        capacity = consumed(return_consumed_capacity, table_name, new, write=True)
        if capacity:
            out["ConsumedCapacity"] = capacity
        return out

    async def delete_item(
        self,
        *,
        table_name: str,
        key: dict[str, Any],
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> dict[str, Any]:
        """DeleteItem (ReturnValues NONE or ALL_OLD). Deleting a missing item succeeds."""
        table = self._table(table_name)
        mode = check_return_values(return_values, ("NONE", "ALL_OLD"))
        checked = validate_item(key)
        table.check_key(checked)
        exprs = Expressions(expression_attribute_names, expression_attribute_values,
                            any_expression=condition_expression is not None)
        condition = exprs.condition(condition_expression)
        exprs.done()
        write = _Write(table, checked, condition=condition, delete=True,
                       return_old_on_failure=return_values_on_condition_check_failure == "ALL_OLD")
        old = await self._write_one(write)
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and old is not None:
            out["Attributes"] = old
        capacity = consumed(return_consumed_capacity, table_name, old, write=True)
        if capacity:
            out["ConsumedCapacity"] = capacity
        return out

    async def _write_one(self, write: _Write) -> Item | None:
        old, _ = await self._write_one_with_new(write)
        return old

    async def _write_one_with_new(self, write: _Write) -> tuple[Item | None, Item | None]:
        now, region = self._ctx.clock.time(), self._ctx.region
        table = write.table

        def unit(conn: sqlite3.Connection) -> tuple[Item | None, Item | None]:
            old = storage.load_item(conn, table.name, write.pk, write.sk)
            if not write.check(old):
                raise ConditionalCheckFailedException(
                    to_json(old) if write.return_old_on_failure and old is not None else None
                )
            new = write.new_item(old)
            try:
                storage.commit_change(conn, table, old, new, now, region)
            except sqlite3.IntegrityError:
                # The table was deleted after this request looked it up (its foreign key).
                raise ResourceNotFoundException() from None
            return old, new

        return await self._ctx.db.write(unit)

    # -- batches ---------------------------------------------------------------------------

    async def batch_write_item(
        self,
        *,
        request_items: dict[str, list[dict[str, Any]]],
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> dict[str, Any]:
        """BatchWriteItem: up to 25 puts and deletes; all are processed (UnprocessedItems is
        always empty: there is no throughput to exceed)."""
        total = sum(len(v) for v in request_items.values())
        if total > _WRITE_LIMIT or total == 0 or not request_items:
            raise ValidationException(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less "
                "than or equal to 25, Member must have length greater than or equal to 1]"
            )
        writes: list[_Write] = []
        for table_name, requests in request_items.items():
            table = self._table(table_name)
            seen: set[tuple[bytes, bytes]] = set()
            for request in requests:
                if len(request) != 1:
                    raise ValidationException(
                        "Supplied AttributeValue has more than one datatypes set, must contain "
                        "exactly one of the supported datatypes"
                    )
                if "PutRequest" in request:
                    new = validate_item(request["PutRequest"]["Item"])
                    table.check_item_keys(new)
                    _check_size(new)
                    write = _Write(table, table.key_of(new), put=new)
                else:
                    key = validate_item(request["DeleteRequest"]["Key"])
                    table.check_key(key)
                    write = _Write(table, key, delete=True)
                if (write.pk, write.sk) in seen:
                    raise ValidationException("Provided list of item keys contains duplicates")
                seen.add((write.pk, write.sk))
                writes.append(write)
        now, region = self._ctx.clock.time(), self._ctx.region

        def unit(conn: sqlite3.Connection) -> None:
            for write in writes:
                _require_table(conn, write.table.name)
                old = storage.load_item(conn, write.table.name, write.pk, write.sk)
                storage.commit_change(conn, write.table, old, write.new_item(old), now, region)

        await self._ctx.db.write(unit)
        out: dict[str, Any] = {"UnprocessedItems": {}}
        if return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [
                consumed(return_consumed_capacity, name, 1024 * len(reqs), write=True)
                for name, reqs in request_items.items()
            ]
        return out

    async def batch_get_item(
        self,
        *,
        request_items: dict[str, dict[str, Any]],
        return_consumed_capacity: str | None = None,
    ) -> dict[str, Any]:
        """BatchGetItem: up to 100 keys; every key is answered (UnprocessedKeys is empty)."""
        total = sum(len(v.get("Keys", [])) for v in request_items.values())
        if total > _GET_LIMIT:
            raise ValidationException("Too many items requested for the BatchGetItem call")
        if total == 0:
            raise ValidationException(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"
            )
        plans: list[tuple[TableDef, list[tuple[bytes, bytes]], tuple[n.Path, ...] | None]] = []
        for table_name, spec in request_items.items():
            table = self._table(table_name)
            exprs = Expressions(spec.get("ExpressionAttributeNames"), None,
                                any_expression=spec.get("ProjectionExpression") is not None)
            projection = exprs.projection(spec.get("ProjectionExpression"))
            exprs.done()
            keys: list[tuple[bytes, bytes]] = []
            for key in spec["Keys"]:
                checked = validate_item(key)
                table.check_key(checked)
                encoded = table.encoded_key(checked)
                if encoded in keys:
                    raise ValidationException("Provided list of item keys contains duplicates")
                keys.append(encoded)
            plans.append((table, keys, projection))

        def read(conn: sqlite3.Connection) -> dict[str, list[Item]]:
            responses: dict[str, list[Item]] = {}
            for table, keys, projection in plans:
                found = responses.setdefault(table.name, [])
                for pk, sk in keys:
                    item = storage.load_item(conn, table.name, pk, sk)
                    if item is not None:
                        found.append(project(item, projection) if projection else item)
            return responses

        responses = await self._ctx.db.read(read)
        out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": {}}
        if return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [
                consumed(return_consumed_capacity, name, 4096 * len(items), write=False)
                for name, items in responses.items()
            ]
        return out

    # -- query and scan --------------------------------------------------------------------

    async def query(
        self,
        *,
        table_name: str,
        key_condition_expression: str | None = None,
        index_name: str | None = None,
        filter_expression: str | None = None,
        projection_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        select: str | None = None,
        limit: int | None = None,
        exclusive_start_key: dict[str, Any] | None = None,
        scan_index_forward: bool | None = None,
        consistent_read: bool | None = None,
        return_consumed_capacity: str | None = None,
    ) -> dict[str, Any]:
        """Query: one partition, in sort key order (ScanIndexForward false: descending)."""
        table = self._table(table_name)
        if key_condition_expression is None:
            raise ValidationException(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request."
            )
        index = table.index(index_name) if index_name is not None else None
        if index is not None and index.kind == "GSI" and consistent_read:
            raise ValidationException(
                "Consistent reads are not supported on global secondary indexes"
            )
        exprs = Expressions(expression_attribute_names, expression_attribute_values,
                            any_expression=True)
        hash_attr = index.hash if index is not None else table.hash
        range_attr = index.range if index is not None else table.range
        key = parse_key_condition(
            key_condition_expression, exprs.subs, (hash_attr.name, hash_attr.type),
            (range_attr.name, range_attr.type) if range_attr is not None else None,
        )
        plan = self._plan(table, index, exprs, filter_expression, projection_expression, select,
                          limit, exclusive_start_key, "Query")
        if plan.filter is not None:
            keys = {hash_attr.name} | ({range_attr.name} if range_attr is not None else set())
            for path in condition_paths(plan.filter):
                if path.elements[0] in keys:
                    raise ValidationException(
                        "Filter Expression can only contain non-primary key attributes: "
                        f"Primary key attribute: {path.elements[0]}"
                    )
        plan.key = key
        plan.forward = scan_index_forward is not False
        return await self._read(plan, select, return_consumed_capacity, consistent_read)

    async def scan(
        self,
        *,
        table_name: str,
        index_name: str | None = None,
        filter_expression: str | None = None,
        projection_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        select: str | None = None,
        limit: int | None = None,
        exclusive_start_key: dict[str, Any] | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
        consistent_read: bool | None = None,
        return_consumed_capacity: str | None = None,
    ) -> dict[str, Any]:
        """Scan, with parallel segments (an item's segment is a hash of its partition key)."""
        table = self._table(table_name)
        index = table.index(index_name) if index_name is not None else None
        if (segment is None) != (total_segments is None):
            raise ValidationException(
                "The TotalSegments parameter is required but was not present in the request "
                "when Segment parameter is present" if total_segments is None else
                "The Segment parameter is required but was not present in the request when "
                "parameter TotalSegments is present"
            )
        if segment is not None and total_segments is not None:
            if not 1 <= total_segments <= 1000000:
                raise ValidationException(
                    f"1 validation error detected: Value '{total_segments}' at 'totalSegments' "
                    "failed to satisfy constraint: Member must have value greater than or equal "
                    "to 1"
                )
            if segment >= total_segments or segment < 0:
                raise ValidationException(
                    "The Segment parameter is zero-based and must be less than parameter "
                    f"TotalSegments: Segment: {segment} is not less than TotalSegments: "
                    f"{total_segments}"
                )
        exprs = Expressions(
            expression_attribute_names, expression_attribute_values,
            any_expression=filter_expression is not None or projection_expression is not None,
        )
        plan = self._plan(table, index, exprs, filter_expression, projection_expression, select,
                          limit, exclusive_start_key, "Scan")
        if segment is not None and total_segments is not None:
            plan.segment = (segment, total_segments)
        return await self._read(plan, select, return_consumed_capacity, consistent_read)

    def _plan(
        self, table: TableDef, index: Any, exprs: Expressions, filter_expression: str | None,
        projection_expression: str | None, select: str | None, limit: int | None,
        exclusive_start_key: dict[str, Any] | None, operation: str,
    ) -> ReadPlan:
        if limit is not None and limit < 1:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1"
            )
        if select not in (None, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT",
                          "SPECIFIC_ATTRIBUTES"):
            raise ValidationException(
                f"1 validation error detected: Value '{select}' at 'select' failed to satisfy "
                "constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
                "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
            )
        if select == "SPECIFIC_ATTRIBUTES" and projection_expression is None:
            raise ValidationException(
                "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' requires "
                "ProjectionExpression"  # hedged wording
            )
        if projection_expression is not None and select in ("ALL_ATTRIBUTES", "COUNT",
                                                            "ALL_PROJECTED_ATTRIBUTES"):
            raise ValidationException(
                f"Cannot specify the ProjectionExpression when choosing to get {select}"
            )
        if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
            raise ValidationException(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
            )
        condition = exprs.condition(filter_expression, "FilterExpression")
        projection = exprs.projection(projection_expression)
        exprs.done()
        start = None
        if exclusive_start_key is not None:
            start = validate_item(exclusive_start_key)
            names = set(table.key_names())
            if index is not None:
                names |= {index.hash.name} | ({index.range.name} if index.range else set())
            if set(start) != names:
                raise ValidationException(
                    "The provided starting key is invalid: The provided key element does not "
                    "match the schema"
                )
        return ReadPlan(table=table, index=index, filter=condition, projection=projection,
                        limit=limit, start=start, count_only=select == "COUNT")

    async def _read(
        self, plan: ReadPlan, select: str | None, capacity_mode: str | None,
        consistent: bool | None,
    ) -> dict[str, Any]:
        page = await self._ctx.db.read(lambda c: read_page(c, plan))
        out: dict[str, Any] = {}
        if select != "COUNT":
            out["Items"] = page.items
        out["Count"] = page.count
        out["ScannedCount"] = page.scanned
        if page.last_key is not None:
            out["LastEvaluatedKey"] = page.last_key
        capacity = consumed(capacity_mode, plan.table.name, page.bytes_read, write=False,
                            consistent=bool(consistent))
        if capacity:
            out["ConsumedCapacity"] = capacity
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
        updated = _replace(table, extra={**table.extra, "tags": [
            {"Key": k, "Value": v} for k, v in tags.items()]})

        def unit(conn: sqlite3.Connection) -> None:
            _require_table(conn, table.name)
            conn.execute("UPDATE ddb_tables SET definition = ? WHERE name = ?",
                         (json.dumps(updated.to_json()), table.name))

        await self._ctx.db.write(unit)
        self._tables[table.name] = updated

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

    # -- transactions ----------------------------------------------------------------------

    async def transact_get_items(
        self, *, transact_items: list[dict[str, Any]], return_consumed_capacity: str | None = None
    ) -> dict[str, Any]:
        """TransactGetItems: up to 100 Gets, read together (one read of the database)."""
        if not 1 <= len(transact_items) <= _TRANSACT_LIMIT:
            raise ValidationException(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        gets: list[tuple[TableDef, bytes, bytes, tuple[n.Path, ...] | None]] = []
        for action in transact_items:
            spec = action.get("Get")
            if spec is None or len(action) != 1:
                raise ValidationException("TransactItems can only contain Get")
            table = self._table(spec["TableName"])
            key = validate_item(spec["Key"])
            table.check_key(key)
            exprs = Expressions(spec.get("ExpressionAttributeNames"), None,
                                any_expression=spec.get("ProjectionExpression") is not None)
            projection = exprs.projection(spec.get("ProjectionExpression"))
            exprs.done()
            pk, sk = table.encoded_key(key)
            if any(g[0].name == table.name and (g[1], g[2]) == (pk, sk) for g in gets):
                raise ValidationException(
                    "Transaction request cannot include multiple operations on one item"
                )
            gets.append((table, pk, sk, projection))

        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for table, pk, sk, projection in gets:
                item = storage.load_item(conn, table.name, pk, sk)
                if item is None:
                    out.append({})
                else:
                    out.append({"Item": project(item, projection) if projection else item})
            return out

        responses = await self._ctx.db.read(read)
        result: dict[str, Any] = {"Responses": responses}
        if return_consumed_capacity in ("TOTAL", "INDEXES"):
            names = sorted({g[0].name for g in gets})
            result["ConsumedCapacity"] = [
                consumed(return_consumed_capacity, name, 8192, write=False) for name in names
            ]
        return result

    async def transact_write_items(
        self,
        *,
        transact_items: list[dict[str, Any]],
        client_request_token: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> dict[str, Any]:
        """TransactWriteItems: all actions or none. ClientRequestToken is accepted; idempotent
        replay of a token is not simulated."""
        if not 1 <= len(transact_items) <= _TRANSACT_LIMIT:
            raise ValidationException(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        writes: list[_Write] = []
        for action in transact_items:
            if len(action) != 1:
                raise ValidationException(
                    "TransactItems can only contain one of Check, Put, Update or Delete"
                )
            kind, spec = next(iter(action.items()))
            table = self._table(spec["TableName"])
            expression = spec.get("ConditionExpression")
            update_source = spec.get("UpdateExpression") if kind == "Update" else None
            exprs = Expressions(
                spec.get("ExpressionAttributeNames"), spec.get("ExpressionAttributeValues"),
                any_expression=expression is not None or update_source is not None,
            )
            old_on_failure = spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            if kind == "Put":
                new = validate_item(spec["Item"])
                table.check_item_keys(new)
                _check_size(new)
                condition = exprs.condition(expression)
                exprs.done()
                write = _Write(table, table.key_of(new), condition=condition, put=new,
                               return_old_on_failure=old_on_failure)
            else:
                key = validate_item(spec["Key"])
                table.check_key(key)
                update = exprs.update(update_source)
                condition = exprs.condition(expression)
                exprs.done()
                if kind == "ConditionCheck":
                    if condition is None:
                        raise ValidationException(
                            "The ConditionExpression parameter is required for ConditionCheck"
                        )
                    write = _Write(table, key, condition=condition,
                                   return_old_on_failure=old_on_failure, check_only=True)
                elif kind == "Delete":
                    write = _Write(table, key, condition=condition, delete=True,
                                   return_old_on_failure=old_on_failure)
                elif kind == "Update":
                    if update is None:
                        raise ValidationException("UpdateExpression is required for Update")
                    _check_key_untouched(table, update)
                    write = _Write(table, key, condition=condition, update=update,
                                   return_old_on_failure=old_on_failure)
                else:
                    raise ValidationException(f"Unknown transaction action: {kind}")
            if any(w.table.name == write.table.name and (w.pk, w.sk) == (write.pk, write.sk)
                   for w in writes):
                raise ValidationException(
                    "Transaction request cannot include multiple operations on one item"
                )
            writes.append(write)
        now, region = self._ctx.clock.time(), self._ctx.region

        def unit(conn: sqlite3.Connection) -> None:
            olds: list[Item | None] = []
            reasons: list[dict[str, Any]] = []
            failed = False
            for write in writes:
                _require_table(conn, write.table.name)
                old = storage.load_item(conn, write.table.name, write.pk, write.sk)
                olds.append(old)
                if write.check(old):
                    reasons.append({"Code": "None"})
                    continue
                failed = True
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed",
                                          "Message": "The conditional request failed"}
                if write.return_old_on_failure and old is not None:
                    reason["Item"] = to_json(old)
                reasons.append(reason)
            if failed:
                raise TransactionCanceledException(reasons)
            for write, old in zip(writes, olds, strict=True):
                if write.check_only:
                    continue
                storage.commit_change(conn, write.table, old, write.new_item(old), now, region)

        await self._ctx.db.write(unit)
        return {}


def _replace(table: TableDef, **changes: Any) -> TableDef:
    return dataclasses.replace(table, **changes)


def _check_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    for tag in tags:
        key = tag.get("Key", "")
        if not 1 <= len(key) <= 128 or len(tag.get("Value", "")) > 256:
            raise ValidationException(
                "One or more parameter values were invalid: tag keys must be 1-128 characters "
                "and values at most 256"  # hedged wording
            )
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def _require_table(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("SELECT 1 FROM ddb_tables WHERE name = ?", (name,)).fetchone() is None:
        raise ResourceNotFoundException()


def _check_key_untouched(table: TableDef, update: n.Update) -> None:
    for path in updated_paths(update):
        if path.elements[0] in table.key_names():
            raise ValidationException(
                "One or more parameter values were invalid: Cannot update attribute "
                f"{path.elements[0]}. This attribute is part of the key"
            )
