"""The SQS poller of one mapping: receive a batch, invoke, delete what succeeded.

AWS's semantics (`/work/shared/reference/aws-triggers.md` 5.5, Lambda guide "Using Lambda
with Amazon SQS"): batches of up to BatchSize messages (ReceiveMessage takes at most 10 at a
time), gathered for up to MaximumBatchingWindowInSeconds; a batch that succeeds is deleted; one
that fails is left to become visible again after the queue's visibility timeout, so the queue's
redrive policy (maxReceiveCount) moves it to its dead-letter queue in the end; with
ReportBatchItemFailures only the reported messages (by messageId) stay, and an answer naming an
unknown or empty identifier fails the whole batch. Messages that FilterCriteria rejects are
deleted. Several lanes poll at once (AWS starts with five; ScalingConfig.MaximumConcurrency caps
them); a FIFO queue keeps each message group in order because SQS hands out no message of a
group while another of it is in flight.

Unlike the stream pollers there is no checkpoint: the queue is the state. The invocation is
recorded, then the batch is deleted; a crash between the two delivers it again (at least once).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from eventsim.events.sqs import sqs_record
from eventsim.ids import new_uuid
from eventsim.pollers.engine import PollerEngine
from eventsim.pollers.loop import PollLoop, Wait
from eventsim.pollers.responses import judge
from eventsim.pollers.shard import filters_of
from eventsim.services.lambda_.invocations import InvocationRecord, insert_invocation
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.sqs import SqsService
from eventsim.tracing import MAX_HOPS, Cause, TraceHeader, new_trace_id

__all__ = ["QueuePoller", "lanes_for"]

_IDLE = 1.0
_MAX_RECEIVE = 10
_OK = "OK"
_PROBLEM = "PROBLEM: Function call failed"


def lanes_for(maximum_concurrency: int | None) -> int:
    """Concurrent batches: five to start with, as AWS scales from, at most the mapping's cap."""
    return min(5, maximum_concurrency) if maximum_concurrency else 5


def _filter_document(record: dict[str, Any]) -> dict[str, Any]:
    doc = dict(record)
    try:
        doc["body"] = json.loads(record["body"])
    except ValueError:
        pass
    return doc


def _header_of(message: dict[str, Any]) -> TraceHeader | None:
    return TraceHeader.parse(message.get("Attributes", {}).get("AWSTraceHeader"))


def _hop_of(message: dict[str, Any]) -> int:
    header = _header_of(message)
    return header.hop if header is not None else 0


def _cause_of(batch: list[dict[str, Any]], source: str, now: float) -> Cause:
    """A batch continues the trace of its deepest traced message (the one nearest a loop);
    a batch of untraced messages starts a trace of its own."""
    headers = [h for h in map(_header_of, batch) if h is not None]
    if not headers:
        return Cause(trace_id=new_trace_id(now), source=source)
    deepest = max(headers, key=lambda h: h.hop)
    return Cause(trace_id=deepest.root, source=source, parent_span=deepest.parent,
                 hop=deepest.hop)


class QueuePoller(PollLoop):
    """One lane of an SQS mapping."""

    def __init__(self, engine: PollerEngine, uuid: str, sqs: SqsService, queue_arn: str,
                 lane: int) -> None:
        super().__init__(engine.clock, engine.activity, f"sqs-poller {uuid} {lane}")
        self._engine = engine
        self.uuid = uuid
        self._sqs = sqs
        self._arn = queue_arn
        self._queue_name = queue_arn.rpartition(":")[2]
        self._gathered: list[dict[str, Any]] = []
        self._since: float | None = None
        self._retry_at = 0.0
        """When messages this lane failed become visible again (a wake must not forget it)."""

    async def _step(self) -> Wait:
        engine = self._engine
        mapping = engine.mappings.peek(self.uuid)
        if mapping is None or not mapping.enabled:
            return None
        function = engine.functions.peek(mapping.function_name)
        if function is None or not self._sqs.exists(self._arn):
            return _IDLE, True
        url = self._sqs.url_of(self._queue_name)
        while len(self._gathered) < mapping.batch_size:
            answer = await self._sqs.receive_message(
                queue_url=url, wait_time_seconds=0, attribute_names=["All"],
                message_attribute_names=["All"],
                max_number_of_messages=min(_MAX_RECEIVE,
                                           mapping.batch_size - len(self._gathered)))
            received = answer.get("Messages", [])
            if not received:
                break
            self._gathered += received
        now = engine.clock.time()
        if not self._gathered:
            if self._retry_at > now:
                return self._retry_at - now, False
            return _IDLE, True
        window = mapping.maximum_batching_window
        if window and len(self._gathered) < mapping.batch_size:
            if self._since is None:
                self._since = now
            if now < self._since + window:
                return self._since + window - now, False
        batch, self._gathered, self._since = self._gathered, [], None
        records = [sqs_record(
            message_id=m["MessageId"], receipt_handle=m["ReceiptHandle"], body=m["Body"],
            md5_of_body=m["MD5OfBody"], attributes=m.get("Attributes", {}),
            message_attributes=m.get("MessageAttributes", {}),
            md5_of_message_attributes=m.get("MD5OfMessageAttributes"),
            queue_arn=self._arn, region=engine.region) for m in batch]
        filters = filters_of(mapping)
        if filters is not None:
            keep = [any(f.matches(_filter_document(r)) for f in filters) for r in records]
            await self._delete(url, [m for m, k in zip(batch, keep, strict=True) if not k])
            batch = [m for m, k in zip(batch, keep, strict=True) if k]
            records = [r for r, k in zip(records, keep, strict=True) if k]
            if not batch:
                return 0.0, False
        batch, records = await self._stop_loops(function, url, batch, records)
        if not batch:
            return 0.0, False
        payload = json.dumps({"Records": records}, separators=(",", ":"))
        cause = _cause_of(batch, f"sqs:{self._queue_name} {len(records)} messages", now)
        record = await engine.invoker.run(function, payload, cause)
        outcome = judge(record, [m["MessageId"] for m in batch],
                        mapping.reports_item_failures)
        await self._record(record, _OK if outcome.ok else _PROBLEM)
        if outcome.ok:
            await self._delete(url, batch)
            return 0.0, False
        if outcome.failed:
            await self._delete(url, [m for i, m in enumerate(batch) if i not in outcome.failed])
        # What failed becomes visible again after the queue's visibility timeout: that wait
        # holds work (the retry), so a virtual clock jumps to it.
        attributes = await self._sqs.get_queue_attributes(
            queue_url=url, attribute_names=["VisibilityTimeout"])
        visibility = float(attributes["Attributes"]["VisibilityTimeout"])
        self._retry_at = engine.clock.time() + visibility
        return visibility, False

    async def _stop_loops(
        self, function: FunctionConfig, url: str, batch: list[dict[str, Any]],
        records: list[dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Take out the messages whose chain has already invoked functions 16 times.

        Lambda's recursive loop detection follows the AWSTraceHeader that a handler's
        SendMessage (or an SNS delivery it caused) stamped on a message. It does not invoke
        the function for such a message and records why; the message goes to the queue's
        dead-letter queue if it has one (left in flight, the redrive policy moves it there
        after maxReceiveCount receives), else it is dropped.
        """
        looping = [i for i, m in enumerate(batch) if _hop_of(m) >= MAX_HOPS]
        if not looping or self._engine.functions.allows_recursion(function.name):
            return batch, records
        engine = self._engine
        stopped = [batch[i] for i in looping]
        cause = _cause_of(stopped, f"sqs:{self._queue_name} {len(stopped)} messages",
                          engine.clock.time())
        loop_payload = json.dumps({"Records": [records[i] for i in looping]},
                                  separators=(",", ":"))
        record = engine.invoker.loop_record(function, loop_payload, cause, new_uuid(), 1,
                                            invocation_type="RequestResponse")
        await self._record(record, _PROBLEM)
        attributes = (await self._sqs.get_queue_attributes(
            queue_url=url, attribute_names=["RedrivePolicy", "VisibilityTimeout"]))["Attributes"]
        if "RedrivePolicy" in attributes:
            # Coming back after the visibility timeout is work the virtual clock must jump to.
            self._retry_at = max(self._retry_at, engine.clock.time()
                                 + float(attributes["VisibilityTimeout"]))
        else:
            await self._delete(url, stopped)
        keep = set(range(len(batch))) - set(looping)
        return ([m for i, m in enumerate(batch) if i in keep],
                [r for i, r in enumerate(records) if i in keep])

    async def _record(self, record: InvocationRecord, result: str) -> None:
        engine = self._engine
        saved = engine.mappings.save_row(self.uuid) \
            if engine.mappings.note_result(self.uuid, result) else None

        def unit(conn: sqlite3.Connection) -> None:
            insert_invocation(conn, record)
            if saved is not None:
                conn.execute("UPDATE event_source_mappings SET config = ? WHERE uuid = ?", saved)

        await engine.db.write(unit)

    async def _delete(self, url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), _MAX_RECEIVE):
            chunk = messages[start:start + _MAX_RECEIVE]
            await self._sqs.delete_message_batch(queue_url=url, entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(chunk)])
