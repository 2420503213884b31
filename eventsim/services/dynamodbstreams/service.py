"""The DynamoDB Streams service (botocore ``dynamodbstreams``): reading the records that
DynamoDB writes append.

Shard model: a stream has ONE shard, open while the stream is enabled and closed (with an
EndingSequenceNumber) once the stream is disabled or its table deleted. AWS splits shards on
its own schedule; a reader that follows the documented lineage rules reads one shard here.

Shard iterators are opaque strings carrying (stream, shard, next sequence number, time of
issue); they expire 15 minutes after they were made, on the simulator's clock. Records older
than 24 hours (on the clock) are trimmed: never returned, and reading a position before the
oldest kept record is TrimmedDataAccessException.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import sqlite3
from typing import Any

import orjson

from eventsim.errors import ValidationException
from eventsim.services.base import ServiceContext
from eventsim.services.dynamodb.errors import ResourceNotFoundException
from eventsim.services.dynamodb.storage import NEXT_SEQUENCE, RETENTION_SECONDS, SEQUENCE_BASE
from eventsim.services.dynamodb.values import from_json
from eventsim.services.dynamodbstreams.errors import (
    ExpiredIteratorException,
    TrimmedDataAccessException,
)

__all__ = ["DynamoDBStreamsService"]

ITERATOR_SECONDS = 15 * 60
MAX_RECORDS = 1000
PAGE_BYTES = 1024 * 1024
ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
# The shape of a DynamoDB stream ARN; only what does not have it at all is "Invalid".
STREAM_ARN = re.compile(
    r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{1,255}/stream/[^/]+"
)


def _timestamp(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def api_record(record: dict[str, Any]) -> dict[str, Any]:
    """A stored (Lambda-shaped) record as GetRecords answers it: no eventSourceARN, the
    creation time as a timestamp, blobs as bytes."""
    body = dict(record["dynamodb"])
    body["ApproximateCreationDateTime"] = _timestamp(body["ApproximateCreationDateTime"])
    for image in ("Keys", "NewImage", "OldImage"):
        if image in body:
            body[image] = from_json(body[image])
    out = {k: v for k, v in record.items()
           if k not in ("eventSourceARN", "dynamodb", "userIdentity")}
    out["dynamodb"] = body
    identity = record.get("userIdentity")
    if identity is not None:  # the API spells its members as its shapes do
        out["userIdentity"] = {"PrincipalId": identity["principalId"], "Type": identity["type"]}
    return out


class DynamoDBStreamsService:
    """ListStreams, DescribeStream, GetShardIterator, GetRecords."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @staticmethod
    def _check_arn(arn: str) -> None:
        """AWS tells a StreamArn that is no stream ARN at all (ValidationException "Invalid
        StreamArn") from a well-formed one naming no stream (ResourceNotFoundException).
        Seen against DynamoDB by ScyllaDB's test/alternator/test_streams.py
        (test_describe_nonexistent_stream, test_get_shard_iterator_for_nonexistent_stream,
        test_list_streams_with_nonexistent_last_stream); the message as the AWS SDK for Java
        reported it: amazon-archives/logstash-input-dynamodb issue 18."""
        if STREAM_ARN.fullmatch(arn) is None:
            raise ValidationException("Invalid StreamArn")

    def _cutoff(self) -> float:
        return self._ctx.clock.time() - RETENTION_SECONDS

    async def list_streams(
        self,
        *,
        table_name: str | None = None,
        limit: int | None = None,
        exclusive_start_stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """ListStreams, optionally for one table, in ARN order. Streams of deleted tables or
        disabled streams are listed while their records may be read (24 hours)."""
        if exclusive_start_stream_arn is not None:
            self._check_arn(exclusive_start_stream_arn)
        page = limit or 100
        cutoff = self._cutoff()

        def read(conn: sqlite3.Connection) -> list[Any]:
            sql = ("SELECT arn, table_name, label FROM ddb_streams "
                   "WHERE (disabled_at IS NULL OR disabled_at >= ?)")
            params: list[Any] = [cutoff]
            if table_name is not None:
                sql += " AND table_name = ?"
                params.append(table_name)
            if exclusive_start_stream_arn is not None:
                sql += " AND arn > ?"
                params.append(exclusive_start_stream_arn)
            return conn.execute(sql + " ORDER BY arn LIMIT ?", [*params, page + 1]).fetchall()

        rows = await self._ctx.db.read(read)
        out: dict[str, Any] = {
            "Streams": [
                {"StreamArn": r[0], "TableName": r[1], "StreamLabel": r[2]} for r in rows[:page]
            ]
        }
        if len(rows) > page:
            out["LastEvaluatedStreamArn"] = rows[page - 1][0]
        return out

    def _load_stream(self, conn: sqlite3.Connection, arn: str) -> Any:
        row = conn.execute(
            "SELECT arn, table_name, label, view_type, key_schema, shard_id, created_at, "
            f"disabled_at, {NEXT_SEQUENCE} AS next_seq FROM ddb_streams WHERE arn = ?", (arn,)
        ).fetchone()
        if row is None:
            raise ResourceNotFoundException(
                f"Requested resource not found: Stream: {arn} not found"
            )
        return row

    def _horizon(self, conn: sqlite3.Connection, arn: str, next_seq: int) -> int:
        row = conn.execute(
            "SELECT MIN(seq) FROM ddb_stream_records WHERE stream_arn = ? AND created_at >= ?",
            (arn, self._cutoff()),
        ).fetchone()
        return int(row[0]) if row[0] is not None else next_seq

    async def describe_stream(
        self,
        *,
        stream_arn: str,
        limit: int | None = None,
        exclusive_start_shard_id: str | None = None,
    ) -> dict[str, Any]:
        """DescribeStream: the stream and its one shard."""
        self._check_arn(stream_arn)

        def read(conn: sqlite3.Connection) -> tuple[Any, int]:
            row = self._load_stream(conn, stream_arn)
            return row, self._horizon(conn, stream_arn, row["next_seq"])

        row, horizon = await self._ctx.db.read(read)
        shard: dict[str, Any] = {
            "ShardId": row["shard_id"],
            "SequenceNumberRange": {"StartingSequenceNumber": str(SEQUENCE_BASE + horizon)},
        }
        if row["disabled_at"] is not None:
            last = SEQUENCE_BASE + row["next_seq"] - 1
            shard["SequenceNumberRange"]["EndingSequenceNumber"] = str(last)
        shards = [] if exclusive_start_shard_id == row["shard_id"] else [shard]
        return {
            "StreamDescription": {
                "StreamArn": row["arn"],
                "StreamLabel": row["label"],
                "StreamStatus": "ENABLED" if row["disabled_at"] is None else "DISABLED",
                "StreamViewType": row["view_type"],
                "CreationRequestDateTime": _timestamp(row["created_at"]),
                "TableName": row["table_name"],
                "KeySchema": json.loads(row["key_schema"]),
                "Shards": shards,
            }
        }

    def _iterator(self, arn: str, shard_id: str, position: int) -> str:
        payload = json.dumps([arn, shard_id, position, self._ctx.clock.time()])
        return base64.urlsafe_b64encode(payload.encode()).decode("ascii")

    async def get_shard_iterator(
        self,
        *,
        stream_arn: str,
        shard_id: str,
        shard_iterator_type: str,
        sequence_number: str | None = None,
    ) -> dict[str, Any]:
        """GetShardIterator: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER."""
        self._check_arn(stream_arn)
        if shard_iterator_type not in ITERATOR_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{shard_iterator_type}' at "
                "'shardIteratorType' failed to satisfy constraint: Member must satisfy enum "
                "value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
            )
        wants_number = shard_iterator_type in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if wants_number and sequence_number is None:
            raise ValidationException(
                f"Must specify a sequence number for iterator type {shard_iterator_type}"
            )
        if wants_number and not (sequence_number or "").isdigit():
            raise ValidationException(f"Invalid SequenceNumber: {sequence_number}")

        def read(conn: sqlite3.Connection) -> tuple[Any, int]:
            row = self._load_stream(conn, stream_arn)
            return row, self._horizon(conn, stream_arn, row["next_seq"])

        row, horizon = await self._ctx.db.read(read)
        if shard_id != row["shard_id"]:
            raise ResourceNotFoundException(
                "Requested resource not found: Shard does not exist"
            )
        if shard_iterator_type == "TRIM_HORIZON":
            position = horizon
        elif shard_iterator_type == "LATEST":
            position = row["next_seq"]
        else:
            assert sequence_number is not None
            number = int(sequence_number) - SEQUENCE_BASE
            if number >= row["next_seq"]:
                raise ValidationException(
                    f"Invalid SequenceNumber: {sequence_number} is beyond the end of the shard"
                )
            if number < horizon:
                raise TrimmedDataAccessException()
            position = number if shard_iterator_type == "AT_SEQUENCE_NUMBER" else number + 1
        return {"ShardIterator": self._iterator(stream_arn, shard_id, position)}

    async def get_records(
        self, *, shard_iterator: str, limit: int | None = None
    ) -> dict[str, Any]:
        """GetRecords: up to Limit (at most 1,000) records or 1 MB from the iterator's place."""
        if limit is not None and not 1 <= limit <= MAX_RECORDS:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                f"constraint: Member must have value "
                + ("less than or equal to 1000" if limit > MAX_RECORDS
                   else "greater than or equal to 1")
            )
        try:
            arn, shard_id, position, issued = json.loads(
                base64.urlsafe_b64decode(shard_iterator.encode("ascii"))
            )
        except (ValueError, binascii.Error, UnicodeError, TypeError):
            raise ValidationException("Invalid ShardIterator") from None
        now = self._ctx.clock.time()
        if now - issued > ITERATOR_SECONDS:
            raise ExpiredIteratorException()
        cap = limit or MAX_RECORDS
        cutoff = self._cutoff()

        def read(conn: sqlite3.Connection) -> tuple[Any, int, list[Any]]:
            row = self._load_stream(conn, arn)
            horizon = self._horizon(conn, arn, row["next_seq"])
            rows = conn.execute(
                "SELECT seq, record FROM ddb_stream_records WHERE stream_arn = ? AND seq >= ? "
                "AND created_at >= ? ORDER BY seq LIMIT ?", (arn, position, cutoff, cap)
            ).fetchall()
            return row, horizon, rows

        stream, horizon, rows = await self._ctx.db.read(read)
        if position < horizon:
            raise TrimmedDataAccessException()
        records: list[dict[str, Any]] = []
        size = 0
        next_position = position
        for seq, text in rows:
            if records and size + len(text) > PAGE_BYTES:
                break
            size += len(text)
            records.append(api_record(orjson.loads(text)))
            next_position = seq + 1
        out: dict[str, Any] = {"Records": records}
        closed = stream["disabled_at"] is not None
        if not (closed and next_position >= stream["next_seq"]):
            out["NextShardIterator"] = self._iterator(arn, shard_id, next_position)
        return out
