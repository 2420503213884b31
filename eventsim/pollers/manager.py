"""The pollers of every event source mapping: started, stopped and told of new records.

`PollerManager` keeps one `_MappingPollers` per mapping and one `ShardPoller` per shard of its
stream. It follows `MappingService.listener` (create, update, enable/disable, delete) and
`ServiceContext.source_written` (records committed to a stream: wake its pollers, and look for
new shards after a split or merge).

Where a shard starts: its checkpoint when it has one. Otherwise, when the mapping has no
checkpoint at all (it is new), StartingPosition; a shard that appears later (a child of a split
or merge) starts at its beginning, and waits until its parents are drained. A resolved start is
saved at once, so LATEST means "after the mapping was created", also across a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Coroutine
from typing import Any

from eventsim.pollers.checkpoints import load_checkpoints, save_checkpoint
from eventsim.pollers.engine import PollerEngine
from eventsim.pollers.queue import QueuePoller, lanes_for
from eventsim.pollers.shard import ShardPoller
from eventsim.pollers.sources import DynamoDBSource, KinesisSource, Source
from eventsim.services.kinesis.service import KinesisService
from eventsim.services.sqs import SqsService

__all__ = ["PollerManager"]

LOG = logging.getLogger(__name__)


class _MappingPollers:
    """One mapping's shard pollers."""

    def __init__(self, engine: PollerEngine, uuid: str, source: Source) -> None:
        self._engine = engine
        self.uuid = uuid
        self.source = source
        self.pollers: dict[str, ShardPoller] = {}
        self._lock = asyncio.Lock()

    async def sync(self) -> None:
        """Start a poller for every shard that should have a running one."""
        async with self._lock:
            engine = self._engine
            mapping = engine.mappings.peek(self.uuid)
            if mapping is None or not mapping.enabled:
                for poller in self.pollers.values():
                    poller.wake()  # to notice and stop
                return
            shards = await self.source.shards()
            if shards is None:
                return
            checkpoints = await engine.db.read(lambda c: load_checkpoints(c, self.uuid))
            first_start = not checkpoints
            resolved: dict[str, int] = {}
            starting: list[ShardPoller] = []
            for info in shards:
                current = self.pollers.get(info.shard_id)
                if current is not None and (current.running or current.finished):
                    continue
                saved = checkpoints.get(info.shard_id)
                position, window = saved if saved is not None else (None, None)
                if position is None:
                    position = 0
                    if first_start:
                        position = await self.source.start_position(
                            info.shard_id, mapping.starting_position or "TRIM_HORIZON",
                            mapping.starting_position_timestamp)
                    resolved[info.shard_id] = position
                poller = ShardPoller(engine, self.uuid, self.source, info, position,
                                     self._parent_done, self._shard_finished, window)
                self.pollers[info.shard_id] = poller
                starting.append(poller)
            if resolved:
                now = engine.clock.time()
                uuid = self.uuid

                def unit(conn: sqlite3.Connection) -> None:
                    if conn.execute("SELECT 1 FROM event_source_mappings WHERE uuid = ?",
                                    (uuid,)).fetchone():
                        for shard, position in resolved.items():
                            save_checkpoint(conn, uuid, shard, position, now)

                await engine.db.write(unit)
            for poller in starting:
                poller.start()

    def _parent_done(self, shard_id: str) -> bool:
        poller = self.pollers.get(shard_id)
        return poller is None or poller.finished

    def _shard_finished(self, shard_id: str) -> None:
        for poller in self.pollers.values():
            if shard_id in poller.shard.parents:
                poller.wake()

    def wake(self) -> None:
        for poller in self.pollers.values():
            if poller.running:
                poller.wake()

    def shard_count(self) -> int:
        return len(self.pollers)

    async def aclose(self) -> None:
        for poller in self.pollers.values():
            await poller.stop()


def mapping_arn(group: _MappingPollers | _QueuePollers) -> str:
    return group.source.arn if isinstance(group, _MappingPollers) else group.arn


class _QueuePollers:
    """One SQS mapping's lanes."""

    def __init__(self, engine: PollerEngine, uuid: str, sqs: SqsService, arn: str) -> None:
        self._engine = engine
        self.uuid = uuid
        self.arn = arn
        self._sqs = sqs
        self.lanes: list[QueuePoller] = []

    async def sync(self) -> None:
        mapping = self._engine.mappings.peek(self.uuid)
        if mapping is None or not mapping.enabled:
            self.wake()
            return
        self.lanes = [lane for lane in self.lanes if lane.running]
        while len(self.lanes) < lanes_for(mapping.maximum_concurrency):
            lane = QueuePoller(self._engine, self.uuid, self._sqs, self.arn, len(self.lanes))
            self.lanes.append(lane)
            lane.start()

    def wake(self) -> None:
        for lane in self.lanes:
            lane.wake()

    async def aclose(self) -> None:
        for lane in self.lanes:
            await lane.stop()


class PollerManager:
    """Every mapping's pollers (``sim.pollers``)."""

    def __init__(self, engine: PollerEngine, kinesis: KinesisService, sqs: SqsService) -> None:
        self._engine = engine
        self._kinesis = kinesis
        self._sqs = sqs
        self._groups: dict[str, _MappingPollers | _QueuePollers] = {}
        self._by_source: defaultdict[str, set[str]] = defaultdict(set)
        self._tasks: set[asyncio.Task[None]] = set()
        self._retired: list[_MappingPollers | _QueuePollers] = []
        self._closed = False

    async def start(self) -> None:
        """Start the pollers of every stored mapping (they resume from their checkpoints)."""
        for mapping in self._engine.mappings.all():
            await self.mapping_changed(mapping.uuid)

    async def mapping_changed(self, uuid: str) -> None:
        """A mapping was created, updated or deleted (committed). Returns once its pollers
        are started, their starting positions fixed (so LATEST means "after this call")."""
        if self._closed:
            return
        mapping = self._engine.mappings.peek(uuid)
        group = self._groups.get(uuid)
        if mapping is None:
            if group is not None:
                del self._groups[uuid]
                self._retired.append(group)
                self._by_source[mapping_arn(group)].discard(uuid)
                group.wake()  # each poller sees the mapping gone and stops
            return
        if group is None and mapping.kind == "sqs":
            group = self._groups[uuid] = _QueuePollers(self._engine, uuid, self._sqs,
                                                       mapping.event_source_arn)
            self._by_source[mapping.event_source_arn].add(uuid)
        if group is None:
            source: Source
            identity = (f"arn:aws:iam::{self._engine.account_id}:role/service-role/"
                        f"{mapping.function_name}-role")
            if mapping.kind == "kinesis":
                source = KinesisSource(mapping.event_source_arn, self._kinesis, self._engine.db,
                                       self._engine.region, identity)
            else:
                source = DynamoDBSource(mapping.event_source_arn, self._engine.db)
            group = self._groups[uuid] = _MappingPollers(self._engine, uuid, source)
            self._by_source[mapping.event_source_arn].add(uuid)
        await group.sync()

    def source_written(self, arn: str) -> None:
        """Records were committed to a stream: wake its pollers (and find new shards)."""
        uuids = self._by_source.get(arn)
        if not uuids or self._closed:
            return
        stream = self._kinesis.stream_at(arn) if arn.split(":")[2] == "kinesis" else None
        for uuid in uuids:
            group = self._groups[uuid]
            if isinstance(group, _MappingPollers) and stream is not None \
                    and len(stream.shards) != group.shard_count():
                self._spawn(group.sync())
            group.wake()

    def pollers(self, uuid: str) -> dict[str, ShardPoller]:
        """A stream mapping's shard pollers by shard id (for the console and tests)."""
        group = self._groups.get(uuid)
        return dict(group.pollers) if isinstance(group, _MappingPollers) else {}

    def shard_status(self, uuid: str) -> list[dict[str, object]]:
        """Per shard of a stream mapping, for the console: the checkpoint (position of the
        next record to deliver), whether the shard is drained, and IteratorAge in ms."""
        return [{"ShardId": shard, "Position": p.position, "Finished": p.finished,
                 "IteratorAgeMilliseconds": p.iterator_age_ms}
                for shard, p in self.pollers(uuid).items()]

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        activity = self._engine.activity
        activity.begin("poller-sync")

        async def run() -> None:
            try:
                await work
            except Exception:
                LOG.exception("starting pollers failed")
            finally:
                activity.end("poller-sync")

        task = asyncio.create_task(run(), name="eventsim-poller-sync")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Stop every poller; a batch in flight is not checkpointed (it runs again)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for group in [*self._groups.values(), *self._retired]:
            await group.aclose()
