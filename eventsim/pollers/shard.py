"""One poller: one mapping reading one shard, a batch at a time, strictly in order.

The loop (AWS's semantics, `/work/shared/reference/aws-triggers.md` section 5): read from the
checkpoint; wait out MaximumBatchingWindowInSeconds while the batch is short; drop the records
FilterCriteria rejects; cut the batch at BatchSize and the 6 MB invocation payload; invoke the
function synchronously; then, in ONE unit, record the invocation and move the checkpoint (and
write the on-failure record's outbox row when the batch is given up). A failing batch blocks
the shard: it is retried after a back-off on the clock, bisected if BisectBatchOnFunctionError,
resumed from the lowest failed item with ReportBatchItemFailures, and given up (to the
on-failure destination) once MaximumRetryAttempts or MaximumRecordAgeInSeconds is exceeded, or
its records expire.

ParallelizationFactor N splits each window of records by partition key into N concurrent
batches (one key always in the same one, so in order); the checkpoint moves past the window
once all are done. TumblingWindowInSeconds (with a factor of 1) keeps each batch inside one
window, passes the state the function returns to the next invocation of the window, and ends
the window with a final invocation; the open window is saved with the checkpoint.

Idle polls wait on daemon timers (AWS polls an idle Kinesis shard once a second, a DynamoDB
shard four times a second), so idling never keeps `Simulator.settle()` from returning; a put
wakes the poller at once (`PollerManager.source_written`). Waits that hold work (a batching
window, a retry back-off, a window's end) are work timers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import sqlite3
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from eventsim.events.destinations import s3_failure_key, stream_failure_record
from eventsim.ids import new_uuid
from eventsim.matching.patterns import Matcher, compile_pattern
from eventsim.pollers.checkpoints import save_checkpoint
from eventsim.pollers.engine import PollerEngine
from eventsim.pollers.loop import PollLoop, Wait
from eventsim.pollers.responses import Outcome, judge
from eventsim.pollers.sources import ShardInfo, Source, SourceRecord
from eventsim.services.lambda_.invocations import InvocationRecord, insert_invocation
from eventsim.services.lambda_.mapping_model import Mapping
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.tracing import Cause, new_trace_id

__all__ = ["ShardPoller"]

LOG = logging.getLogger(__name__)

MAX_PAYLOAD = 6 * 1024 * 1024
"""Synchronous invocation payload limit; a batch is cut before it."""
_ENVELOPE = len('{"Records":[]}')
MAX_BACKOFF = 60.0
"""Seconds; a failing batch is retried after 1, 2, 4 ... seconds, at most this."""
_OK = "OK"
_PROBLEM = "PROBLEM: Function call failed"


@dataclass(slots=True)
class _Sub:
    """A (part of a) batch under way: its records and where the checkpoint goes when done."""

    records: list[SourceRecord]
    end: int
    attempts: int = 0
    """Retries made (bisecting does not count)."""
    invocations: int = 0


@dataclass(slots=True)
class _Failure:
    sub: _Sub
    condition: str
    function_error: str | None
    request_id: str


def _window_of(arrival: float, size: int) -> float:
    """Start of the tumbling window a record that arrived then falls in (windows are aligned
    on multiples of their size since the epoch)."""
    return float(int(arrival // size) * size)


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_matchers: dict[str, list[Matcher]] = {}


def filters_of(mapping: Mapping) -> list[Matcher] | None:
    criteria = mapping.filter_criteria
    if not criteria or not criteria.get("Filters"):
        return None
    key = json.dumps(criteria, sort_keys=True)
    found = _matchers.get(key)
    if found is None:
        found = _matchers[key] = [compile_pattern(json.loads(f["Pattern"]))
                                  for f in criteria["Filters"]]
    return found


class ShardPoller(PollLoop):
    """Delivers one shard's records to one mapping's function."""

    def __init__(
        self,
        engine: PollerEngine,
        uuid: str,
        source: Source,
        shard: ShardInfo,
        position: int,
        parent_done: Callable[[str], bool],
        on_finished: Callable[[str], None],
        window: str | None = None,
    ) -> None:
        super().__init__(engine.clock, engine.activity,
                         f"poller {uuid} {source.name} {shard.shard_id}")
        self._engine = engine
        self.uuid = uuid
        self._source = source
        self.shard = shard
        self.position = position
        """The checkpoint: position of the next record to deliver."""
        self.finished = False
        """The shard is closed and drained: its children may go on."""
        self._parent_done = parent_done
        self._on_finished = on_finished
        self._gather_since: float | None = None
        opened = json.loads(window) if window else None
        self._window: float | None = opened["start"] if opened else None
        """Start of the open tumbling window (None: none open)."""
        self._state: Any = opened["state"] if opened else {}
        self.iterator_age_ms: int | None = None
        """Lambda's IteratorAge for the shard: how old the last record of the last batch
        delivered was when its invocation finished (None before the first)."""
        self._idle = 1.0 if source.kind == "kinesis" else 0.25

    async def _step(self) -> Wait:
        """One look at the shard: None to stop, else (seconds to wait, daemon?)."""
        mapping = self._engine.mappings.peek(self.uuid)
        if mapping is None or not mapping.enabled or self.finished:
            return None
        for parent in self.shard.parents:
            if not self._parent_done(parent):
                return self._idle, True  # woken when the parent finishes
        source = self._source
        now = self._engine.clock.time()
        records = await source.read(self.shard.shard_id, self.position,
                                    mapping.batch_size * mapping.parallelization_factor, now)
        size = mapping.tumbling_window
        if size and mapping.parallelization_factor == 1:
            if self._window is not None:
                ends = self._window + size
                later = bool(records) and _window_of(records[0].arrival, size) != self._window
                if later or (not records and now >= ends):
                    await self._close_window(mapping)
                    return 0.0, False
                if not records:
                    return ends - now, False  # the window's final invocation is work
            if records:
                first = _window_of(records[0].arrival, size)
                records = [r for r in records if _window_of(r.arrival, size) == first]
        if not records:
            if await source.finished(self.shard.shard_id, self.position):
                self.finished = True
                self._on_finished(self.shard.shard_id)
                return None
            return self._idle, True
        window = mapping.maximum_batching_window
        if window and len(records) < mapping.batch_size and \
                sum(r.size + 1 for r in records) + _ENVELOPE < MAX_PAYLOAD:
            if self._gather_since is None:
                self._gather_since = now
            due = self._gather_since + window
            if now < due:
                return due - now, False
        self._gather_since = None
        if mapping.parallelization_factor > 1:
            await self._deliver_parallel(mapping, records)
            return 0.0, False
        batch, end = self._cut(mapping, records)
        if not batch:
            await self._commit(mapping, None, end, None)  # all filtered out: move past them
            return 0.0, False
        await self._deliver(batch, end, self._pause)
        return 0.0, False

    async def _deliver_parallel(self, mapping: Mapping, records: list[SourceRecord]) -> None:
        """ParallelizationFactor N: the window's records split by partition key (each key in
        one partition, in order), the partitions' batches delivered concurrently; the
        checkpoint moves past the window once every partition is done with it."""
        factor = mapping.parallelization_factor
        filters = filters_of(mapping)
        kind = self._source.kind
        parts: list[list[SourceRecord]] = [[] for _ in range(factor)]
        sizes = [_ENVELOPE] * factor
        end = self.position
        for record in records:
            if filters is not None and not any(
                    f.matches(record.filter_document(kind)) for f in filters):
                end = record.position + 1
                continue
            lane = zlib.crc32(record.partition_key(kind).encode()) % factor
            if parts[lane] and (len(parts[lane]) >= mapping.batch_size
                                or sizes[lane] + record.size + 1 > MAX_PAYLOAD):
                break  # this lane's batch is full: the window ends before this record
            parts[lane].append(record)
            sizes[lane] += record.size + 1
            end = record.position + 1
        activity = self._engine.activity

        async def pause(seconds: float) -> None:
            activity.end("poller")
            try:
                await self._engine.clock.sleep(seconds)
            finally:
                activity.begin("poller")

        async def lane_work(batch: list[SourceRecord]) -> bool:
            activity.begin("poller")
            try:
                return await self._deliver(batch, None, pause)
            finally:
                activity.end("poller")

        batches = [p for p in parts if p]
        done = await self._without_token(asyncio.gather(*(lane_work(b) for b in batches)))
        if all(done):
            await self._commit(mapping, None, end, None)

    def _cut(self, mapping: Mapping, records: list[SourceRecord]
             ) -> tuple[list[SourceRecord], int]:
        """The records to invoke with (filtered, within the payload limit) and the position
        after the last record consumed."""
        filters = filters_of(mapping)
        kind = self._source.kind
        batch: list[SourceRecord] = []
        size = _ENVELOPE
        end = self.position
        for record in records:
            if filters is not None:
                doc = record.filter_document(kind)
                if not any(f.matches(doc) for f in filters):
                    end = record.position + 1
                    continue
            if batch and (size + record.size + 1 > MAX_PAYLOAD
                          or len(batch) >= mapping.batch_size):
                break
            batch.append(record)
            size += record.size + 1
            end = record.position + 1
        return batch, end

    async def _deliver(self, batch: list[SourceRecord], end: int | None,
                       pause: Callable[[float], Awaitable[None]]) -> bool:
        """Deliver one batch, retrying, bisecting and giving up as the mapping says. `end` is
        the checkpoint once it is done (None: the caller moves it). False when the mapping
        was disabled or deleted before it was done."""
        engine, source = self._engine, self._source
        track = end is not None
        work: deque[_Sub] = deque([_Sub(batch, end if end is not None else 0)])
        while work:
            mapping = engine.mappings.peek(self.uuid)
            if mapping is None or not mapping.enabled:
                return False  # the checkpoint stays before what is left; resumed when enabled
            function = engine.functions.peek(mapping.function_name)
            if function is None:
                await pause(self._idle)
                continue
            sub = work[0]
            now = engine.clock.time()
            oldest = sub.records[0].arrival
            if (mapping.maximum_record_age != -1 and now - oldest > mapping.maximum_record_age) \
                    or oldest < source.retention_cutoff(now):
                await self._commit(mapping, None, sub.end if track else None, _Failure(
                    sub, "RecordAgeExceeded", None, new_uuid())
                )
                work.popleft()
                continue
            windowed = bool(mapping.tumbling_window) and track
            if windowed and self._window is None:
                self._window = _window_of(sub.records[0].arrival, mapping.tumbling_window)
            payload = self._payload(mapping, sub.records, windowed)
            cause = Cause(trace_id=new_trace_id(now), source=(
                f"{source.kind}:{source.name} {self.shard.shard_id} {len(sub.records)} records"))
            record = await engine.invoker.run(function, payload, cause)
            sub.invocations += 1
            outcome = self._judge(mapping, record, [r.sequence_number for r in sub.records],
                                  windowed)
            if outcome.ok:
                self.iterator_age_ms = max(0, round(
                    (engine.clock.time() - sub.records[-1].arrival) * 1000))
                await self._commit(mapping, record, sub.end if track else None, None, ok=True)
                work.popleft()
                continue
            if outcome.failed_from is None and mapping.bisect and len(sub.records) > 1:
                half = len(sub.records) // 2
                first = _Sub(sub.records[:half], sub.records[half].position)
                second = _Sub(sub.records[half:], sub.end)
                await self._commit(mapping, record, None, None)
                work.popleft()
                work.appendleft(second)
                work.appendleft(first)
                continue
            done_to = None
            if outcome.failed_from:  # a partial failure: the items before it are done
                done_to = sub.records[outcome.failed_from].position if track else None
                sub = _Sub(sub.records[outcome.failed_from:], sub.end, sub.attempts,
                           sub.invocations)
                work[0] = sub
            sub.attempts += 1
            retries = mapping.maximum_retry_attempts
            if retries != -1 and sub.attempts > retries:
                await self._commit(mapping, record, sub.end if track else None, _Failure(
                    sub, "RetryAttemptsExhausted", outcome.function_error, record.request_id))
                work.popleft()
                continue
            await self._commit(mapping, record, done_to, None)
            await pause(min(MAX_BACKOFF, 2.0 ** (sub.attempts - 1)))
        return True

    def _payload(self, mapping: Mapping, records: list[SourceRecord], windowed: bool) -> str:
        body = '{"Records":[' + ",".join(r.text for r in records) + "]"
        if not windowed:
            return body + "}"
        return body + "," + json.dumps(self._window_fields(mapping, final=False))[1:]

    def _window_fields(self, mapping: Mapping, *, final: bool) -> dict[str, Any]:
        """The keys a tumbling-window invocation carries next to ``Records``."""
        assert self._window is not None
        return {
            "window": {"start": _iso(self._window),
                       "end": _iso(self._window + mapping.tumbling_window)},
            "state": self._state,
            "shardId": self.shard.shard_id,
            "eventSourceARN": self._source.arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": False,
        }

    def _judge(self, mapping: Mapping, record: InvocationRecord, numbers: list[str],
               windowed: bool) -> Outcome:
        if not windowed or record.status != "Success":
            return judge(record, numbers, mapping.reports_item_failures)
        # A tumbling-window answer must hold the state; batchItemFailures may come with it.
        try:
            answer = json.loads(record.result) if record.result else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "state" not in answer:
            return Outcome(False, None, None)
        rest = {k: v for k, v in answer.items() if k != "state"}
        outcome = judge(dataclasses.replace(record, result=json.dumps(rest)), numbers,
                        mapping.reports_item_failures)
        if outcome.ok or outcome.failed_from:
            self._state = answer["state"]
        return outcome

    async def _close_window(self, mapping: Mapping) -> None:
        """The window has ended: its final invocation (no records, the state so far), retried
        on failure like a batch, then the window is closed."""
        engine = self._engine
        attempts = 0
        while True:
            function = engine.functions.peek(mapping.function_name)
            if function is None:
                await self._pause(self._idle)
                continue
            payload = json.dumps({"Records": [], **self._window_fields(mapping, final=True)})
            cause = Cause(trace_id=new_trace_id(engine.clock.time()), source=(
                f"{self._source.kind}:{self._source.name} {self.shard.shard_id} "
                "final invocation of a tumbling window"))
            record = await engine.invoker.run(function, payload, cause)
            attempts += 1
            retries = mapping.maximum_retry_attempts
            if record.status == "Success" or (retries != -1 and attempts > retries):
                self._window, self._state = None, {}
                await self._commit(mapping, record, self.position, None,
                                   ok=record.status == "Success")
                return
            await self._commit(mapping, record, None, None)
            await self._pause(min(MAX_BACKOFF, 2.0 ** (attempts - 1)))

    async def _commit(
        self, mapping: Mapping, record: InvocationRecord | None, checkpoint: int | None,
        failure: _Failure | None, ok: bool = False,
    ) -> None:
        """Record what happened in one unit: the invocation, the checkpoint, the on-failure
        record, LastProcessingResult."""
        engine = self._engine
        now = engine.clock.time()
        outbox = None
        if failure is not None and mapping.on_failure is not None:
            outbox = self._failure_row(mapping, failure, now)
        saved = None
        if record is not None:
            if engine.mappings.note_result(self.uuid, _OK if ok else _PROBLEM):
                saved = engine.mappings.save_row(self.uuid)
        uuid, shard = self.uuid, self.shard.shard_id
        window = None if self._window is None else json.dumps(
            {"start": self._window, "state": self._state})

        def unit(conn: sqlite3.Connection) -> None:
            if record is not None:
                insert_invocation(conn, record)
            alive = conn.execute("SELECT 1 FROM event_source_mappings WHERE uuid = ?",
                                 (uuid,)).fetchone()
            if not alive:
                return
            if checkpoint is not None:
                save_checkpoint(conn, uuid, shard, checkpoint, now, window)
            if outbox is not None:
                add_outbox_row(conn, outbox)
            if saved is not None:
                conn.execute("UPDATE event_source_mappings SET config = ? WHERE uuid = ?", saved)

        await engine.db.write(unit)
        if checkpoint is not None:
            self.position = checkpoint
        if outbox is not None:
            engine.wake_dispatcher()

    def _failure_row(self, mapping: Mapping, failure: _Failure, now: float) -> OutboxRow:
        sub = failure.sub
        document = stream_failure_record(
            request_id=failure.request_id, function_arn=mapping.function_arn,
            condition=failure.condition, approximate_invoke_count=sub.invocations,
            function_error=failure.function_error, timestamp=now,
            batch_key=self._source.batch_key, shard_id=self.shard.shard_id,
            start_sequence_number=sub.records[0].sequence_number,
            end_sequence_number=sub.records[-1].sequence_number,
            first_arrival=sub.records[0].arrival, last_arrival=sub.records[-1].arrival,
            batch_size=len(sub.records), stream_arn=self._source.arn,
        )
        destination = mapping.on_failure
        assert destination is not None
        service = destination.split(":")[2]
        if service == "s3":
            # Only an S3 destination gets the batch itself, as "payload": the invocation's
            # event, as text (the Lambda guide's "Retain discarded batch records" pages).
            document["payload"] = self._payload(mapping, sub.records, False)
            kind, payload = "bucket", json.dumps({
                "Key": s3_failure_key(mapping.uuid, self.shard.shard_id, now),
                "Body": json.dumps(document, separators=(",", ":")),
                "ContentType": "application/json",
            })
        elif service == "sns":
            kind, payload = "topic", json.dumps({"Message": json.dumps(document,
                                                                       separators=(",", ":"))})
        else:
            kind, payload = "queue", json.dumps({"MessageBody": json.dumps(
                document, separators=(",", ":"))})
        cause = Cause(trace_id=new_trace_id(now), source=(
            f"lambda:EventSourceMapping {mapping.uuid} {failure.condition}"))
        return OutboxRow(target_kind=kind, target=destination, payload=payload,
                         cause=cause.to_json(), created_at=now)
