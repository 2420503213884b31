"""The rows of items, index entries and stream records, inside a write unit.

`commit_change` is where an item changes: the item row, its secondary index entries and,
when the table has a stream and the item really changed, its stream record, all on the
unit's connection, so they commit together. `put_item` writes the same rows for a put with
nothing to check, reading the item as it was only when there is one.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sqlite3
from typing import Any

import orjson

from eventsim.events.dynamodb import stream_record
from eventsim.ids import random_hex
from eventsim.services.dynamodb.keys import encode_key
from eventsim.services.dynamodb.tables import IndexDef, TableDef
from eventsim.services.dynamodb.values import (
    NUMBER_CONTEXT,
    Item,
    from_json,
    item_size,
    items_equal,
    to_json,
)

__all__ = [
    "FIRST_SEQUENCE",
    "NEXT_SEQUENCE",
    "RETENTION_SECONDS",
    "SEQUENCE_BASE",
    "commit_change",
    "create_stream",
    "load_item",
    "number_key_repair_pending",
    "put_item",
    "repair_number_keys",
    "stream_label",
]

RETENTION_SECONDS = 24 * 3600
SEQUENCE_BASE = 10**20
"""Sequence numbers are decimal strings of 21 to 40 digits: the text is SEQUENCE_BASE plus
the stored counter (which must fit SQLite's 64-bit integers)."""
FIRST_SEQUENCE = 1
_TRIM_EVERY = 1024
NEXT_SEQUENCE = (
    "MAX(next_seq, COALESCE((SELECT MAX(r.seq) + 1 FROM ddb_stream_records r "
    "WHERE r.stream_arn = ddb_streams.arn), 0))"
)
"""The position the next record of a stream takes, in a query over ``ddb_streams``.

Writers take positions from a counter in memory (`commit_change`'s ``sequences``) rather than
updating the stream's row for every record: the newest record says how far the stream has
got, and ``next_seq`` holds it only where no record can (a new stream; a trim that deletes
records stores it first)."""


def load_item(conn: sqlite3.Connection, table: str, pk: bytes, sk: bytes) -> Item | None:
    row = conn.execute(
        "SELECT item FROM ddb_items WHERE table_name = ? AND pk = ? AND sk = ?",
        (table, bytearray(pk), bytearray(sk)),  # bytearray: see `_UPSERT`
    ).fetchone()
    return from_json(orjson.loads(row[0])) if row is not None else None


def _index_key(index: IndexDef, item: Item) -> tuple[bytes, bytes] | None:
    if index.hash.name not in item:
        return None
    if index.range is not None and index.range.name not in item:
        return None
    pk = encode_key(item[index.hash.name])
    sk = encode_key(item[index.range.name]) if index.range is not None else b""
    return pk, sk


def commit_change(
    conn: sqlite3.Connection, table: TableDef, old: Item | None, new: Item | None,
    now: float, region: str, *, sequences: dict[str, int],
    key: tuple[bytes, bytes] | None = None, new_size: int | None = None,
    identity: dict[str, str] | None = None,
) -> bool:
    """Write one item's change (new None: delete). Returns whether anything changed.

    `sequences` holds the next position of each stream written through it (see
    `NEXT_SEQUENCE`; read from the database the first time). `key` (the encoded key) and
    `new_size` (``item_size(new)``) may be given when the caller has them already.
    ``identity``: the stream record's ``userIdentity`` (TTL deletions only).
    """
    if items_equal(old, new):
        return False
    source = new if new is not None else old
    assert source is not None
    pk, sk = key if key is not None else table.encoded_key(source)
    image: dict[str, Any] | None = None
    if new is None:
        new_size = 0
        conn.execute(
            "DELETE FROM ddb_items WHERE table_name = ? AND pk = ? AND sk = ?",
            (table.name, pk, sk),
        )
    else:
        if new_size is None:
            new_size = item_size(new)
        image = to_json(new)  # the stored item, and the stream record's NewImage
        conn.execute(_UPSERT, (table.name, bytearray(pk), bytearray(sk),
                               orjson.dumps(image).decode(), new_size))
    if table.indexes:
        _reindex(conn, table, pk, sk, old, new)
    if table.stream is not None:
        _append_record(conn, table, old, new, image, new_size, now, region, sequences,
                       identity)
    return True


_UPSERT = (
    "INSERT INTO ddb_items (table_name, pk, sk, item, size) VALUES (?,?,?,?,?) "
    "ON CONFLICT (table_name, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size"
)
"""Keys are bound as bytearray on the paths every item takes: the sqlite3 module binds a
bytearray as a BLOB directly, while bytes first go through its adaptation protocol (a lookup
and two failed attribute lookups, ~0.45 us a parameter). The stored BLOB is the same."""
_INSERT_NEW = (
    "INSERT INTO ddb_items (table_name, pk, sk, item, size) VALUES (?,?,?,?,?) "
    "ON CONFLICT (table_name, pk, sk) DO NOTHING"
)


def put_item(
    conn: sqlite3.Connection, table: TableDef, new: Item, key: tuple[bytes, bytes],
    new_size: int, now: float, region: str, *, sequences: dict[str, int], insert_first: bool,
) -> Item | None:
    """A put with nothing to check first: `new` (whose encoded key and size are given)
    replaces whatever item has its key, as `commit_change` writes it. Returns the item it
    replaced (None: there was none).

    ``insert_first``: try the insert before any read. A new item then costs one statement
    instead of a read and a write, an item that exists one more (the insert that finds it);
    the caller guesses which is likelier."""
    pk, sk = key
    image = to_json(new)
    row = (table.name, bytearray(pk), bytearray(sk), orjson.dumps(image).decode(), new_size)
    old: Item | None = None
    if not (insert_first and conn.execute(_INSERT_NEW, row).rowcount):
        old = load_item(conn, table.name, pk, sk)
        if items_equal(old, new):
            return old
        conn.execute(_UPSERT, row)
    if table.indexes:
        _reindex(conn, table, pk, sk, old, new)
    if table.stream is not None:
        _append_record(conn, table, old, new, image, new_size, now, region, sequences)
    return old


def _reindex(
    conn: sqlite3.Connection, table: TableDef, pk: bytes, sk: bytes,
    old: Item | None, new: Item | None,
) -> None:
    for index in table.indexes:
        before = _index_key(index, old) if old is not None else None
        after = _index_key(index, new) if new is not None else None
        if before == after and new is not None:
            continue
        if before is not None:
            conn.execute(
                "DELETE FROM ddb_index_items WHERE table_name = ? AND index_name = ? AND pk = ? "
                "AND sk = ? AND item_pk = ? AND item_sk = ?",
                (table.name, index.name, before[0], before[1], pk, sk),
            )
        if after is not None:
            conn.execute(
                "INSERT INTO ddb_index_items (table_name, index_name, pk, sk, item_pk, item_sk) "
                "VALUES (?,?,?,?,?,?)",
                (table.name, index.name, after[0], after[1], pk, sk),
            )


_TRIM = (
    "DELETE FROM ddb_stream_records WHERE stream_arn = ? AND seq < (SELECT seq FROM "
    "ddb_stream_records WHERE stream_arn = ? AND created_at >= ? ORDER BY seq LIMIT 1)"
)


def _append_record(
    conn: sqlite3.Connection, table: TableDef, old: Item | None, new: Item | None,
    image: dict[str, Any] | None, new_size: int, now: float, region: str,
    sequences: dict[str, int], identity: dict[str, str] | None = None,
) -> None:
    """The stream record of a change; `image` is `new` in DynamoDB JSON (None: deleted)."""
    stream = table.stream
    assert stream is not None
    seq = sequences.get(stream.arn)
    if seq is None:
        seq = int(conn.execute(f"SELECT {NEXT_SEQUENCE} FROM ddb_streams WHERE arn = ?",
                               (stream.arn,)).fetchone()[0])
    # Units run one at a time, so two writes never take the same position; a unit that
    # fails after taking one leaves a gap (as AWS's numbers have), never a repeat.
    sequences[stream.arn] = seq + 1
    source = new if new is not None else old
    assert source is not None
    keys = table.key_of(source)
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    record = stream_record(
        event_id=random_hex(32), event_name=name, region=region, created_at=now,
        keys=to_json(keys),
        new_image=image,
        old_image=to_json(old) if old is not None else None,
        sequence_number=str(SEQUENCE_BASE + seq), view_type=stream.view_type, stream_arn=stream.arn,
        sizes=(item_size(keys), new_size, item_size(old) if old is not None else 0),
        user_identity=identity,
    )
    conn.execute(
        "INSERT INTO ddb_stream_records (stream_arn, seq, created_at, record) VALUES (?,?,?,?)",
        (stream.arn, seq, now, orjson.dumps(record).decode()),
    )
    if seq % _TRIM_EVERY == 0:
        # Records past the 24-hour retention are never served; drop them now and then, the
        # stream's position stored first in case none is left to tell it. Records are stamped
        # in the order of their positions, so the expired ones come first: deleting those
        # before the first record kept reads them alone, not the whole stream. (Should the
        # clock step back, an expired record after a kept one waits for a later trim; it is
        # not served meanwhile: every read asks for records within the retention.)
        conn.execute("UPDATE ddb_streams SET next_seq = ? WHERE arn = ?", (seq + 1, stream.arn))
        conn.execute(_TRIM, (stream.arn, stream.arn, now - RETENTION_SECONDS))


def stream_label(now: float) -> str:
    """The label of a stream enabled at ``now``: an ISO timestamp with milliseconds."""
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def create_stream(
    conn: sqlite3.Connection, table: TableDef, view_type: str, now: float, region: str,
    account: str,
) -> tuple[str, str]:
    """Insert a new stream (one open shard) for the table; return (arn, label).

    A label already taken (a stream re-enabled within the same millisecond) moves on by a
    millisecond, so every stream has its own ARN.
    """
    at = now
    while True:
        label = stream_label(at)
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{table.name}/stream/{label}"
        if conn.execute("SELECT 1 FROM ddb_streams WHERE arn = ?", (arn,)).fetchone() is None:
            break
        at += 0.001
    shard_id = f"shardId-{int(at * 1000):020d}-{random_hex(8)}"
    conn.execute(
        "INSERT INTO ddb_streams (arn, table_name, label, view_type, key_schema, shard_id, "
        "created_at, next_seq) VALUES (?,?,?,?,?,?,?,?)",
        (arn, table.name, label, view_type, json.dumps(table.key_schema()), shard_id, at,
         FIRST_SEQUENCE),
    )
    return arn, label


def disable_stream(conn: sqlite3.Connection, arn: str, now: float) -> None:
    """Close the stream's shard; its records stay readable for the retention period."""
    conn.execute("UPDATE ddb_streams SET disabled_at = ? WHERE arn = ? AND disabled_at IS NULL",
                 (now, arn))


def table_stats(conn: sqlite3.Connection, table: str) -> tuple[int, int]:
    """(ItemCount, TableSizeBytes)."""
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM ddb_items WHERE table_name = ?", (table,)
    ).fetchone()
    return int(row[0]), int(row[1])


def index_stats(conn: sqlite3.Connection, table: str) -> dict[str, tuple[int, int]]:
    """Index name -> (ItemCount, IndexSizeBytes); the size counts whole items (an upper
    bound for KEYS_ONLY and INCLUDE projections)."""
    rows = conn.execute(
        "SELECT x.index_name, COUNT(*), COALESCE(SUM(i.size), 0) FROM ddb_index_items x "
        "JOIN ddb_items i ON i.table_name = x.table_name AND i.pk = x.item_pk "
        "AND i.sk = x.item_sk WHERE x.table_name = ? GROUP BY x.index_name", (table,)
    ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def rows_to_items(rows: list[Any]) -> list[Item]:
    return [from_json(orjson.loads(r[0])) for r in rows]


NUMBER_KEY_REPAIR = "number-keys-38-digits"
_ROUNDED_BEFORE = 28
"""Significant digits beyond which number keys used to be rounded (migration 0011)."""


def number_key_repair_pending(conn: sqlite3.Connection) -> bool:
    """Whether migration 0011 left `repair_number_keys` to do."""
    return conn.execute("SELECT 1 FROM ddb_repairs WHERE name = ?",
                        (NUMBER_KEY_REPAIR,)).fetchone() is not None


def repair_number_keys(conn: sqlite3.Connection, tables: list[TableDef]) -> int:
    """Once, if migration 0011 asked for it: store each item whose number key (of its table
    or of an index) has more than 28 significant digits under its exact key, with its index
    entries. Returns how many items were moved."""
    if not number_key_repair_pending(conn):
        return 0
    moved = 0
    for table in tables:
        attributes = [table.hash, table.range,
                      *(a for index in table.indexes for a in (index.hash, index.range))]
        numbers = {a.name for a in attributes if a is not None and a.type == "N"}
        if not numbers:
            continue
        rows = conn.execute("SELECT pk, sk, item, size FROM ddb_items WHERE table_name = ?",
                            (table.name,)).fetchall()
        for pk, sk, text, size in rows:
            stored = orjson.loads(text)
            if not any(_long_number(stored.get(name)) for name in numbers):
                continue
            item = from_json(stored)
            exact_pk, exact_sk = table.encoded_key(item)
            # Deleting the row deletes its index entries (ON DELETE CASCADE); they are made
            # again from the item, under exact keys.
            conn.execute("DELETE FROM ddb_items WHERE table_name = ? AND pk = ? AND sk = ?",
                         (table.name, pk, sk))
            conn.execute("INSERT INTO ddb_items (table_name, pk, sk, item, size) "
                         "VALUES (?,?,?,?,?)", (table.name, exact_pk, exact_sk, text, size))
            if table.indexes:
                _reindex(conn, table, exact_pk, exact_sk, None, item)
            moved += 1
    conn.execute("DELETE FROM ddb_repairs WHERE name = ?", (NUMBER_KEY_REPAIR,))
    return moved


def _long_number(value: Any) -> bool:
    if not isinstance(value, dict) or "N" not in value:
        return False
    try:
        digits = decimal.Decimal(value["N"]).normalize(NUMBER_CONTEXT).as_tuple()[1]
    except decimal.InvalidOperation:
        return False
    return len(digits) > _ROUNDED_BEFORE
