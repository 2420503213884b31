"""The floor under `bench/push.py`'s API figure: the same rows, with almost no engine around them.

Each event writes what eventsim writes for an S3 put that notifies a function: the object row
and the invoke-queue row (one transaction per burst, on a database thread), then, once a
trivial handler has run on a worker thread with the event parsed by orjson, the invocation row
(with its START/END/REPORT lines) and the queue row's delete. The event JSON, ids and ETag are
made by eventsim's own functions. The puts come as push.py's do: bursts of 500 concurrent
coroutines, each awaiting its commit.

What it leaves out is the engine: tracing, settle's activity count, notification matching and
permissions, the worker pool's spreading and deadlines, log capture, environment layers, the
context object, retries. The gap between the two figures is that engine's cost per event.

Usage: python bench/push_floor.py [--events 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from eventsim.events.s3 import new_host_id, new_request_id, s3_event_json, sequencer_for
from eventsim.ids import new_uuid, random_hex
from eventsim.services.lambda_.invocations import InvocationRecord, insert_invocations
from eventsim.store.bulk import delete_ids
from eventsim.store.migrate import migrate

BODY = b"x" * 128
BURST = 500
CAUSE = '{"trace_id":"1-00000000-000000000000000000000000","source":"s","parent_span":null,"hop":0}'

Queued = tuple[int, str, str]  # queue row id, payload, request id


def _handler(event: Any, context: Any) -> None:
    return None


class Floor:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        migrate(self.conn)
        self.conn.execute(
            "INSERT INTO buckets (name, region, created_at) VALUES ('bench','us-east-1',0)")
        self.db = concurrent.futures.ThreadPoolExecutor(1)
        self.worker = concurrent.futures.ThreadPoolExecutor(1)
        self.sequence = 0
        self.deliveries: list[asyncio.Future[None]] = []

    def close(self) -> None:
        self.db.shutdown()
        self.worker.shutdown()
        self.conn.close()

    def put_unit(self, items: list[tuple[str, str, float, str, str]]) -> list[Queued]:
        conn, queued = self.conn, []
        conn.execute("BEGIN IMMEDIATE")
        for key, etag, now, payload, request_id in items:
            conn.execute(
                "INSERT OR REPLACE INTO objects (bucket, key, body, size, etag, last_modified, "
                "content_type, metadata, headers) VALUES (?,?,?,?,?,?,?,?,?)",
                ("bench", key, BODY, len(BODY), etag, now, None, "{}", "{}"))
            cursor = conn.execute(
                "INSERT INTO async_queue (function, payload, attempt, not_before, enqueued_at, "
                "request_id, cause) VALUES (?,?,0,?,?,?,?)",
                ("sink", payload, now, now, request_id, CAUSE))
            queued.append((int(cursor.lastrowid or 0), payload, request_id))
        conn.execute("COMMIT")
        return queued

    def run_handlers(self, batch: list[Queued]) -> list[tuple[Queued, float]]:
        done = []
        for item in batch:
            started = time.perf_counter()
            _handler(orjson.loads(item[1]), None)
            done.append((item, (time.perf_counter() - started) * 1000))
        return done

    def outcome_unit(self, results: list[tuple[Queued, float]]) -> None:
        now = time.time()
        records = [InvocationRecord(
            request_id, "sink", "Event", 1, now, ms, "Success", "s3:ObjectCreated:Put bench/k",
            "1-00000000-000000000000000000000000", random_hex(16), None, 0, payload, None, None,
            f"START RequestId: {request_id} Version: $LATEST\nEND RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {ms:.2f} ms\tBilled Duration: 1 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 80 MB\n", None, 0, "$LATEST",
        ) for (_, payload, request_id), ms in results]
        self.conn.execute("BEGIN IMMEDIATE")
        insert_invocations(self.conn, records)
        delete_ids(self.conn, "async_queue", [queue_id for (queue_id, _, _), _ in results])
        self.conn.execute("COMMIT")

    async def put(self, i: int, items: list[Any], waiting: list[asyncio.Future[None]]) -> str:
        loop = asyncio.get_running_loop()
        key = f"k/{i}"
        etag = '"' + hashlib.md5(BODY, usedforsecurity=False).hexdigest() + '"'
        now = time.time()
        self.sequence += 1
        payload = s3_event_json(
            "ObjectCreated:Put", "bench", key, "us-east-1", now, "sink", new_request_id(),
            new_host_id(), "AWS:AIDAEVENTSIMUSER", "127.0.0.1", len(BODY), etag.strip('"'),
            sequencer_for(self.sequence), "owner")
        items.append((key, etag, now, payload, new_uuid()))
        committed = loop.create_future()
        waiting.append(committed)
        if len(items) == 1:  # the burst's first put: commit what has come once the turn ends
            loop.call_soon(self.flush, items, waiting)
        await committed
        return etag

    def flush(self, items: list[Any], waiting: list[asyncio.Future[None]]) -> None:
        loop = asyncio.get_running_loop()

        def after(done: asyncio.Future[list[Queued]]) -> None:
            queued = done.result()
            for committed in waiting:
                committed.set_result(None)
            self.deliveries.append(asyncio.ensure_future(self.deliver(queued)))

        loop.run_in_executor(self.db, self.put_unit, items).add_done_callback(after)

    async def deliver(self, queued: list[Queued]) -> None:
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(self.worker, self.run_handlers, queued)
        await loop.run_in_executor(self.db, self.outcome_unit, results)

    async def run(self, events: int) -> float:
        start = time.perf_counter()
        for first in range(0, events, BURST):
            items: list[Any] = []
            waiting: list[asyncio.Future[None]] = []
            await asyncio.gather(*(self.put(i, items, waiting)
                                   for i in range(first, min(events, first + BURST))))
        await asyncio.gather(*self.deliveries)
        elapsed = time.perf_counter() - start
        count = self.conn.execute("SELECT COUNT(*) FROM invocations").fetchone()[0]
        assert count == events, f"{count} of {events} recorded"
        return events / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"the floor under push.py's API run, {args.events} events in bursts of {BURST}:")
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as state:
            floor = Floor(str(Path(state) / "floor.db"))
            try:
                print(f"  {asyncio.run(floor.run(args.events)):,.0f} events/s", flush=True)
            finally:
                floor.close()


if __name__ == "__main__":
    main()
