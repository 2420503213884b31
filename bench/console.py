"""The console under load: 100,000 invocations and 1,000,000 stream records in the state.

Fills a state database (invocations and DynamoDB stream records inserted directly with batched
SQL, for speed: this is a benchmark's set-up, not a path users take; Kinesis records through
``put_records``, 500 a call), serves it with `eventsim.server.Server`, and times the console's
heaviest pages over HTTP: the median and the worst of several requests each.

Usage: python bench/console.py [--invocations 100000] [--stream-records 1000000]
                               [--kinesis-records 1000000] [--repeat 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from eventsim import SimulatorConfig
from eventsim.server import Server

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
BATCH = 20_000


def s3_event(n: int) -> str:
    return json.dumps({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-12-01T16:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "uploads", "arn": "arn:aws:s3:::uploads"},
               "object": {"key": f"cats/cat-{n}.jpg", "size": 1024 + n % 977,
                          "eTag": "d41d8cd98f00b204e9800998ecf8427e"}}}]})


async def fill(server: Server, invocations: int, stream_records: int,
               kinesis_records: int) -> None:
    sim = server.sim
    code = Path(tempfile.mkdtemp(prefix="eventsim-bench-console-"))
    (code / "app.py").write_text(HANDLER)
    await sim.s3.create_bucket(bucket="uploads")
    for name in ("make-thumbnail", "index", "audit"):
        await sim.functions.create_function(name=name, handler="app.handler", code_dir=code)
    await sim.dynamodb.create_table(
        table_name="orders", attribute_definitions=[{"AttributeName": "id",
                                                     "AttributeType": "S"}],
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST",
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    await sim.dynamodb.put_item(table_name="orders", item={"id": {"S": "template"},
                                                           "total": {"N": "12.5"}})
    await sim.kinesis.create_stream(stream_name="clicks", shard_count=4)
    now = sim.clock.time()

    started = time.perf_counter()
    rng = random.Random(7)
    for start in range(0, invocations, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, invocations)):
            function = ("make-thumbnail", "index", "audit")[n % 3]
            failed = rng.random() < 0.02
            trace = f"1-{int(now):08x}-{n:024x}"
            rows.append((
                f"req-{n:08d}", function, "Event", 1, now - (invocations - n) * 0.01,
                rng.uniform(2, 90), "Error" if failed else "Success",
                f"s3:ObjectCreated:Put uploads/cats/cat-{n}.jpg", trace, f"{n:016x}", None, 0,
                s3_event(n), None if failed else '{"ok": true}',
                json.dumps({"errorType": "ValueError", "errorMessage": "bad image",
                            "stackTrace": []}) if failed else None,
                f"START RequestId: req-{n:08d}\nresizing cats/cat-{n}.jpg\nEND\n"))

        def unit(conn: Any, rows: list[Any] = rows) -> None:
            conn.executemany(
                "INSERT INTO invocations (request_id, function, invocation_type, attempt, "
                "started_at, duration_ms, status, trigger, trace_id, span_id, parent_span, "
                "hop, payload, result, error, logs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows)
        await sim.db.write(unit)
    print(f"  {invocations:,} invocations in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    stream_arn = (await sim.dynamodb.describe_table(table_name="orders"))["Table"][
        "LatestStreamArn"]
    template = await sim.db.read(lambda c: c.execute(
        "SELECT seq, record FROM ddb_stream_records WHERE stream_arn = ?", (stream_arn,)
    ).fetchone())
    first_seq, text = int(template[0]), str(template[1])
    base = json.loads(text)
    old_number = base["dynamodb"]["SequenceNumber"]
    for start in range(first_seq + 1, first_seq + 1 + stream_records, BATCH):
        batch = []
        for seq in range(start, min(start + BATCH, first_seq + 1 + stream_records)):
            number = str(int(old_number) - first_seq + seq)
            batch.append((stream_arn, seq, now, text.replace(old_number, number)
                          .replace('"template"', f'"order-{seq}"')))

        def put(conn: Any, batch: list[Any] = batch) -> None:
            conn.executemany("INSERT INTO ddb_stream_records (stream_arn, seq, created_at, "
                             "record) VALUES (?,?,?,?)", batch)
        await sim.db.write(put)
    last = first_seq + stream_records
    await sim.db.write(lambda c: c.execute("UPDATE ddb_streams SET next_seq = ? WHERE arn = ?",
                                           (last + 1, stream_arn)))
    print(f"  {stream_records:,} DynamoDB stream records in "
          f"{time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    for start in range(0, kinesis_records, 500):
        count = min(500, kinesis_records - start)
        await sim.kinesis.put_records(stream_name="clicks", records=[
            {"Data": json.dumps({"click": start + i, "page": "/home"}).encode(),
             "PartitionKey": f"user-{(start + i) % 97}"} for i in range(count)])
    print(f"  {kinesis_records:,} Kinesis records in {time.perf_counter() - started:.1f} s")


async def measure(server: Server, repeat: int) -> list[tuple[str, float, float, int]]:
    base = f"{server.url}/_eventsim/"
    figures = []
    async with aiohttp.ClientSession() as session:
        async def get(path: str) -> Any:
            async with session.get(base + path) as response:
                assert response.status == 200, (path, response.status, await response.text())
                return await response.json()

        deep = "api/invocations?limit=500"
        cursor = None
        deep_pages = 0
        while deep_pages < 100:  # 50,000 rows in, when there are that many
            page = await get(deep + (f"&next={cursor}" if cursor else ""))
            if page["next"] is None:
                break
            cursor = page["next"]
            deep_pages += 1
        stream_page = await get("api/dynamodb/tables/orders/stream?limit=500")
        shards = (await get("api/kinesis/streams"))["items"][0]["shards"]
        newest = (await get("api/invocations?limit=1"))["items"][0]
        pages = {
            "overview": "api/overview",
            "invocations, first page (50)": "api/invocations",
            "invocations, 500 a page": "api/invocations?limit=500",
            f"invocations, page {deep_pages + 1} of 500":
                f"api/invocations?limit=500&next={cursor}",
            "invocations ?status=Error": "api/invocations?status=Error",
            "invocations ?function=audit": "api/invocations?function=audit",
            "invocations ?trigger= (rare prefix)":
                "api/invocations?trigger=s3:ObjectCreated:Put%20uploads/cats/cat-1234",
            "invocations ?detail=full (500)": "api/invocations?limit=500&detail=full",
            "invocation detail": f"api/invocations/{newest['request_id']}",
            "invocation trace": f"api/invocations/{newest['request_id']}/trace",
            "functions": "api/functions",
            "function detail": "api/functions/audit",
            "dynamodb tables": "api/dynamodb/tables",
            "dynamodb stream, first page (500)": "api/dynamodb/tables/orders/stream?limit=500",
            "dynamodb stream, second page": "api/dynamodb/tables/orders/stream?limit=500"
                                           f"&next={stream_page['next']}",
            "kinesis records, 500 a page":
                f"api/kinesis/streams/clicks/records?shard={shards[0]['id']}&limit=500",
            "topology": "api/topology",
            "mappings": "api/mappings",
        }
        for label, path in pages.items():
            times, size = [], 0
            for _ in range(repeat):
                began = time.perf_counter()
                async with session.get(base + path) as response:
                    body = await response.read()
                    assert response.status == 200, (label, body[:300])
                times.append((time.perf_counter() - began) * 1000)
                size = len(body)
            figures.append((label, statistics.median(times), max(times), size))
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invocations", type=int, default=100_000)
    parser.add_argument("--stream-records", type=int, default=1_000_000)
    parser.add_argument("--kinesis-records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None,
                        help="state file (default: a new temporary one)")
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp(prefix="eventsim-bench-console-")) / "eventsim.db"
    fresh = not db.exists()
    config = SimulatorConfig(db=str(db), default_runtime="inline")
    async with Server(config, port=0) as server:
        if fresh:
            print(f"filling {db}")
            await fill(server, args.invocations, args.stream_records, args.kinesis_records)
    print(f"state file: {db.stat().st_size / 1e6:,.0f} MB")
    # A fresh server on the filled file: nothing warm but SQLite's own page cache.
    async with Server(config, port=0) as server:
        figures = await measure(server, args.repeat)
    width = max(len(f[0]) for f in figures)
    print(f"\n{'page':<{width}}  median ms   worst ms   bytes")
    for label, median, worst, size in figures:
        print(f"{label:<{width}}  {median:9.1f}  {worst:9.1f}  {size:>7,}")
    heaviest = max(figures, key=lambda f: f[1])
    print(f"\nheaviest page: {heaviest[0]}, median {heaviest[1]:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
