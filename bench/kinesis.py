"""Kinesis write throughput: PutRecords (batches of 500) and PutRecord, records per second.

Prints records per second for:

1. the Python API: ``sim.kinesis.put_records`` in sequential batches of 500, and
   ``sim.kinesis.put_record`` in bursts of 500 concurrent calls; a 4-shard stream, state in a
   SQLite file (every accepted record is durable when the call returns);
2. boto3 through the gateway: one client doing sequential PutRecords (500 records each) and
   sequential PutRecord against ``eventsim serve`` (its own process, state in a file);
3. the same boto3 loops against moto's server (its own process);
4. the same boto3 loops against a trivial aiohttp server in its own process that answers with the
   least botocore accepts (``{}``): the client's own ceiling; and against the same server
   answering with canned responses of the real size (500 result entries for PutRecords), since
   botocore's parsing of the 500 entries is client time that the ``{}`` ceiling leaves out.

2, 3 and 4 are measured in short interleaved blocks (`bench/interleave.py`: this machine is
shared and its speed drifts); each ratio is the median of the blocks' ratios.

Usage: python bench/kinesis.py [--records 100000] [--batches 40] [--puts 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import servers  # bench/servers.py, beside this script
from interleave import Interleaved, interleave  # bench/interleave.py

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import boto3_client

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-kinesis-"))
DATA = b"x" * 128
BATCH = 500

TRIVIAL_SERVER = textwrap.dedent('''
    import json, sys
    from aiohttp import web

    FULL = sys.argv[2] == "full"
    SEQ = "49669482917428291739328360231888839593142432071241695234"
    RECORD = {"SequenceNumber": SEQ, "ShardId": "shardId-000000000001"}
    ANSWERS = {
        "Kinesis_20131202.PutRecords": json.dumps(
            {"FailedRecordCount": 0, "Records": [RECORD] * 500}).encode(),
        "Kinesis_20131202.PutRecord": json.dumps(RECORD).encode(),
    }

    async def answer(request):
        await request.read()
        body = ANSWERS.get(request.headers.get("X-Amz-Target"), b"{}") if FULL else b"{}"
        return web.Response(body=body, content_type="application/x-amz-json-1.1")

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')


def _batch(first: int) -> list[Mapping[str, Any]]:
    return [{"Data": DATA, "PartitionKey": f"key-{first + i}"} for i in range(BATCH)]


# -- 1. the Python API ------------------------------------------------------------------------


async def bench_api(records: int) -> tuple[float, float]:
    """(PutRecords records/s, PutRecord records/s)."""
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        async with Simulator(config) as sim:
            await sim.kinesis.create_stream(stream_name="bench", shard_count=4)
            start = time.perf_counter()
            for first in range(0, records, BATCH):
                await sim.kinesis.put_records(stream_name="bench", records=_batch(first))
            batched = records / (time.perf_counter() - start)
            start = time.perf_counter()
            for first in range(0, records, BATCH):
                await asyncio.gather(*(
                    sim.kinesis.put_record(stream_name="bench", data=DATA,
                                           partition_key=f"key-{i}")
                    for i in range(first, first + BATCH)
                ))
            single = records / (time.perf_counter() - start)
            return batched, single


# -- 2., 3. and 4. boto3 against a server in its own process ----------------------------------


def _put_records(client: Any, i: int) -> None:
    client.put_records(StreamName="bench", Records=_batch(i * BATCH))


def _put_record(client: Any, i: int) -> None:
    client.put_record(StreamName="bench", Data=DATA, PartitionKey=f"key-{i}")


def bench_boto3(batches: int, puts: int) -> dict[str, dict[str, Interleaved]]:
    """Per loop, each server's share of an interleaved run (PutRecords 4 calls at a time,
    PutRecord 100 at a time)."""
    figures: dict[str, dict[str, Interleaved]] = {}
    with tempfile.TemporaryDirectory() as state:
        running = {
            "trivial": servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER, "empty"),
            "trivial-full": servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER, "full"),
            "eventsim": servers.start_eventsim(Path(state)),
            "moto": servers.start_moto(),
        }
        try:
            clients = {name: boto3_client("kinesis", url) for name, (_, url) in running.items()}
            for client in clients.values():
                client.create_stream(StreamName="bench", ShardCount=4)
                for i in range(5):  # warm the connection pool and botocore's caches
                    _put_records(client, i)
                for i in range(50):
                    client.put_record(StreamName="bench", Data=DATA, PartitionKey=f"warm-{i}")
            loops: dict[str, tuple[Callable[[Any, int], None], int, int]] = {
                "PutRecords": (_put_records, batches, 4),
                "PutRecord": (_put_record, puts, 100),
            }
            for loop, (call, count, block) in loops.items():
                results = interleave(
                    {name: functools.partial(call, client) for name, client in clients.items()},
                    count, block)
                for name, result in results.items():
                    figures.setdefault(name, {})[loop] = result
        finally:
            servers.stop(*(proc for proc, _ in running.values()))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000,
                        help="records per Python API loop")
    parser.add_argument("--batches", type=int, default=40,
                        help="PutRecords calls of 500 per server")
    parser.add_argument("--puts", type=int, default=3000,
                        help="PutRecord calls per server")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API, {args.records} records of {len(DATA)} bytes, 4 shards, file state:")
    batched, single = asyncio.run(bench_api(args.records))
    print(f"  PutRecords (500 per call, sequential): {batched:,.0f} records/s")
    print(f"  PutRecord (bursts of 500 concurrent):  {single:,.0f} records/s")
    print(f"boto3, one client, sequential calls to each server, interleaved: {args.batches} "
          f"PutRecords of 500 (4 at a time) and {args.puts} PutRecord (100 at a time):")
    figures = bench_boto3(args.batches, args.puts)
    labels = {"trivial": "trivial aiohttp server (the ceiling)",
              "trivial-full": "trivial server, full-size answers",
              "eventsim": "eventsim serve", "moto": "moto server"}
    for loop in ("PutRecords", "PutRecord"):
        ceiling = figures["trivial"][loop]
        print(f"  {loop}:")
        for name, label in labels.items():
            result = figures[name][loop]
            calls = BATCH if loop == "PutRecords" else 1
            print(f"    {label:37} {result.rate * calls:9,.0f} records/s  "
                  f"{result.ratio_to(ceiling):4.0%} of ceiling")

if __name__ == "__main__":
    main()
