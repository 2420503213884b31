"""Query and Scan: validation of the request, then a page read by `reads.read_page`."""

from __future__ import annotations

from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.catalog import Catalog
from eventsim.services.dynamodb.expressions import condition_paths, parse_key_condition
from eventsim.services.dynamodb.reads import ReadPlan, read_page
from eventsim.services.dynamodb.requests import Expressions, consumed
from eventsim.services.dynamodb.tables import TableDef
from eventsim.services.dynamodb.values import validate_item

__all__ = ["ReadOperations"]


class ReadOperations(Catalog):
    """Query and Scan."""

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

