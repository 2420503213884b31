"""Record writes: PutRecord and PutRecords, metered when throughput is enforced, stored by
`WriteOperations._append` in one unit per put. Sequence numbers are described in `sequence`,
the hash key space in `shards`."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.base import handler_write
from eventsim.services.kinesis import records, rules
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import (
    InvalidArgumentException,
    ProvisionedThroughputExceededException,
    StreamNotFound,
    rate_exceeded_message,
)
from eventsim.services.kinesis.models import Shard, Stream
from eventsim.services.kinesis.sequence import with_counter
from eventsim.services.kinesis.shards import shard_for
from eventsim.services.kinesis.throughput import ShardMeter

__all__ = ["WriteOperations"]

MAX_PUT_RECORDS_BYTES = 10 << 20
"""PutRecords takes 10 MiB in all, partition keys included (botocore's kinesis model,
PutRecords: "up to a limit of 10 MiB for the entire request"; AWS raised it from 5 MiB with
large-record support, "Handle large records", Kinesis Data Streams Developer Guide)."""
TRIM_INTERVAL = 60.0
"""Seconds between deletions of a stream's expired records (reads never see them anyway)."""
Placed = tuple[Shard, bytes, bytes, int]
"""A record on its way to a shard: (shard, partition key as UTF-8, data, hash key)."""
_HASH_KEY = re.compile(r"0|[1-9]\d{0,38}", re.ASCII)


class WriteOperations(Catalog):
    """PutRecord and PutRecords."""

    # -- records ---------------------------------------------------------------------------

    async def put_record(
        self,
        *,
        data: bytes,
        partition_key: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        explicit_hash_key: str | None = None,
        sequence_number_for_ordering: str | None = None,
    ) -> dict[str, Any]:
        """PutRecord: onto the shard whose hash key range holds the record's hash key."""
        check_input("PutRecord", {
            "StreamName": stream_name, "StreamARN": stream_arn, "Data": data,
            "PartitionKey": partition_key, "ExplicitHashKey": explicit_hash_key,
            "SequenceNumberForOrdering": sequence_number_for_ordering,
        })
        size = rules.check_record_size(data, partition_key, "data")
        stream = self._stream(stream_name, stream_arn)
        at = rules.hash_of(partition_key, explicit_hash_key)
        shard = stream.open_shards[shard_for(stream.starts, at)]
        if self.enforce_throughput and not self._admit(stream, shard, size):
            raise ProvisionedThroughputExceededException(
                rate_exceeded_message(shard.shard_id, stream.name, self._ctx.account_id))
        placed = [(shard, partition_key.encode("utf-8"), bytes(data), at)]
        (seq,) = await self._append(stream, placed)
        return _encrypted(stream, {"ShardId": placed[0][0].shard_id, "SequenceNumber": seq})

    async def put_records(
        self,
        *,
        records: list[Mapping[str, Any]],
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """PutRecords: 1 to 500 records, 10 MiB in all; results in the order of the request."""
        members = {"StreamName": stream_name, "StreamARN": stream_arn, "Records": records}
        check_input("PutRecords", members, deep=False)
        # AWS checks the request before it looks for the stream; the records are placed in the
        # same pass when the stream exists, and the stream's absence is reported after.
        stream = self._find(stream_name, stream_arn)
        shards, starts = (stream.open_shards, stream.starts) if stream else ([], [])
        placed: list[Placed] = []
        total = 0
        md5, from_bytes = hashlib.md5, int.from_bytes
        for i, entry in enumerate(records, start=1):
            data: Any = entry.get("Data")  # bytes: a missing Data fails the model's checks
            key = entry.get("PartitionKey")
            explicit = entry.get("ExplicitHashKey")
            if (data is None or key is None or not 0 < len(key) <= 256
                    or (explicit is not None and not _HASH_KEY.fullmatch(explicit))):
                # Something is wrong with an entry: the model's checks word it as AWS does.
                check_input("PutRecords", members)
                if key is None:
                    raise ValidationException(
                        "1 validation error detected: Value null at "
                        f"'records.{i}.member.partitionKey' failed to satisfy constraint: "
                        "Member must not be null"
                    )
            encoded = key.encode("utf-8")
            size = len(data) + len(encoded)
            if size > rules.MAX_RECORD_BYTES:
                rules.check_record_size(data, key, f"records.{i}.member.data")
            total += size
            if stream is not None:
                at = (from_bytes(md5(encoded).digest(), "big") if explicit is None
                      else rules.explicit_hash(explicit))
                placed.append((shards[bisect_right(starts, at) - 1], encoded, bytes(data), at))
        if total > MAX_PUT_RECORDS_BYTES:
            # AWS's wording for the 10 MiB limit is not published; this is its wording of the
            # 5 MB one (as moto and kinesis-mock reproduce it) with the limit raised.
            raise InvalidArgumentException("Records size exceeds 10 MB limit")
        if stream is None:
            stream = self._stream(stream_name, stream_arn)  # raises the error AWS gives
        if self.enforce_throughput:
            return await self._put_metered(stream, placed)
        numbers = await self._append(stream, placed)
        return _encrypted(stream, {
            "FailedRecordCount": 0,
            "Records": [{"SequenceNumber": seq, "ShardId": shard.shard_id}
                        for (shard, _, _, _), seq in zip(placed, numbers, strict=True)],
        })

    async def _put_metered(
        self, stream: Stream, placed: list[Placed]
    ) -> dict[str, Any]:
        """PutRecords with the shards' write limits: entries past them fail alone."""
        admitted = [self._admit(stream, shard, len(data) + len(key))
                    for shard, key, data, _ in placed]
        accepted = [p for p, ok in zip(placed, admitted, strict=True) if ok]
        numbers = await self._append(stream, accepted)
        stored = iter(zip(accepted, numbers, strict=True))
        results: list[dict[str, str]] = []
        for (shard, _, _, _), ok in zip(placed, admitted, strict=True):
            if ok:
                (where, _, _, _), seq = next(stored)
                results.append({"SequenceNumber": seq, "ShardId": where.shard_id})
            else:
                results.append({
                    "ErrorCode": ProvisionedThroughputExceededException.code,
                    "ErrorMessage": rate_exceeded_message(shard.shard_id, stream.name,
                                                          self._ctx.account_id),
                })
        return _encrypted(stream, {"FailedRecordCount": admitted.count(False),
                                   "Records": results})

    def _admit(self, stream: Stream, shard: Shard, size: int) -> bool:
        meter = self._meters.get((stream.name, shard.index))
        if meter is None:
            meter = self._meters[(stream.name, shard.index)] = ShardMeter()
        return meter.admit(self._ctx.clock.time(), size)

    async def _append(self, stream: Stream, placed: list[Placed]) -> list[str]:
        """Store records on their shards in one unit; their sequence numbers, in order.

        A shard that a split or merge closed after the record was placed (a reshard unit ran
        first in the same transaction) passes the record to the open shard now holding its
        hash key; `placed` is updated, so the caller reports the shard it went to.
        """
        if not placed:
            return []
        now = self._ctx.clock.time()
        arrival = round(now, 3)
        arrival_s = int(arrival)
        encrypted = stream.encryption_type == "KMS"
        name = stream.name
        trim_due = now >= self._next_trim.get(name, 0.0)
        if trim_due:
            self._next_trim[name] = now + TRIM_INTERVAL
        traced = handler_write("kinesis:PutRecords" if len(placed) > 1 else "kinesis:PutRecord",
                               stream.arn, now)

        def unit(conn: sqlite3.Connection) -> list[str]:
            if self._streams.get(name) is not stream:
                raise StreamNotFound(name, self._ctx.account_id)
            if traced is not None:
                traced.record(conn)
            # Counters are taken inside the unit: units run one at a time, so two puts never
            # get the same number. A unit that fails leaves a gap, never a repeat.
            numbers: list[str] = []
            chunks: dict[int, tuple[Shard, int, list[tuple[bytes, bytes]]]] = {}
            for i, (shard, key, data, at) in enumerate(placed):
                if not shard.is_open:
                    shard = stream.open_shards[bisect_right(stream.starts, at) - 1]
                    placed[i] = (shard, key, data, at)
                shard.last_counter += 1
                numbers.append(with_counter(shard.bits, shard.last_counter, arrival_s))
                chunk = chunks.get(shard.index)
                if chunk is None:
                    chunk = chunks[shard.index] = (shard, shard.last_counter, [])
                chunk[2].append((key, data))
            if trim_due:
                records.trim(conn, name, stream.retention_cutoff(now))
            records.insert_chunk(conn, [
                (name, shard.index, first, shard.last_counter, arrival, encrypted,
                 records.pack(entries))
                for shard, first, entries in chunks.values()
            ])
            records.save_counters(conn, name, [shard for shard, _, _ in chunks.values()])
            return numbers

        numbers = await self._ctx.db.write(unit)
        self._ctx.source_written(stream.arn)
        return numbers


def _encrypted(stream: Stream, result: dict[str, Any]) -> dict[str, Any]:
    """A put's answer: with ``EncryptionType: KMS`` on an encrypted stream, as AWS answers."""
    if stream.encryption_type == "KMS":
        result["EncryptionType"] = "KMS"
    return result
