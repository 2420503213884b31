"""Stream operations: CreateStream, DeleteStream, DescribeStream(Summary), ListStreams,
ListShards and DescribeLimits."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.kinesis import listing, records
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import InvalidArgumentException, ResourceInUseException
from eventsim.services.kinesis.models import Shard, Stream, StreamMode, timestamp
from eventsim.services.kinesis.shards import split

__all__ = ["StreamOperations"]

DEFAULT_RETENTION_HOURS = 24
ON_DEMAND_SHARDS = 4
"""AWS starts an on-demand stream with four shards."""
ON_DEMAND_STREAM_LIMIT = 50
"""AWS's default quota of on-demand streams per account."""


class StreamOperations(Catalog):
    """The operations that create, delete, describe and list streams and their shards."""

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

    # -- limits ----------------------------------------------------------------------------

    async def describe_limits(self) -> dict[str, Any]:
        """DescribeLimits: the account's shard quota and what the streams use of it."""
        on_demand = sum(1 for s in self._streams.values() if s.mode is StreamMode.ON_DEMAND)
        return {
            "ShardLimit": self._shard_limit(),
            "OpenShardCount": self._open_shard_count(),
            "OnDemandStreamCount": on_demand,
            "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT,
        }

    # -- helpers ---------------------------------------------------------------------------

    def _summary(self, stream: Stream) -> dict[str, Any]:
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": stream.mode_details(),
            "StreamCreationTimestamp": timestamp(stream.created_at),
        }
