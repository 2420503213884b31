"""Record writes: PutRecord and PutRecords, metered when throughput is enforced, stored by
`WriteOperations._append` in one unit per put. Sequence numbers are described in `sequence`,
the hash key space in `shards`."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any, cast

from eventsim.errors import ValidationException
from eventsim.services.base import HandlerWrite, handler_write
from eventsim.services.kinesis import records as records_store
from eventsim.services.kinesis import rules, sequence
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
_LARGE_DATA = rules.MAX_RECORD_BYTES - 4 * 256
"""Data past this size may make a record too large with its key (256 characters, 4 bytes
each at most in UTF-8); data up to it never does."""
_NOWHERE = [b""]
"""Where records are placed while their stream is not found (their checks still run)."""


def _md5_function() -> Callable[[bytes], Any]:
    # CPython's own MD5 (_md5) makes a hash object in half the time OpenSSL's does, which
    # shows for partition keys of a few bytes; same digest, of course.
    try:
        import _md5  # type: ignore[import-not-found]
    except ImportError:
        return hashlib.md5
    return cast(Callable[[bytes], Any], _md5.md5)


_md5 = _md5_function()


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
        # Each record's open shard (its position in `stream.open_shards` now) and, per shard,
        # the parts of the chunk body it will store, packed as they are read.
        bounds = stream.start_digests if stream is not None else _NOWHERE
        where: list[int] = []
        parts: list[list[bytes]] = [[] for _ in bounds]
        md5, head, explicit_hash = _md5, records_store.HEAD.pack, rules.explicit_hash
        for entry in records:
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
                        f"'records.{_position(records, entry)}.member.partitionKey' failed to "
                        "satisfy constraint: Member must not be null"
                    )
            encoded = key.encode()
            size = len(data)
            if size > _LARGE_DATA:  # the key (256 characters at most) may take it past 1 MiB
                rules.check_record_size(
                    data, key, f"records.{_position(records, entry)}.member.data")
            if explicit is None:
                at = md5(encoded).digest()
            elif stream is not None:
                at = explicit_hash(explicit).to_bytes(16, "big")
            else:
                at = b""
            pos = bisect_right(bounds, at) - 1
            where.append(pos)
            parts[pos] += (head(len(encoded), size), encoded, data)
        bodies = [b"".join(p) for p in parts]
        if sum(map(len, bodies)) - records_store.HEAD.size * len(records) > MAX_PUT_RECORDS_BYTES:
            # AWS's wording for the 10 MiB limit is not published; this is its wording of the
            # 5 MB one (as moto and kinesis-mock reproduce it) with the limit raised.
            raise InvalidArgumentException("Records size exceeds 10 MB limit")
        if stream is None:
            stream = self._stream(stream_name, stream_arn)  # raises the error AWS gives
        if self.enforce_throughput:
            return await self._put_metered(stream, _placed(stream, records))
        return _encrypted(stream, {
            "FailedRecordCount": 0,
            "Records": await self._append_grouped(stream, records, stream.open_shards, where,
                                                  bodies),
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
        now, trim_due, traced = self._put_prologue(stream, len(placed))
        arrival = round(now, 3)
        encrypted = stream.encryption_type == "KMS"

        def unit(conn: sqlite3.Connection) -> list[str]:
            self._put_begins(conn, stream, traced, now if trim_due else None)
            return _store(conn, stream, placed, arrival, encrypted)

        numbers = await self._ctx.db.write(unit)
        self._ctx.source_written(stream.arn)
        return numbers

    async def _append_grouped(
        self, stream: Stream, records: list[Mapping[str, Any]], placed_on: list[Shard],
        where: list[int], bodies: list[bytes],
    ) -> list[dict[str, str]]:
        """PutRecords' store, records already placed and packed by shard: ``where[i]`` is the
        position in `placed_on` (the stream's open shards when they were placed) of record
        ``i``, ``bodies[p]`` the chunk body of shard ``p``. The results, in request order.

        A split or merge that ran first in the same transaction replaced the open shards: the
        records are then placed again, one by one, as `_append` does.
        """
        now, trim_due, traced = self._put_prologue(stream, len(records))
        arrival = round(now, 3)
        arrival_s = int(arrival)
        encrypted = stream.encryption_type == "KMS"
        name = stream.name

        def unit(conn: sqlite3.Connection) -> list[dict[str, str]]:
            self._put_begins(conn, stream, traced, now if trim_due else None)
            if stream.open_shards is not placed_on:
                placed = _placed(stream, records)
                numbers = _store(conn, stream, placed, arrival, encrypted)
                return [{"SequenceNumber": seq, "ShardId": shard.shard_id}
                        for (shard, _, _, _), seq in zip(placed, numbers, strict=True)]
            # Counters are taken inside the unit (see `_store`). Within a shard the records'
            # numbers differ only in the counter field: each is the previous plus one step.
            # How many records each shard took is told by how far its number went.
            start = [sequence.number(shard.bits, shard.last_counter, arrival_s)
                     for shard in placed_on]
            last = start.copy()
            ids = [shard.shard_id for shard in placed_on]
            step = sequence.COUNTER_STEP
            results: list[dict[str, str]] = []
            add = results.append
            for pos in where:
                number = last[pos] = last[pos] + step
                add({"SequenceNumber": str(number), "ShardId": ids[pos]})
            chunks: list[tuple[str, int, int, int, float, bool, bytes]] = []
            for pos, shard in enumerate(placed_on):
                count = (last[pos] - start[pos]) // step
                if count:
                    first = shard.last_counter + 1
                    shard.last_counter += count
                    chunks.append((name, shard.index, first, shard.last_counter, arrival,
                                   encrypted, bodies[pos]))
            records_store.insert_chunk(conn, chunks)
            return results

        results = await self._ctx.db.write(unit)
        self._ctx.source_written(stream.arn)
        return results

    def _put_prologue(
        self, stream: Stream, count: int
    ) -> tuple[float, bool, HandlerWrite | None]:
        """What a put works out before its unit: the time, whether the stream's expired
        records are due to be trimmed, and the handler write to trace."""
        now = self._ctx.clock.time()
        trim_due = now >= self._next_trim.get(stream.name, 0.0)
        if trim_due:
            self._next_trim[stream.name] = now + TRIM_INTERVAL
        traced = handler_write("kinesis:PutRecords" if count > 1 else "kinesis:PutRecord",
                               stream.arn, now)
        return now, trim_due, traced

    def _put_begins(
        self, conn: sqlite3.Connection, stream: Stream, traced: HandlerWrite | None,
        trim_at: float | None,
    ) -> None:
        """The start of a put's unit: the stream still exists, the trace edge, the trim of
        expired records when one is due (`trim_at`, the put's time)."""
        if self._streams.get(stream.name) is not stream:
            raise StreamNotFound(stream.name, self._ctx.account_id)
        if traced is not None:
            traced.record(conn)
        if trim_at is not None:
            # A shard's newest chunk says how far its counter has got (`load_streams`); the
            # counters are stored before a trim may delete the chunks that tell.
            records_store.save_counters(conn, stream.name, stream.shards)
            records_store.trim(conn, stream.name, stream.retention_cutoff(trim_at))


def _position(entries: list[Mapping[str, Any]], entry: Mapping[str, Any]) -> int:
    """The 1-based position of `entry` in the request, as AWS's messages count. An equal entry
    earlier in the list would have failed first, so the first equal one is `entry`."""
    return entries.index(entry) + 1


def _placed(stream: Stream, entries: list[Mapping[str, Any]]) -> list[Placed]:
    """Checked PutRecords entries placed on the stream's open shards as they are now."""
    shards, starts = stream.open_shards, stream.starts
    placed: list[Placed] = []
    for entry in entries:
        key: str = entry["PartitionKey"]
        explicit = entry.get("ExplicitHashKey")
        encoded = key.encode()
        at = (int.from_bytes(_md5(encoded).digest(), "big") if explicit is None
              else rules.explicit_hash(explicit))
        placed.append((shards[bisect_right(starts, at) - 1], encoded, bytes(entry["Data"]), at))
    return placed


def _store(
    conn: sqlite3.Connection, stream: Stream, placed: list[Placed], arrival: float,
    encrypted: bool,
) -> list[str]:
    """Records placed one by one, stored in chunks; their sequence numbers, in order."""
    # Counters are taken inside the unit: units run one at a time, so two puts never get the
    # same number. A unit that fails leaves a gap, never a repeat.
    arrival_s = int(arrival)
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
    records_store.insert_chunk(conn, [
        (stream.name, shard.index, first, shard.last_counter, arrival, encrypted,
         records_store.pack(entries))
        for shard, first, entries in chunks.values()
    ])
    return numbers


def _encrypted(stream: Stream, result: dict[str, Any]) -> dict[str, Any]:
    """A put's answer: with ``EncryptionType: KMS`` on an encrypted stream, as AWS answers."""
    if stream.encryption_type == "KMS":
        result["EncryptionType"] = "KMS"
    return result
