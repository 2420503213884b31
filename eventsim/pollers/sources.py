"""What a poller reads: the shards of a Kinesis or DynamoDB stream, as positions and records.

A position is an integer that orders a shard's records: the Kinesis record counter (records
start at 1; 0 is the trim horizon) or the DynamoDB stream's sequence offset. A checkpoint is
the position of the next record to deliver. Both sources read through their service packages'
read-only helpers, never through the public API (no iterators to refresh, no copies).
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from eventsim.events.kinesis import KinesisRecordWriter
from eventsim.services.dynamodbstreams import polling as ddb_polling
from eventsim.services.kinesis import records as kinesis_records
from eventsim.services.kinesis.service import KinesisService
from eventsim.store import Database

__all__ = ["DynamoDBSource", "KinesisSource", "ShardInfo", "Source", "SourceRecord"]


@dataclass(slots=True)
class SourceRecord:
    """One stream record on its way to a function."""

    position: int
    sequence_number: str
    arrival: float
    text: str
    """As the function receives it in ``Records``: compact JSON, made once."""
    size: int
    """Bytes it adds to the invocation payload (its JSON as UTF-8)."""
    _record: dict[str, Any] | None = field(default=None)
    _filter_doc: Any = field(default=None)

    def partition_key(self, kind: str) -> str:
        """What ParallelizationFactor keeps in order: the Kinesis partition key, the DynamoDB
        item's key."""
        if kind == "kinesis":
            return str(self.record["kinesis"]["partitionKey"])
        return json.dumps(self.record["dynamodb"]["Keys"], sort_keys=True)

    @property
    def record(self) -> dict[str, Any]:
        """The record decoded (only filters need it)."""
        if self._record is None:
            self._record = json.loads(self.text)
        return self._record

    def filter_document(self, kind: str) -> Any:
        """What FilterCriteria patterns are matched against: for Kinesis the ``kinesis`` object
        with ``data`` decoded as JSON (left out when it is not JSON), for DynamoDB the record."""
        if self._filter_doc is None:
            if kind == "kinesis":
                doc = dict(self.record["kinesis"])
                try:
                    doc["data"] = json.loads(base64.b64decode(doc["data"]))
                except ValueError:
                    del doc["data"]
                self._filter_doc = doc
            else:
                self._filter_doc = self.record
        return self._filter_doc


@dataclass(frozen=True, slots=True)
class ShardInfo:
    shard_id: str
    parents: tuple[str, ...]


class Source(ABC):
    """One stream, as the pollers of one mapping see it."""

    kind: str
    batch_key: str
    """``KinesisBatchInfo`` or ``DDBStreamBatchInfo`` in on-failure records."""
    arn: str
    name: str

    @abstractmethod
    async def shards(self) -> list[ShardInfo] | None:
        """Every shard, parents before children; None when the stream is gone."""

    @abstractmethod
    async def start_position(self, shard_id: str, starting: str, since: float | None) -> int:
        """The position StartingPosition (TRIM_HORIZON, LATEST, AT_TIMESTAMP) names now."""

    @abstractmethod
    async def read(self, shard_id: str, position: int, limit: int, now: float
                   ) -> list[SourceRecord]:
        """Up to `limit` records from `position` on, still retained, in order."""

    @abstractmethod
    async def finished(self, shard_id: str, position: int) -> bool:
        """The shard is closed and every record before `position` has been delivered."""

    @abstractmethod
    def retention_cutoff(self, now: float) -> float:
        """Records that arrived before this time have expired."""


class KinesisSource(Source):
    """A Kinesis data stream."""

    kind = "kinesis"
    batch_key = "KinesisBatchInfo"

    def __init__(self, arn: str, kinesis: KinesisService, db: Database, region: str,
                 identity: str) -> None:
        self.arn = arn
        self.name = arn.rpartition("/")[2]
        self._kinesis = kinesis
        self._db = db
        self._region = region
        self._identity = identity
        self._writers: dict[str, KinesisRecordWriter] = {}

    async def shards(self) -> list[ShardInfo] | None:
        stream = self._kinesis.stream_at(self.arn)
        if stream is None:
            return None
        return [ShardInfo(s.shard_id, tuple(
            stream.shards[i].shard_id for i in (s.parent, s.adjacent_parent) if i is not None))
            for s in stream.shards]

    def _shard(self, shard_id: str) -> Any:
        stream = self._kinesis.stream_at(self.arn)
        if stream is None:
            return None, None
        index = int(shard_id.rpartition("-")[2])
        return stream, stream.shards[index] if index < len(stream.shards) else None

    async def start_position(self, shard_id: str, starting: str, since: float | None) -> int:
        stream, shard = self._shard(shard_id)
        if shard is None:
            return 0
        if starting == "LATEST":
            return int(shard.last_counter) + 1
        if starting == "AT_TIMESTAMP" and since is not None:
            found = await self._db.read(lambda c: kinesis_records.first_counter_at(
                c, stream.name, shard.index, since))
            return int(shard.last_counter) + 1 if found is None else int(found)
        return 0

    async def read(self, shard_id: str, position: int, limit: int, now: float
                   ) -> list[SourceRecord]:
        stream, shard = self._shard(shard_id)
        if shard is None or position > shard.last_counter:
            return []
        cutoff = stream.retention_cutoff(now)

        def read(conn: Any) -> list[kinesis_records.StoredRecord]:
            out: list[kinesis_records.StoredRecord] = []
            for record in kinesis_records.read_records(conn, stream.name, shard.index,
                                                       position, cutoff):
                out.append(record)
                if len(out) >= limit:
                    break
            return out

        found = await self._db.read(read, offload=limit > 1000)
        write = self._writers.get(shard_id)
        if write is None:
            write = self._writers[shard_id] = KinesisRecordWriter(
                shard_id=shard_id, stream_arn=self.arn, region=self._region,
                invoke_identity_arn=self._identity)
        result: list[SourceRecord] = []
        number_of = shard.sequence_number
        for r in found:
            number = number_of(r.counter, r.arrival)
            text = write(number, r.partition_key, r.data, r.arrival,
                         "KMS" if r.encrypted else None)
            # ASCII (escaped) JSON: as many bytes as characters.
            result.append(SourceRecord(r.counter, number, r.arrival, text, len(text)))
        return result

    async def finished(self, shard_id: str, position: int) -> bool:
        _, shard = self._shard(shard_id)
        # Counters start at 1: a shard closed before its first record (a split of a split,
        # or a short-lived shard of UpdateShardCount) is drained from the start.
        return shard is None or (not shard.is_open and max(position, 1) > shard.last_counter)

    def retention_cutoff(self, now: float) -> float:
        stream = self._kinesis.stream_at(self.arn)
        return now - (stream.retention_hours if stream is not None else 24) * 3600


class DynamoDBSource(Source):
    """A DynamoDB stream: one shard (see `eventsim.services.dynamodbstreams`)."""

    kind = "dynamodb"
    batch_key = "DDBStreamBatchInfo"

    def __init__(self, arn: str, db: Database) -> None:
        self.arn = arn
        self.name = arn.split("/")[1] if "/" in arn else arn
        self._db = db

    async def _state(self) -> ddb_polling.StreamState | None:
        return await self._db.read(lambda c: ddb_polling.stream_state(c, self.arn))

    async def shards(self) -> list[ShardInfo] | None:
        state = await self._state()
        return None if state is None else [ShardInfo(state.shard_id, ())]

    async def start_position(self, shard_id: str, starting: str, since: float | None) -> int:
        state = await self._state()
        if state is None:
            return 0
        if starting == "LATEST":
            return state.next_position
        return 0

    async def read(self, shard_id: str, position: int, limit: int, now: float
                   ) -> list[SourceRecord]:
        cutoff = self.retention_cutoff(now)
        rows = await self._db.read(
            lambda c: ddb_polling.read_from(c, self.arn, position, cutoff, limit))
        result: list[SourceRecord] = []
        for seq, created, text in rows:
            # Stored as the function receives it: handed on as it is (UTF-8, not escaped).
            result.append(SourceRecord(seq, str(ddb_polling.SEQUENCE_BASE + seq), created, text,
                                       len(text.encode())))
        return result

    async def finished(self, shard_id: str, position: int) -> bool:
        state = await self._state()
        return state is None or (state.closed and position >= state.next_position)

    def retention_cutoff(self, now: float) -> float:
        return now - ddb_polling.RETENTION_SECONDS
