"""Resharding: SplitShard, MergeShards and UpdateShardCount close shards and add their
children in one unit."""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.kinesis import records
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import InvalidArgumentException, ResourceNotFoundException
from eventsim.services.kinesis.models import Shard, Stream, StreamMode
from eventsim.services.kinesis.shards import parse_shard_id

__all__ = ["ReshardOperations"]

_HASH_KEYS = 2**128
"""Hash keys run from 0 to 2**128 - 1."""

_Step = tuple[list[Shard], list[Shard]]
"""One split or merge: the shards it closes, and the shards it adds."""


class ReshardOperations(Catalog):
    """SplitShard, MergeShards and UpdateShardCount."""

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

    async def update_shard_count(
        self,
        *,
        target_shard_count: int,
        scaling_type: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """UpdateShardCount: shards of equal hash key ranges, ``target_shard_count`` of them.

        As Kinesis does it, by splits and merges: every open shard is split at the new
        ranges' bounds that fall inside it, then the pieces of each new range are merged, one
        pair after another. The pieces in between are short-lived shards (closed at once,
        without records), and every shard keeps its parents, so consumers read the old
        shards before the new ones. It all commits in one unit: the stream is ACTIVE again
        when the call returns."""
        check_input("UpdateShardCount", {
            "StreamName": stream_name, "StreamARN": stream_arn,
            "TargetShardCount": target_shard_count, "ScalingType": scaling_type,
        })
        if scaling_type != "UNIFORM_SCALING":
            raise ValidationException(
                f"1 validation error detected: Value '{scaling_type}' at 'scalingType' failed "
                "to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]")
        stream = self._stream(stream_name, stream_arn)
        if stream.mode is StreamMode.ON_DEMAND:
            raise ValidationException(f"Request is invalid. Stream {stream.name} under "
                                      f"account {self._ctx.account_id} is in On-Demand mode.")
        open_shards = sorted((s for s in stream.shards if s.is_open), key=lambda s: s.start_hash)
        current = len(open_shards)
        if target_shard_count > 2 * current or 2 * target_shard_count < current:
            raise InvalidArgumentException(
                f"UpdateShardCount of stream {stream.name} under account "
                f"{self._ctx.account_id} to {target_shard_count} shards: a stream can be "
                f"scaled to between half and double its {current} open shards.")
        result = {"StreamName": stream.name, "StreamARN": stream.arn,
                  "CurrentShardCount": current, "TargetShardCount": target_shard_count}
        bounds = [i * _HASH_KEYS // target_shard_count for i in range(target_shard_count + 1)]
        if [(s.start_hash, s.end_hash + 1) for s in open_shards] == list(
                itertools.pairwise(bounds)):
            return result  # already so
        self._check_shard_limit(max(0, target_shard_count - current))
        now = self._ctx.clock.time()
        steps = _uniform_steps(open_shards, bounds, len(stream.shards), int(now))
        await self._reshard_steps(stream, steps, now)
        return result

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
        """Close `parents` and add `children` in one unit; puts after it go to the children."""
        await self._reshard_steps(stream, [(parents, children)], now)

    async def _reshard_steps(self, stream: Stream, steps: list[_Step], now: float) -> None:
        """Apply splits and merges in order, in one unit; puts after it go to the last
        children.

        The parents close inside the unit, so a put queued behind it in the same transaction
        already routes to the children and never writes into a closed shard.
        """
        added = [child for _, children in steps for child in children]
        made = {id(child) for child in added}
        # The shards that were open before: the steps close them, and the pieces made here.
        originals = [shard for parents, _ in steps for shard in parents if id(shard) not in made]

        def unit(conn: sqlite3.Connection) -> None:
            for shard in originals:  # a split or merge that ran first in this transaction
                if not shard.is_open:
                    self._reshardable(stream, shard.shard_id)  # raises AWS's error
            for parents, children in steps:
                for shard in parents:
                    shard.closed_at = now
                stream.shards.extend(children)
                records.close_shards(conn, stream.name, parents)
                records.insert_shards(conn, stream.name, children)
            stream.reindex()

        try:
            await self._ctx.db.write(unit)
        except BaseException:
            if added and stream.shards[-len(added):] == added:
                del stream.shards[-len(added):]
                for shard in originals:
                    shard.closed_at = None
                stream.reindex()
            raise


def _uniform_steps(open_shards: list[Shard], bounds: list[int], next_index: int,
                   created: int) -> list[_Step]:
    """The splits, then the merges, that turn `open_shards` (by hash key) into shards of the
    ranges between `bounds`."""
    steps: list[_Step] = []
    count = next_index

    def shard(start: int, end: int, parent: Shard, adjacent: Shard | None = None) -> Shard:
        nonlocal count
        made = Shard(index=count, start_hash=start, end_hash=end, created=created,
                     parent=parent.index,
                     adjacent_parent=None if adjacent is None else adjacent.index)
        count += 1
        return made

    pieces: list[Shard] = []
    for piece in open_shards:
        for at in (b for b in bounds if piece.start_hash < b <= piece.end_hash):
            low, high = shard(piece.start_hash, at - 1, piece), shard(at, piece.end_hash, piece)
            steps.append(([piece], [low, high]))
            pieces.append(low)
            piece = high
        pieces.append(piece)
    merged: list[Shard] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is not None and _range_of(last, bounds) == _range_of(piece, bounds):
            child = shard(last.start_hash, piece.end_hash, last, piece)
            steps.append(([last, piece], [child]))
            merged[-1] = child
        else:
            merged.append(piece)
    return steps


def _range_of(shard: Shard, bounds: list[int]) -> int:
    """Which of the new ranges a piece lies in (it lies in one, once split)."""
    return next(i for i in range(len(bounds) - 1) if shard.start_hash < bounds[i + 1])
