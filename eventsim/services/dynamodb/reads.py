"""Query and Scan: reading pages of items in key order, on the read connection.

A page ends when Limit items have been evaluated (before the filter, as DynamoDB counts) or
when 1 MB of items has been read; its LastEvaluatedKey is the key of the last item evaluated
(table keys, plus the index keys when reading an index).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsim.services.dynamodb.expressions import KeyCondition, evaluate, project
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.keys import encode_key
from eventsim.services.dynamodb.tables import IndexDef, TableDef
from eventsim.services.dynamodb.values import Item, from_json

__all__ = ["Page", "ReadPlan", "read_page"]

PAGE_BYTES = 1024 * 1024


@dataclass
class ReadPlan:
    """Everything one Query or Scan page needs."""

    table: TableDef
    index: IndexDef | None = None
    key: KeyCondition | None = None  # None: Scan
    filter: n.Condition | None = None
    projection: tuple[n.Path, ...] | None = None
    limit: int | None = None
    forward: bool = True
    start: Item | None = None
    segment: tuple[int, int] | None = None
    count_only: bool = False


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)
    count: int = 0
    scanned: int = 0
    last_key: Item | None = None
    bytes_read: int = 0


def _sort_condition(key: KeyCondition, column: str) -> tuple[str, list[Any]]:
    if key.sort_op is None:
        return "", []
    values = [encode_key(v) for v in key.sort_values]
    op = key.sort_op
    if op == "BETWEEN":
        return f" AND {column} BETWEEN ? AND ?", values
    if op == "begins_with":
        prefix = values[0]
        return f" AND substr({column}, 1, ?) = ?", [len(prefix), prefix]
    return f" AND {column} {op} ?", values


def _rows(conn: sqlite3.Connection, plan: ReadPlan) -> Iterator[tuple[str, int]]:
    table, index = plan.table, plan.index
    direction = "ASC" if plan.forward else "DESC"
    cmp = ">" if plan.forward else "<"
    params: list[Any] = [table.name]
    if index is None:
        sql = "SELECT item, size FROM ddb_items WHERE table_name = ?"
        order = f" ORDER BY pk {direction}, sk {direction}"
        if plan.key is not None:
            sql += " AND pk = ?"
            params.append(encode_key(plan.key.hash_value))
            clause, extra = _sort_condition(plan.key, "sk")
            sql += clause
            params += extra
        if plan.start is not None:
            pk, sk = table.encoded_key(plan.start)
            sql += f" AND (pk, sk) {cmp} (?, ?)"
            params += [pk, sk]
    else:
        sql = (
            "SELECT i.item, i.size FROM ddb_index_items x JOIN ddb_items i "
            "ON i.table_name = x.table_name AND i.pk = x.item_pk AND i.sk = x.item_sk "
            "WHERE x.table_name = ? AND x.index_name = ?"
        )
        params.append(index.name)
        order = (f" ORDER BY x.pk {direction}, x.sk {direction}, x.item_pk {direction}, "
                 f"x.item_sk {direction}")
        if plan.key is not None:
            sql += " AND x.pk = ?"
            params.append(encode_key(plan.key.hash_value))
            clause, extra = _sort_condition(plan.key, "x.sk")
            sql += clause
            params += extra
        if plan.start is not None:
            start = plan.start
            ipk = encode_key(start[index.hash.name])
            isk = encode_key(start[index.range.name]) if index.range is not None else b""
            pk, sk = table.encoded_key(start)
            sql += f" AND (x.pk, x.sk, x.item_pk, x.item_sk) {cmp} (?, ?, ?, ?)"
            params += [ipk, isk, pk, sk]
    cursor = conn.execute(sql + order, params)
    while True:
        batch = cursor.fetchmany(256)
        if not batch:
            return
        for row in batch:
            yield row[0], row[1]


def _index_projection(table: TableDef, index: IndexDef, item: Item) -> Item:
    kind = index.projection["ProjectionType"]
    if kind == "ALL":
        return item
    keep = set(table.key_names()) | {index.hash.name}
    if index.range is not None:
        keep.add(index.range.name)
    if kind == "INCLUDE":
        keep |= set(index.projection.get("NonKeyAttributes", []))
    return {k: v for k, v in item.items() if k in keep}


def last_key(plan: ReadPlan, item: Item) -> Item:
    names = list(plan.table.key_names())
    if plan.index is not None:
        names.append(plan.index.hash.name)
        if plan.index.range is not None:
            names.append(plan.index.range.name)
    return {k: item[k] for k in names if k in item}


def read_page(conn: sqlite3.Connection, plan: ReadPlan) -> Page:
    """One page of a Query or Scan."""
    page = Page()
    segment = plan.segment
    previous: Item | None = None
    for text, size in _rows(conn, plan):
        item = from_json(json.loads(text))
        if segment is not None:
            pk, _ = plan.table.encoded_key(item)
            if zlib.crc32(pk) % segment[1] != segment[0]:
                continue
        if previous is not None and page.bytes_read + size > PAGE_BYTES:
            # This item would take the page past 1 MB: the page ends before it.
            page.last_key = last_key(plan, previous)
            break
        previous = item
        page.scanned += 1
        page.bytes_read += size
        if plan.filter is None or evaluate(plan.filter, item):
            page.count += 1
            if not plan.count_only:
                shown = item
                if plan.index is not None:
                    shown = _index_projection(plan.table, plan.index, shown)
                if plan.projection is not None:
                    shown = project(shown, plan.projection)
                page.items.append(shown)
        if plan.limit is not None and page.scanned >= plan.limit:
            page.last_key = last_key(plan, item)
            break
    return page
