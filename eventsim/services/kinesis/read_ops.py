"""Record reads: GetShardIterator and GetRecords. Iterators are described in `iterators`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from eventsim.services.kinesis import iterators, records, rules, sequence
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import (
    ExpiredIteratorException,
    InvalidArgumentException,
    ShardNotFound,
)
from eventsim.services.kinesis.models import Shard, Stream, timestamp
from eventsim.services.kinesis.shards import shard_id

__all__ = ["ReadOperations"]

MAX_GET_RECORDS_BYTES = 10 << 20
_INLINE_READ = 1000
"""GetRecords asking for more records than this reads on the database's thread."""


class ReadOperations(Catalog):
    """GetShardIterator and GetRecords."""

    # -- reading ---------------------------------------------------------------------------

    async def get_shard_iterator(
        self,
        *,
        shard_id: str,
        shard_iterator_type: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        starting_sequence_number: str | None = None,
        timestamp: dt.datetime | float | None = None,
    ) -> dict[str, Any]:
        """GetShardIterator of any type; the iterator expires after five minutes."""
        check_input("GetShardIterator", {
            "StreamName": stream_name, "StreamARN": stream_arn, "ShardId": shard_id,
            "ShardIteratorType": shard_iterator_type,
            "StartingSequenceNumber": starting_sequence_number, "Timestamp": timestamp,
        })
        stream = self._stream(stream_name, stream_arn)
        shard = self._shard(stream, shard_id)
        kind = shard_iterator_type
        now = self._ctx.clock.time()
        by_number = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if starting_sequence_number is not None and kind in ("TRIM_HORIZON", "LATEST"):
            raise InvalidArgumentException(rules.iterator_rule(kind, "also a"))
        if by_number and starting_sequence_number is None:
            raise InvalidArgumentException(rules.iterator_rule(kind, "no"))
        if by_number:
            assert starting_sequence_number is not None
            counter = self._counter_of(stream, shard, starting_sequence_number)
            position = counter if kind == "AT_SEQUENCE_NUMBER" else counter + 1
        elif kind == "TRIM_HORIZON":
            position = 0
        elif kind == "LATEST":
            position = shard.last_counter + 1
        else:
            if timestamp is None:
                raise InvalidArgumentException(
                    "Must specify timestampInMillis parameter for iterator of type "
                    "AT_TIMESTAMP. Current request has no timestamp parameter."
                )
            since = rules.epoch(timestamp)
            if since > now:
                raise InvalidArgumentException(
                    "The timestampInMillis parameter cannot be greater than the "
                    f"currentTimestampInMillis. timestampInMillis: {int(since * 1000)}, "
                    f"currentTimestampInMillis: {int(now * 1000)}"
                )
            since = max(since, stream.retention_cutoff(now))
            found = await self._ctx.db.read(
                lambda c: records.first_counter_at(c, stream.name, shard.index, since)
            )
            position = shard.last_counter + 1 if found is None else found
        return {"ShardIterator": self._iterator(stream, shard, position, now)}

    async def get_records(
        self, *, shard_iterator: str, limit: int | None = None, stream_arn: str | None = None
    ) -> dict[str, Any]:
        """GetRecords: up to `limit` records (10,000) and 10 MiB from the iterator on."""
        check_input("GetRecords", {"ShardIterator": shard_iterator, "Limit": limit,
                                   "StreamARN": stream_arn})
        it = iterators.decode(shard_iterator)
        if it is None:
            raise InvalidArgumentException("Invalid ShardIterator.")
        now = self._ctx.clock.time()
        now_ms = round(now * 1000)
        if now_ms - it.issued_ms > iterators.ITERATOR_LIFETIME_MS:
            raise ExpiredIteratorException(
                "Iterator expired. The iterator was created at time "
                f"{rules.java_date(it.issued_ms)} while right now it is "
                f"{rules.java_date(now_ms)} which is further in the future "
                f"than the tolerated delay of {iterators.ITERATOR_LIFETIME_MS} milliseconds."
            )
        stream = self._streams.get(it.stream)
        if (stream is None or stream.created_ms != it.stream_created_ms
                or it.shard_index >= len(stream.shards)
                or (stream_arn is not None and stream_arn != stream.arn)):
            raise ShardNotFound(shard_id(it.shard_index), it.stream, self._ctx.account_id)
        shard = stream.shards[it.shard_index]
        wanted = limit or 10_000
        cutoff = stream.retention_cutoff(now)

        def read(conn: sqlite3.Connection) -> tuple[list[records.StoredRecord], float | None]:
            found: list[records.StoredRecord] = []
            size = 0
            for record in records.read_records(conn, stream.name, shard.index, it.position,
                                               cutoff):
                size += len(record.data) + len(record.partition_key.encode("utf-8"))
                if len(found) == wanted or (found and size > MAX_GET_RECORDS_BYTES):
                    return found, record.arrival
                found.append(record)
            return found, None

        # A large read runs on the database's thread, so the loop keeps serving meanwhile.
        found, next_arrival = await self._ctx.db.read(read, offload=wanted > _INLINE_READ)
        position = found[-1].counter + 1 if found else it.position
        # How far the reader is behind the tip: the age of the first record it has not read
        # yet, 0 once it has read everything (AWS: "zero indicates ... caught up").
        behind = 0 if next_arrival is None else max(0, now_ms - round(next_arrival * 1000))
        stamps: dict[float, dt.datetime] = {}  # the records of one put share their arrival
        result: list[dict[str, Any]] = []
        for r in found:
            stamp = stamps.get(r.arrival)
            if stamp is None:
                stamp = stamps[r.arrival] = timestamp(r.arrival)
            entry = {
                "SequenceNumber": shard.sequence_number(r.counter, r.arrival),
                "ApproximateArrivalTimestamp": stamp,
                "Data": r.data,
                "PartitionKey": r.partition_key,
            }
            if r.encrypted:  # AWS leaves EncryptionType out of unencrypted records
                entry["EncryptionType"] = "KMS"
            result.append(entry)
        if not shard.is_open and position > shard.last_counter:
            # The end of a closed shard: no next iterator, and the children to read on with.
            return {
                "Records": result,
                "MillisBehindLatest": behind,
                "ChildShards": [
                    {"ShardId": child.shard_id,
                     "ParentShards": [shard_id(i) for i in (child.parent, child.adjacent_parent)
                                      if i is not None],
                     "HashKeyRange": child.hash_key_range()}
                    for child in stream.children_of(shard)
                ],
            }
        return {
            "Records": result,
            "NextShardIterator": self._iterator(stream, shard, position, now),
            "MillisBehindLatest": behind,
        }

    # -- helpers ---------------------------------------------------------------------------

    def _counter_of(self, stream: Stream, shard: Shard, number: str) -> int:
        parts = sequence.decode(number)
        where = (f"used in GetShardIterator on shard {shard.shard_id} in stream {stream.name} "
                 f"under account {self._ctx.account_id}")
        if parts is None:
            raise InvalidArgumentException(f"StartingSequenceNumber {number} {where} is invalid.")
        if parts.shard_index != shard.index:
            raise InvalidArgumentException(
                f"Invalid StartingSequenceNumber. It encodes {shard_id(parts.shard_index)}, "
                f"while it was used in a call to a shard with {shard.shard_id}"
            )
        if parts.shard_created != shard.created:
            raise InvalidArgumentException(
                f"StartingSequenceNumber {number} {where} is invalid because it did not come "
                "from this stream."
            )
        return parts.counter

    def _iterator(self, stream: Stream, shard: Shard, position: int, now: float) -> str:
        return iterators.encode(iterators.ShardIterator(
            stream=stream.name, stream_created_ms=stream.created_ms, shard_index=shard.index,
            position=position, issued_ms=round(now * 1000),
        ))
