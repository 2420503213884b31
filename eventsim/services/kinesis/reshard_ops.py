"""Resharding: SplitShard and MergeShards close shards and add their children in one unit."""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsim.services.kinesis import records
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import InvalidArgumentException, ResourceNotFoundException
from eventsim.services.kinesis.models import Shard, Stream
from eventsim.services.kinesis.shards import parse_shard_id

__all__ = ["ReshardOperations"]


class ReshardOperations(Catalog):
    """SplitShard and MergeShards."""

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
