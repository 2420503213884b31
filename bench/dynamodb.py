"""DynamoDB PutItem throughput (table with a NEW_AND_OLD_IMAGES stream, so every put also
appends a stream record in its transaction).

Prints items per second for:

1. the Python API: ``sim.dynamodb.put_item`` in bursts of concurrent calls, state in a SQLite
   file;
2. boto3 through the gateway: one client doing sequential PutItem against ``eventsim serve``
   (its own process, state in a file);
3. the same boto3 loop against moto's server in its own process;
4. the same boto3 loop against a trivial aiohttp server in its own process answering ``{}``,
   the least botocore accepts: the client's own ceiling.

2, 3 and 4 are measured in short interleaved blocks (`bench/interleave.py`: the machine is
shared and its speed drifts); the ratios are the medians of the blocks' ratios.

Usage: python bench/dynamodb.py [--items 20000] [--gateway-items 3000] [--block 100]
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
from pathlib import Path
from typing import Any

import servers  # bench/servers.py, beside this script
from interleave import Interleaved, interleave  # bench/interleave.py

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import boto3_client

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-ddb-"))

TRIVIAL_SERVER = textwrap.dedent('''
    import sys
    from aiohttp import web

    async def answer(request):
        await request.read()
        return web.Response(body=b"{}", content_type="application/x-amz-json-1.0")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')

TABLE: dict[str, Any] = {
    "TableName": "bench",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "N"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def _item(round_number: int, i: int) -> dict[str, Any]:
    return {"pk": {"S": f"user-{round_number}-{i % 100}"}, "sk": {"N": str(i)},
            "name": {"S": "some name"}, "count": {"N": "42"}, "tags": {"SS": ["a", "b"]}}


# -- 1. the Python API ------------------------------------------------------------------------


async def bench_api(items: int, burst: int = 500) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as state:
        async with Simulator(SimulatorConfig(db=str(Path(state) / "bench.db"))) as sim:
            await sim.dynamodb.create_table(
                table_name="bench", attribute_definitions=TABLE["AttributeDefinitions"],
                key_schema=TABLE["KeySchema"], billing_mode="PAY_PER_REQUEST",
                stream_specification=TABLE["StreamSpecification"],
            )
            commits = sim.db.commits
            start = time.perf_counter()
            for first in range(0, items, burst):
                await asyncio.gather(*(
                    sim.dynamodb.put_item(table_name="bench", item=_item(0, i))
                    for i in range(first, min(items, first + burst))
                ))
            elapsed = time.perf_counter() - start
            count = (await sim.dynamodb.describe_table(table_name="bench"))["Table"]["ItemCount"]
            assert count == items, f"{count} of {items} stored"
            return items / elapsed, sim.db.commits - commits


# -- 2., 3. and 4. boto3 against a server in its own process ------------------------------------


def _put(client: Any, i: int) -> None:
    client.put_item(TableName="bench", Item=_item(0, i))


def bench_gateway(items: int, block: int) -> dict[str, Interleaved]:
    """The three servers interleaved ``block`` puts at a time."""
    with tempfile.TemporaryDirectory() as state:
        running = {
            "trivial": servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER),
            "eventsim": servers.start_eventsim(Path(state)),
            "moto": servers.start_moto(),
        }
        try:
            clients = {name: boto3_client("dynamodb", url) for name, (_, url) in running.items()}
            for name in ("eventsim", "moto"):
                clients[name].create_table(**TABLE)
            for client in clients.values():
                for i in range(50):  # warm the connection pool and botocore's caches
                    client.put_item(TableName="bench", Item=_item(1000, i))
            return interleave(
                {name: functools.partial(_put, client) for name, client in clients.items()},
                items, block)
        finally:
            servers.stop(*(proc for proc, _ in running.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--gateway-items", type=int, default=3000)
    parser.add_argument("--block", type=int, default=100)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API, {args.items} PutItem in bursts of 500 (stream on, SQLite file):")
    api, commits = asyncio.run(bench_api(args.items))
    print(f"  {api:,.0f} items/s ({commits} commits)")
    print(f"boto3, {args.gateway_items} sequential PutItem to each server, interleaved "
          f"{args.block} at a time:")
    results = bench_gateway(args.gateway_items, args.block)
    labels = {"trivial": "trivial aiohttp server (the ceiling)", "eventsim": "eventsim serve",
              "moto": "moto server"}
    ceiling = results["trivial"]
    for name, result in results.items():
        print(f"  {labels[name] + ':':40s}{result.rate:,.0f} items/s")
    print(f"  eventsim / ceiling: {results['eventsim'].ratio_to(ceiling):.0%}; "
          f"moto / ceiling: {results['moto'].ratio_to(ceiling):.0%} (medians of the blocks' "
          "ratios)")

if __name__ == "__main__":
    main()
