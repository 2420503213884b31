"""Item operations: PutItem, GetItem, UpdateItem, DeleteItem, the batches and transactions.

Every write is one unit: the read of the item as it is, the condition, the new item, its
index entries and its stream record commit together. (A PutItem without a condition reads
the item only if its insert finds one there: `storage.put_item`.)
"""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.base import handler_write
from eventsim.services.dynamodb import storage
from eventsim.services.dynamodb.catalog import Catalog, require_table
from eventsim.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    ResourceNotFoundException,
    TransactionCanceledException,
)
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.expressions import project, updated_paths
from eventsim.services.dynamodb.requests import Expressions, check_return_values, consumed
from eventsim.services.dynamodb.tables import TableDef
from eventsim.services.dynamodb.values import Item, to_json, validate_item, validate_sized_item
from eventsim.services.dynamodb.writes import Write, check_key_untouched, check_size

__all__ = ["ItemOperations"]

_WRITE_LIMIT = 25
_GET_LIMIT = 100
_TRANSACT_LIMIT = 100


class ItemOperations(Catalog):
    """The operations on items."""

    def _streams_written(self, tables: list[TableDef]) -> None:
        """After a commit: tell the pollers of the streams that got records."""
        seen: set[str] = set()
        for table in tables:
            if table.stream is not None and table.stream.arn not in seen:
                seen.add(table.stream.arn)
                self._ctx.source_written(table.stream.arn)

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
        new, measured = validate_sized_item(item)
        table.check_item_keys(new)
        size = check_size(new, size=measured)
        if (condition_expression is None and expression_attribute_names is None
                and expression_attribute_values is None):
            old = await self._put(table, new, size)
        else:
            exprs = Expressions(expression_attribute_names, expression_attribute_values,
                                any_expression=condition_expression is not None)
            condition = exprs.condition(condition_expression)
            exprs.done()
            write = Write(
                table, table.key_of(new), condition=condition, put=new, put_size=size,
                return_old_on_failure=return_values_on_condition_check_failure == "ALL_OLD")
            old = await self._write_one(write)
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and old is not None:
            out["Attributes"] = old
        if return_consumed_capacity is not None:
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
            check_key_untouched(table, update)
        write = Write(table, checked, condition=condition, update=update,
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
        write = Write(table, checked, condition=condition, delete=True,
                       return_old_on_failure=return_values_on_condition_check_failure == "ALL_OLD")
        old = await self._write_one(write)
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and old is not None:
            out["Attributes"] = old
        capacity = consumed(return_consumed_capacity, table_name, old, write=True)
        if capacity:
            out["ConsumedCapacity"] = capacity
        return out

    async def _put(self, table: TableDef, new: Item, size: int) -> Item | None:
        """The write of a PutItem without a condition (`_write_one`'s, less what a condition
        needs): returns the item it replaced."""
        now, region = self._ctx.clock.time(), self._ctx.region
        traced = handler_write("dynamodb:PutItem", self._arn(table.name), now)
        key = table.encoded_key(new)
        insert_first = table.name not in self._replacing

        def unit(conn: sqlite3.Connection) -> Item | None:
            if traced is not None:
                traced.record(conn)
            try:
                return storage.put_item(conn, table, new, key, size, now, region,
                                        sequences=self._sequences, insert_first=insert_first)
            except sqlite3.IntegrityError:
                raise ResourceNotFoundException() from None  # as in `_write_one_with_new`

        old = await self._ctx.db.write(unit)
        if old is None:
            self._replacing.discard(table.name)
        else:
            self._replacing.add(table.name)
        if table.stream is not None:
            self._ctx.source_written(table.stream.arn)
        return old

    async def _write_one(self, write: Write) -> Item | None:
        old, _ = await self._write_one_with_new(write)
        return old

    async def _write_one_with_new(self, write: Write) -> tuple[Item | None, Item | None]:
        now, region = self._ctx.clock.time(), self._ctx.region
        table = write.table
        kind = ("dynamodb:DeleteItem" if write.delete else
                "dynamodb:PutItem" if write.put is not None else "dynamodb:UpdateItem")
        traced = handler_write(kind, self._arn(table.name), now)

        def unit(conn: sqlite3.Connection) -> tuple[Item | None, Item | None]:
            if traced is not None:
                traced.record(conn)
            old = storage.load_item(conn, table.name, write.pk, write.sk)
            if not write.check(old):
                raise ConditionalCheckFailedException(
                    to_json(old) if write.return_old_on_failure and old is not None else None
                )
            new = write.new_item(old)
            try:
                storage.commit_change(
                    conn, table, old, new, now, region, sequences=self._sequences,
                    key=(write.pk, write.sk),
                    new_size=write.put_size if new is write.put else None)
            except sqlite3.IntegrityError:
                # The table was deleted after this request looked it up (its foreign key).
                raise ResourceNotFoundException() from None
            return old, new

        changed = await self._ctx.db.write(unit)
        self._streams_written([table])
        return changed

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
        writes: list[Write] = []
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
                    check_size(new)
                    write = Write(table, table.key_of(new), put=new)
                else:
                    key = validate_item(request["DeleteRequest"]["Key"])
                    table.check_key(key)
                    write = Write(table, key, delete=True)
                if (write.pk, write.sk) in seen:
                    raise ValidationException("Provided list of item keys contains duplicates")
                seen.add((write.pk, write.sk))
                writes.append(write)
        now, region = self._ctx.clock.time(), self._ctx.region
        tables = dict.fromkeys(self._arn(w.table.name) for w in writes)
        traced = [t for t in (handler_write("dynamodb:BatchWriteItem", arn, now)
                              for arn in tables) if t]

        def unit(conn: sqlite3.Connection) -> None:
            for edge in traced:
                edge.record(conn)
            taken = dict(self._sequences)
            try:
                for write in writes:
                    require_table(conn, write.table.name)
                    old = storage.load_item(conn, write.table.name, write.pk, write.sk)
                    storage.commit_change(conn, write.table, old, write.new_item(old), now,
                                          region, sequences=self._sequences)
            except BaseException:
                self._sequences = taken  # the unit's rows roll back: so do its positions
                raise

        await self._ctx.db.write(unit)
        self._streams_written([w.table for w in writes])
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
        writes: list[Write] = []
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
                check_size(new)
                condition = exprs.condition(expression)
                exprs.done()
                write = Write(table, table.key_of(new), condition=condition, put=new,
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
                    write = Write(table, key, condition=condition,
                                   return_old_on_failure=old_on_failure, check_only=True)
                elif kind == "Delete":
                    write = Write(table, key, condition=condition, delete=True,
                                   return_old_on_failure=old_on_failure)
                elif kind == "Update":
                    if update is None:
                        raise ValidationException("UpdateExpression is required for Update")
                    check_key_untouched(table, update)
                    write = Write(table, key, condition=condition, update=update,
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
        traced = [t for t in (handler_write("dynamodb:TransactWriteItems", arn, now)
                              for arn in dict.fromkeys(self._arn(w.table.name) for w in writes
                                                       if not w.check_only)) if t]

        def unit(conn: sqlite3.Connection) -> None:
            olds: list[Item | None] = []
            reasons: list[dict[str, Any]] = []
            failed = False
            for write in writes:
                require_table(conn, write.table.name)
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
            for edge in traced:
                edge.record(conn)
            taken = dict(self._sequences)
            try:
                for write, old in zip(writes, olds, strict=True):
                    if not write.check_only:
                        storage.commit_change(conn, write.table, old, write.new_item(old), now,
                                              region, sequences=self._sequences)
            except BaseException:
                self._sequences = taken  # the unit's rows roll back: so do its positions
                raise

        await self._ctx.db.write(unit)
        self._streams_written([w.table for w in writes])
        return {}

