"""Push-model throughput: S3 PutObject -> notification -> handler.

Prints events per second for:

1. the Python API (`sim.s3.put_object`, durable outbox in a SQLite file, inline handler),
2. boto3 PutObject through the gateway (one client, sequential calls),
3. the same boto3 loop against a trivial aiohttp server that answers PutObject with the least
   botocore accepts: the client's own ceiling, measured in the same run.

Usage: python bench/push.py [--events 20000] [--gateway-events 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from pathlib import Path

from aiohttp import web

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import ThreadedSimulator, boto3_client

HANDLER_DIR = Path(tempfile.mkdtemp(prefix="eventsim-bench-"))
(HANDLER_DIR / "sink.py").write_text("def handler(event, context):\n    return None\n")


async def _wire(sim: Simulator, bucket: str) -> None:
    fn = await sim.functions.create_function(
        name="sink", handler="sink.handler", code_dir=HANDLER_DIR
    )
    await sim.s3.create_bucket(bucket=bucket)
    await sim.s3.put_bucket_notification_configuration(
        bucket=bucket,
        notification_configuration={"LambdaFunctionConfigurations": [
            {"Id": "sink", "LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"]}
        ]},
    )


async def bench_api(events: int) -> float:
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        async with Simulator(config) as sim:
            await _wire(sim, "bench")
            body = b"x" * 128
            start = time.perf_counter()
            chunk = 500
            for first in range(0, events, chunk):
                await asyncio.gather(*(
                    sim.s3.put_object(bucket="bench", key=f"k/{i}", body=body)
                    for i in range(first, min(events, first + chunk))
                ))
            await sim.settle(timeout=600)
            elapsed = time.perf_counter() - start
            done = await sim.invocations.count(function="sink", status="Success")
            assert done == events, f"{done} of {events} delivered"
            print(f"  commits: {sim.db.commits}")
    return events / elapsed


def bench_gateway(events: int) -> float:
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        with ThreadedSimulator(config) as sim:
            sim.run(_wire(sim.sim, "bench"))
            s3 = sim.client("s3")
            for i in range(50):  # warm the connection pool and botocore's caches
                s3.put_object(Bucket="bench", Key=f"warm/{i}", Body=b"x")
            sim.settle(timeout=600)
            start = time.perf_counter()
            for i in range(events):
                s3.put_object(Bucket="bench", Key=f"k/{i}", Body=b"x" * 128)
            sim.settle(timeout=600)
            elapsed = time.perf_counter() - start
    return events / elapsed


def bench_ceiling(events: int) -> float:
    """boto3 against a server that does nothing but answer."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(headers={"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})

    ready = threading.Event()
    holder: dict[str, object] = {}

    def serve() -> None:
        async def main() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", answer)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            holder["port"] = runner.addresses[0][1]
            stop = asyncio.Event()
            holder["stop"] = (asyncio.get_running_loop(), stop)
            ready.set()
            await stop.wait()
            await runner.cleanup()

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait()
    s3 = boto3_client("s3", f"http://127.0.0.1:{holder['port']}")
    for i in range(50):
        s3.put_object(Bucket="bench", Key=f"warm/{i}", Body=b"x")
    start = time.perf_counter()
    for i in range(events):
        s3.put_object(Bucket="bench", Key=f"k/{i}", Body=b"x" * 128)
    elapsed = time.perf_counter() - start
    loop, stop = holder["stop"]  # type: ignore[misc]
    loop.call_soon_threadsafe(stop.set)
    thread.join()
    return events / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--gateway-events", type=int, default=2000)
    args = parser.parse_args()
    print(f"Python API, {args.events} puts -> inline handler (durable outbox):")
    api = asyncio.run(bench_api(args.events))
    print(f"  {api:,.0f} events/s")
    print(f"boto3 ceiling: trivial aiohttp server, {args.gateway_events} sequential PutObject:")
    ceiling = bench_ceiling(args.gateway_events)
    print(f"  {ceiling:,.0f} requests/s")
    print(f"boto3 through the eventsim gateway, {args.gateway_events} sequential PutObject:")
    gateway = bench_gateway(args.gateway_events)
    print(f"  {gateway:,.0f} events/s ({gateway / ceiling:.0%} of the ceiling)")


if __name__ == "__main__":
    main()
