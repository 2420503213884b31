"""The Kinesis Data Streams service: streams, shards, records and shard iterators.

Each method is one Kinesis operation (named ``xform_name(Operation)``), takes the operation's
input members as snake_case keywords and returns a dict keyed by the output shape's members, so
the gateway, scenario runner, pytest helpers and console all call the same code. Wherever AWS
takes ``StreamName`` it also takes ``StreamARN``; either names the stream.

Streams and shards live in memory (`models`) and in SQLite; records only in SQLite, written in
the unit of the put that made them, so a put that returned is durable. Sequence numbers are
described in `sequence`, iterators in `iterators`, the hash key space in `shards`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

from eventsim.errors import NotImplementedOperation, ValidationException
from eventsim.services.base import ServiceContext, handler_write
from eventsim.services.kinesis import iterators, listing, records, rules, sequence
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import (
    ExpiredIteratorException,
    InvalidArgumentException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ShardNotFound,
    StreamNotFound,
    rate_exceeded_message,
)
from eventsim.services.kinesis.models import (
    Shard,
    Stream,
    StreamMode,
    load_streams,
    timestamp,
)
from eventsim.services.kinesis.sequence import with_counter
from eventsim.services.kinesis.shards import (
    parse_shard_id,
    shard_for,
    shard_id,
    split,
)
from eventsim.services.kinesis.throughput import ShardMeter

__all__ = ["KinesisService"]

LOG = logging.getLogger(__name__)

DEFAULT_RETENTION_HOURS = 24
MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ON_DEMAND_SHARDS = 4
"""AWS starts an on-demand stream with four shards."""
MAX_PUT_RECORDS_BYTES = 10 << 20
"""PutRecords takes 10 MiB in all, partition keys included (botocore's kinesis model,
PutRecords: "up to a limit of 10 MiB for the entire request"; AWS raised it from 5 MiB with
large-record support, "Handle large records", Kinesis Data Streams Developer Guide)."""
MAX_GET_RECORDS_BYTES = 10 << 20
MAX_TAGS = 50
ON_DEMAND_STREAM_LIMIT = 50
"""AWS's default quota of on-demand streams per account."""
TRIM_INTERVAL = 60.0
"""Seconds between deletions of a stream's expired records (reads never see them anyway)."""
Placed = tuple[Shard, bytes, bytes, int]
"""A record on its way to a shard: (shard, partition key as UTF-8, data, hash key)."""
_INLINE_READ = 1000
"""GetRecords asking for more records than this reads on the database's thread."""
_HASH_KEY = re.compile(r"0|[1-9]\d{0,38}", re.ASCII)
_BIG_SHARD_LIMIT_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})


class KinesisService:
    """Kinesis data streams, stored in SQLite."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._streams: dict[str, Stream] = {}
        self._next_trim: dict[str, float] = {}
        self._meters: dict[tuple[str, int], ShardMeter] = {}
        self.enforce_throughput = False
        """Refuse writes past a shard's 1,000 records or 1 MiB per second (off by default: see
        `eventsim.services.kinesis.throughput`)."""
        self._arn_prefix = f"arn:aws:kinesis:{ctx.region}:{ctx.account_id}:stream/"

    async def load(self) -> None:
        """Read the streams and shards into memory (called at start)."""
        streams = await self._ctx.db.read(lambda c: load_streams(c, self._arn_prefix))
        self._streams = {s.name: s for s in streams}

    # -- streams ---------------------------------------------------------------------------

    async def create_stream(
        self,
        *,
        stream_name: str,
        shard_count: int | None = None,
        stream_mode_details: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """CreateStream; the stream is ACTIVE at once."""
        check_input("CreateStream", {"StreamName": stream_name, "ShardCount": shard_count,
                                     "StreamModeDetails": stream_mode_details, "Tags": tags})
        # Without a mode or a shard count AWS makes an on-demand stream; a provisioned stream
        # needs its shard count, and an on-demand one takes none.
        default = "PROVISIONED" if shard_count is not None else "ON_DEMAND"
        mode = StreamMode((stream_mode_details or {}).get("StreamMode", default))
        if mode is StreamMode.ON_DEMAND:
            if shard_count is not None:
                raise InvalidArgumentException(
                    "ShardCount is not expected when StreamMode=ON_DEMAND"
                )
            shard_count = ON_DEMAND_SHARDS
        elif shard_count is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'shardCount' failed to satisfy "
                "constraint: Member must not be null"
            )
        if stream_name in self._streams:
            raise ResourceInUseException(
                f"Stream {stream_name} under account {self._ctx.account_id} already exists."
            )
        self._check_shard_limit(shard_count)
        now = self._ctx.clock.time()
        created = int(now)
        stream = Stream(
            name=stream_name, arn=self._arn_prefix + stream_name, mode=mode,
            retention_hours=DEFAULT_RETENTION_HOURS, created_at=now,
            shards=[Shard(index=i, start_hash=start, end_hash=end, created=created)
                    for i, (start, end) in enumerate(split(shard_count))],
            tags=dict(tags or {}),
        )

        def unit(conn: sqlite3.Connection) -> None:
            records.insert_stream(conn, stream)

        try:
            await self._ctx.db.write(unit)
        except sqlite3.IntegrityError:
            raise ResourceInUseException(
                f"Stream {stream_name} under account {self._ctx.account_id} already exists."
            ) from None
        self._streams[stream_name] = stream
        return {}

    async def delete_stream(
        self,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        enforce_consumer_deletion: bool | None = None,
    ) -> dict[str, Any]:
        """DeleteStream: the stream, its shards and records go at once."""
        check_input("DeleteStream", {"StreamName": stream_name, "StreamARN": stream_arn})
        stream = self._stream(stream_name, stream_arn)

        def unit(conn: sqlite3.Connection) -> None:
            records.delete_stream(conn, stream.name)
            # Gone for the units after this one in the same transaction, too: a put queued
            # behind the delete must not write records of a stream that no longer exists.
            self._streams.pop(stream.name, None)

        try:
            await self._ctx.db.write(unit)
        except BaseException:
            if self._streams.get(stream.name) is None:
                self._streams[stream.name] = stream
            raise
        self._next_trim.pop(stream.name, None)
        for shard in stream.shards:
            self._meters.pop((stream.name, shard.index), None)
        return {}

    async def describe_stream(
        self,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        limit: int | None = None,
        exclusive_start_shard_id: str | None = None,
    ) -> dict[str, Any]:
        """DescribeStream, with up to `limit` shards (100 by default) after the one named."""
        check_input("DescribeStream", {
            "StreamName": stream_name, "StreamARN": stream_arn, "Limit": limit,
            "ExclusiveStartShardId": exclusive_start_shard_id,
        })
        stream = self._stream(stream_name, stream_arn)
        shards = stream.shards
        if exclusive_start_shard_id is not None:
            shards = [s for s in shards if s.shard_id > exclusive_start_shard_id]
        page = shards[: min(limit or 100, 100)]  # AWS: "at most 100 results are returned"
        return {"StreamDescription": {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": stream.mode_details(),
            "Shards": [s.describe() for s in page],
            "HasMoreShards": len(page) < len(shards),
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": timestamp(stream.created_at),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            **stream.encryption(),
        }}

    async def describe_stream_summary(
        self, *, stream_name: str | None = None, stream_arn: str | None = None
    ) -> dict[str, Any]:
        """DescribeStreamSummary."""
        check_input("DescribeStreamSummary", {"StreamName": stream_name, "StreamARN": stream_arn})
        stream = self._stream(stream_name, stream_arn)
        return {"StreamDescriptionSummary": {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": stream.mode_details(),
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": timestamp(stream.created_at),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            **stream.encryption(),
            "OpenShardCount": len(stream.open_shards),
            "ConsumerCount": 0,
        }}

    async def list_streams(
        self,
        *,
        limit: int | None = None,
        exclusive_start_stream_name: str | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListStreams: names in order, `limit` (100 by default) at a time, with summaries."""
        check_input("ListStreams", {"Limit": limit, "NextToken": next_token,
                                    "ExclusiveStartStreamName": exclusive_start_stream_name})
        after = exclusive_start_stream_name
        if next_token is not None:
            after = listing.decode_token(next_token).get("after")
            if not isinstance(after, str):
                raise InvalidArgumentException("Invalid NextToken.")
        names = sorted(self._streams)
        if after is not None:
            names = [n for n in names if n > after]
        page = names[: min(limit or 100, 100)]  # AWS: "at most 100 results are returned"
        more = len(page) < len(names)
        result: dict[str, Any] = {
            "StreamNames": page,
            "HasMoreStreams": more,
            "StreamSummaries": [self._summary(self._streams[n]) for n in page],
        }
        if more:
            result["NextToken"] = listing.encode_token({"after": page[-1]})
        return result

    async def list_shards(
        self,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        next_token: str | None = None,
        exclusive_start_shard_id: str | None = None,
        max_results: int | None = None,
        shard_filter: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """ListShards, `max_results` (1,000 by default) at a time."""
        check_input("ListShards", {
            "StreamName": stream_name, "StreamARN": stream_arn, "NextToken": next_token,
            "ExclusiveStartShardId": exclusive_start_shard_id, "MaxResults": max_results,
            "ShardFilter": shard_filter,
        })
        named = stream_name is not None or stream_arn is not None
        if next_token is not None:
            if named:
                raise InvalidArgumentException(
                    "NextToken and StreamName cannot be provided together."
                )
            token = listing.decode_token(next_token)
            stream_name, after = token.get("stream"), token.get("after")
            if not isinstance(stream_name, str) or not isinstance(after, str):
                raise InvalidArgumentException("Invalid NextToken.")
            exclusive_start_shard_id = after
        elif not named:
            raise InvalidArgumentException("Either NextToken or StreamName should be provided.")
        stream = self._stream(stream_name, stream_arn)
        shards = stream.shards
        if shard_filter is not None:
            shards = listing.filtered(shards, shard_filter, self._ctx.clock.time())
        if exclusive_start_shard_id is not None:
            shards = [s for s in shards if s.shard_id > exclusive_start_shard_id]
        page = shards[: min(max_results or 1000, 1000)]  # AWS: "at most 1000 results"
        result: dict[str, Any] = {"Shards": [s.describe() for s in page]}
        if len(page) < len(shards):
            result["NextToken"] = listing.encode_token({"stream": stream.name,
                                                 "after": page[-1].shard_id})
        return result

    async def increase_stream_retention_period(
        self,
        *,
        retention_period_hours: int,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """IncreaseStreamRetentionPeriod: up to 8,760 hours, never below the current period."""
        return await self._set_retention("IncreaseStreamRetentionPeriod", stream_name,
                                         stream_arn, retention_period_hours, increase=True)

    async def decrease_stream_retention_period(
        self,
        *,
        retention_period_hours: int,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """DecreaseStreamRetentionPeriod: down to 24 hours, never above the current period."""
        return await self._set_retention("DecreaseStreamRetentionPeriod", stream_name,
                                         stream_arn, retention_period_hours, increase=False)

    async def _set_retention(
        self, operation: str, stream_name: str | None, stream_arn: str | None, hours: int,
        *, increase: bool,
    ) -> dict[str, Any]:
        check_input(operation, {"StreamName": stream_name, "StreamARN": stream_arn,
                                "RetentionPeriodHours": hours})
        stream = self._stream(stream_name, stream_arn)
        if hours < MIN_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too short."
            )
        if hours > MAX_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too long."
            )
        current = stream.retention_hours
        if increase and hours < current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"shorter than existing retention period ({current} hours). Use "
                "DecreaseRetentionPeriod API."
            )
        if not increase and hours > current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"longer than existing retention period ({current} hours). Use "
                "IncreaseRetentionPeriod API."
            )
        stream.retention_hours = hours
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.retention_hours = current
            raise
        return {}

    # -- tags ------------------------------------------------------------------------------

    async def add_tags_to_stream(
        self,
        *,
        tags: Mapping[str, str],
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """AddTagsToStream: a stream holds at most 50 tags."""
        check_input("AddTagsToStream", {"StreamName": stream_name, "StreamARN": stream_arn,
                                        "Tags": tags})
        stream = self._stream(stream_name, stream_arn)
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidArgumentException(
                f"Failed to add tags to stream {stream.name} under account "
                f"{self._ctx.account_id} because a given stream cannot have more than "
                f"{MAX_TAGS} tags associated with it."
            )
        await self._set_tags(stream, merged)
        return {}

    async def remove_tags_from_stream(
        self,
        *,
        tag_keys: list[str],
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """RemoveTagsFromStream; keys the stream does not have are ignored."""
        check_input("RemoveTagsFromStream", {"StreamName": stream_name, "StreamARN": stream_arn,
                                             "TagKeys": tag_keys})
        stream = self._stream(stream_name, stream_arn)
        await self._set_tags(stream, {k: v for k, v in stream.tags.items() if k not in tag_keys})
        return {}

    async def list_tags_for_stream(
        self,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        exclusive_start_tag_key: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """ListTagsForStream: tags in key order, after `exclusive_start_tag_key`."""
        check_input("ListTagsForStream", {
            "StreamName": stream_name, "StreamARN": stream_arn, "Limit": limit,
            "ExclusiveStartTagKey": exclusive_start_tag_key,
        })
        stream = self._stream(stream_name, stream_arn)
        keys = sorted(stream.tags)
        if exclusive_start_tag_key is not None:
            keys = [k for k in keys if k > exclusive_start_tag_key]
        page = keys[: limit or MAX_TAGS]
        return {
            "Tags": [{"Key": k, "Value": stream.tags[k]} for k in page],
            "HasMoreTags": len(page) < len(keys),
        }

    async def tag_resource(self, *, resource_arn: str, tags: Mapping[str, str]) -> dict[str, Any]:
        """TagResource, for a stream's ARN (the same tags as AddTagsToStream)."""
        check_input("TagResource", {"ResourceARN": resource_arn, "Tags": tags})
        return await self.add_tags_to_stream(stream_arn=self._stream_arn_of(resource_arn),
                                             tags=tags)

    async def untag_resource(self, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        """UntagResource, for a stream's ARN."""
        check_input("UntagResource", {"ResourceARN": resource_arn, "TagKeys": tag_keys})
        return await self.remove_tags_from_stream(stream_arn=self._stream_arn_of(resource_arn),
                                                  tag_keys=tag_keys)

    async def list_tags_for_resource(self, *, resource_arn: str) -> dict[str, Any]:
        """ListTagsForResource, for a stream's ARN: every tag, in key order."""
        check_input("ListTagsForResource", {"ResourceARN": resource_arn})
        stream = self._stream(None, self._stream_arn_of(resource_arn))
        return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in sorted(stream.tags)]}

    def _stream_arn_of(self, resource_arn: str) -> str:
        if ":stream/" not in resource_arn or "/consumer/" in resource_arn:
            raise NotImplementedOperation(
                "eventsim tags Kinesis data streams only, not channels, queues or consumers."
            )
        return resource_arn

    async def _set_tags(self, stream: Stream, tags: dict[str, str]) -> None:
        previous, stream.tags = stream.tags, tags
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.tags = previous
            raise

    # -- encryption ------------------------------------------------------------------------

    async def start_stream_encryption(
        self,
        *,
        encryption_type: str,
        key_id: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """StartStreamEncryption: records put from now on are KMS-encrypted (and say so).

        eventsim encrypts nothing and does not look the key up in KMS; it keeps the key id.
        """
        check_input("StartStreamEncryption", {
            "StreamName": stream_name, "StreamARN": stream_arn,
            "EncryptionType": encryption_type, "KeyId": key_id,
        })
        stream = self._stream(stream_name, stream_arn)
        if encryption_type != "KMS":
            raise InvalidArgumentException(
                f"Invalid EncryptionType {encryption_type}. Only KMS is supported."
            )
        await self._set_encryption(stream, "KMS", key_id)
        return {}

    async def stop_stream_encryption(
        self,
        *,
        encryption_type: str,
        key_id: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """StopStreamEncryption: records put from now on are not encrypted."""
        check_input("StopStreamEncryption", {
            "StreamName": stream_name, "StreamARN": stream_arn,
            "EncryptionType": encryption_type, "KeyId": key_id,
        })
        stream = self._stream(stream_name, stream_arn)
        await self._set_encryption(stream, "NONE", None)
        return {}

    async def _set_encryption(self, stream: Stream, kind: str, key_id: str | None) -> None:
        previous = stream.encryption_type, stream.key_id
        stream.encryption_type, stream.key_id = kind, key_id
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.encryption_type, stream.key_id = previous
            raise

    # -- resharding ------------------------------------------------------------------------

    async def split_shard(
        self,
        *,
        shard_to_split: str,
        new_starting_hash_key: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """SplitShard: the shard closes; two children share its hash key range."""
        check_input("SplitShard", {
            "StreamName": stream_name, "StreamARN": stream_arn, "ShardToSplit": shard_to_split,
            "NewStartingHashKey": new_starting_hash_key,
        })
        stream = self._stream(stream_name, stream_arn)
        parent = self._reshardable(stream, shard_to_split)
        at = int(new_starting_hash_key)
        # AWS: the new key is more than one above the start and below the end of the range.
        if not parent.start_hash + 1 < at < parent.end_hash:
            raise InvalidArgumentException(
                f"NewStartingHashKey {new_starting_hash_key} used in SplitShard() on shard "
                f"{parent.shard_id} in stream {stream.name} under account "
                f"{self._ctx.account_id} is not both greater than one plus the shard's "
                f"StartingHashKey {parent.start_hash} and less than the shard's EndingHashKey "
                f"{parent.end_hash}."
            )
        self._check_shard_limit(1)
        now = self._ctx.clock.time()
        first = len(stream.shards)
        children = [
            Shard(index=first, start_hash=parent.start_hash, end_hash=at - 1, created=int(now),
                  parent=parent.index),
            Shard(index=first + 1, start_hash=at, end_hash=parent.end_hash, created=int(now),
                  parent=parent.index),
        ]
        await self._reshard(stream, [parent], children, now)
        return {}

    async def merge_shards(
        self,
        *,
        shard_to_merge: str,
        adjacent_shard_to_merge: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """MergeShards: two adjacent shards close; one child covers both hash key ranges."""
        check_input("MergeShards", {
            "StreamName": stream_name, "StreamARN": stream_arn, "ShardToMerge": shard_to_merge,
            "AdjacentShardToMerge": adjacent_shard_to_merge,
        })
        stream = self._stream(stream_name, stream_arn)
        one = self._reshardable(stream, shard_to_merge)
        other = self._reshardable(stream, adjacent_shard_to_merge)
        low, high = sorted((one, other), key=lambda s: s.start_hash)
        if one is other or low.end_hash + 1 != high.start_hash:
            raise InvalidArgumentException(
                f"Shards {one.shard_id} and {other.shard_id} in stream {stream.name} under "
                f"account {self._ctx.account_id} are not an adjacent pair of shards eligible "
                "for merging"
            )
        now = self._ctx.clock.time()
        child = Shard(index=len(stream.shards), start_hash=low.start_hash,
                      end_hash=high.end_hash, created=int(now), parent=one.index,
                      adjacent_parent=other.index)
        await self._reshard(stream, [one, other], [child], now)
        return {}

    def _reshardable(self, stream: Stream, wanted: str) -> Shard:
        index = parse_shard_id(wanted)
        if index is None or index >= len(stream.shards):
            raise ResourceNotFoundException(
                f"Could not find shard {wanted} in stream {stream.name} under account "
                f"{self._ctx.account_id}."
            )
        shard = stream.shards[index]
        if not shard.is_open:
            raise InvalidArgumentException(
                f"Shard {shard.shard_id} in stream {stream.name} under account "
                f"{self._ctx.account_id} has already been merged or split, and thus is not "
                "eligible for merging or splitting."
            )
        return shard

    async def _reshard(
        self, stream: Stream, parents: list[Shard], children: list[Shard], now: float
    ) -> None:
        """Close `parents` and add `children` in one unit; puts after it go to the children.

        The parents close inside the unit, so a put queued behind it in the same transaction
        already routes to the children and never writes into a closed shard.
        """

        def unit(conn: sqlite3.Connection) -> None:
            for shard in parents:  # a split or merge that ran first in this transaction
                if not shard.is_open:
                    self._reshardable(stream, shard.shard_id)  # raises AWS's error
            for shard in parents:
                shard.closed_at = now
            stream.shards.extend(children)
            stream.reindex()
            records.close_shards(conn, stream.name, parents)
            records.insert_shards(conn, stream.name, children)

        try:
            await self._ctx.db.write(unit)
        except BaseException:
            if stream.shards[-len(children):] == children:
                del stream.shards[-len(children):]
                for shard in parents:
                    shard.closed_at = None
                stream.reindex()
            raise

    async def describe_limits(self) -> dict[str, Any]:
        """DescribeLimits: the account's shard quota and what the streams use of it."""
        on_demand = sum(1 for s in self._streams.values() if s.mode is StreamMode.ON_DEMAND)
        return {
            "ShardLimit": self._shard_limit(),
            "OpenShardCount": self._open_shard_count(),
            "OnDemandStreamCount": on_demand,
            "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT,
        }

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

    def stream_at(self, arn: str) -> Stream | None:
        """The stream an ARN names, or None: for the engine's pollers, which read its shards
        in memory and its records with `records.read_records` (read-only)."""
        return self._find(None, arn)

    def stream_arn(self, name: str) -> str:
        """The ARN of a stream of this account and region."""
        return self._arn_prefix + name

    def _find(self, name: str | None, arn: str | None) -> Stream | None:
        """The stream named, or None when there is none (or the names are wrong)."""
        if arn is not None:
            if not arn.startswith(self._arn_prefix):
                return None
            from_arn = arn[len(self._arn_prefix):]
            if name is not None and name != from_arn:
                return None
            name = from_arn
        return None if name is None else self._streams.get(name)

    def _stream(self, name: str | None, arn: str | None) -> Stream:
        if arn is not None:
            from_arn = self._name_in_arn(arn)
            if name is not None and name != from_arn:
                raise InvalidArgumentException(
                    f"StreamARN {arn} and StreamName {name} do not name the same stream."
                )
            name = from_arn
        if name is None:
            raise InvalidArgumentException("Either StreamName or StreamARN should be provided.")
        stream = self._streams.get(name)
        if stream is None:
            raise StreamNotFound(name, self._ctx.account_id)
        return stream

    def _name_in_arn(self, arn: str) -> str:
        head, _, name = arn.partition(":stream/")
        parts = head.split(":")
        if len(parts) != 5 or parts[0] != "arn" or parts[2] != "kinesis" or not name:
            raise InvalidArgumentException(f"Invalid StreamARN {arn}.")
        if parts[3] != self._ctx.region or parts[4] != self._ctx.account_id:
            raise StreamNotFound(name, parts[4])
        return name

    def _shard(self, stream: Stream, wanted: str) -> Shard:
        index = parse_shard_id(wanted)
        if index is None or index >= len(stream.shards):
            shown = wanted if index is None else shard_id(index)
            raise ShardNotFound(shown, stream.name, self._ctx.account_id)
        return stream.shards[index]

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

    def _summary(self, stream: Stream) -> dict[str, Any]:
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": stream.mode_details(),
            "StreamCreationTimestamp": timestamp(stream.created_at),
        }

    def _open_shard_count(self) -> int:
        return sum(len(s.open_shards) for s in self._streams.values())

    def _shard_limit(self) -> int:
        # AWS's default shard quota: 500 in us-east-1, us-west-2 and eu-west-1, 200 elsewhere.
        # https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
        return 500 if self._ctx.region in _BIG_SHARD_LIMIT_REGIONS else 200

    def _check_shard_limit(self, adding: int) -> None:
        limit = self._shard_limit()
        current = self._open_shard_count()
        if current + adding > limit:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account "
                f"{self._ctx.account_id} in {self._ctx.region}. Current shard count for the "
                f"account: {current}. Limit: {limit}. Number of additional shards that would "
                f"have resulted from this request: {adding}. Refer to the AWS Service Limits "
                "page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                "for current limits and how to request higher limits."
            )


def _encrypted(stream: Stream, result: dict[str, Any]) -> dict[str, Any]:
    """A put's answer: with ``EncryptionType: KMS`` on an encrypted stream, as AWS answers."""
    if stream.encryption_type == "KMS":
        result["EncryptionType"] = "KMS"
    return result
