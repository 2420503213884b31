"""Push-model throughput: S3 PutObject -> notification -> handler.

Prints events per second for:

1. the Python API: ``sim.s3.put_object`` in bursts of concurrent calls, durable outbox in a
   SQLite file, a trivial inline handler; timed until every event has been handled and recorded;
   also the CPU time per event of the process's threads (Linux), which varies less than wall time
   on a shared machine. It runs several times, each in a fresh process (the speed of this shared
   machine drifts by a quarter within minutes): the figure is the median;
2. boto3 through the gateway: one client doing sequential PutObject against ``eventsim serve``
   (its own process, state in a file, the bucket notifying a trivial handler), timed until the
   last event has been handled (`servers.settle`);
3. the same boto3 loop against a trivial aiohttp server in its own process that answers
   PutObject with the least botocore accepts: the client's own ceiling.

2 and 3 are measured in short interleaved blocks (`bench/interleave.py`: this machine is shared
and its speed drifts), and their ratio is the median of the blocks' ratios.

Usage: python bench/push.py [--events 20000] [--api-runs 3] [--gateway-events 4000] [--block 100]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import subprocess
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

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-"))
HANDLER_DIR = WORK / "sink"
HANDLER_DIR.mkdir()
(HANDLER_DIR / "sink.py").write_text("def handler(event, context):\n    return None\n")
BODY = b"x" * 128

TRIVIAL_SERVER = textwrap.dedent('''
    import sys
    from aiohttp import web

    async def answer(request):
        await request.read()
        return web.Response(headers={"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')

SCENARIO = textwrap.dedent(f'''
    name: bench
    resources:
      buckets: [bench]
    functions:
      sink:
        Handler: sink.handler
        CodeUri: {json.dumps(str(HANDLER_DIR))}
        Events:
          created:
            Type: S3
            Properties: {{Bucket: bench, Events: "s3:ObjectCreated:*"}}
''')


# -- 1. the Python API ------------------------------------------------------------------------


def _thread_cpu() -> dict[str, float]:
    """CPU seconds each of this process's threads has used (Linux; empty elsewhere). Less
    noisy than wall time on a shared machine, and it shows which thread does the work."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[str, float] = {}
    for task in tasks.iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
        seconds[task.name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return seconds


async def bench_api(events: int, burst: int = 500) -> tuple[float, int, list[float]]:
    """Events per second, commits, and the CPU seconds per event of each thread that did
    work meanwhile (busiest first)."""
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        async with Simulator(config) as sim:
            fn = await sim.functions.create_function(
                name="sink", handler="sink.handler", code_dir=HANDLER_DIR
            )
            await sim.s3.create_bucket(bucket="bench")
            # What `aws lambda add-permission` (or SAM's S3 event) grants on AWS.
            await sim.lambda_api.add_permission(
                function_name="sink", statement_id="s3-bench", action="lambda:InvokeFunction",
                principal="s3.amazonaws.com", source_arn="arn:aws:s3:::bench",
            )
            await sim.s3.put_bucket_notification_configuration(
                bucket="bench",
                notification_configuration={"LambdaFunctionConfigurations": [
                    {"Id": "sink", "LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"]}
                ]},
            )
            commits = sim.db.commits
            cpu_before = _thread_cpu()
            start = time.perf_counter()
            for first in range(0, events, burst):
                await asyncio.gather(*(
                    sim.s3.put_object(bucket="bench", key=f"k/{i}", body=BODY)
                    for i in range(first, min(events, first + burst))
                ))
            await sim.settle(timeout=600)
            elapsed = time.perf_counter() - start
            cpu = _thread_cpu()
            done = await sim.invocations.count(function="sink", status="Success")
            assert done == events, f"{done} of {events} delivered"
            per_thread = sorted(((used - cpu_before.get(tid, 0.0)) / events
                                 for tid, used in cpu.items()), reverse=True)
            return events / elapsed, sim.db.commits - commits, [c for c in per_thread if c > 0]


_ONE_RUN = (
    "import asyncio, json, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import push\n"
    "rate, commits, cpu = asyncio.run(push.bench_api(int(sys.argv[2])))\n"
    "print(json.dumps({'rate': rate, 'commits': commits, 'cpu': cpu}))\n"
)


def api_run(events: int, engine: Path | None = None) -> tuple[float, int, list[float]]:
    """`bench_api` in a fresh process: with this checkout's engine, or with the one in the
    checkout at `engine` (for bench/compare_api.py). The benchmark code is this one."""
    env = dict(os.environ)
    if engine is not None:
        env["PYTHONPATH"] = str(engine)
    done = subprocess.run(
        [sys.executable, "-c", _ONE_RUN, str(Path(__file__).resolve().parent), str(events)],
        env=env, cwd=str(engine) if engine is not None else None, check=True,
        capture_output=True, text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["rate"]), int(result["commits"]), [float(c) for c in result["cpu"]]


# -- 2. and 3. boto3 against a server in its own process ---------------------------------------


def _put(client: Any, i: int) -> None:
    client.put_object(Bucket="bench", Key=f"k/{i}", Body=BODY)


def bench_gateway(events: int, block: int) -> dict[str, Interleaved]:
    """The trivial server and eventsim, interleaved ``block`` puts at a time; eventsim's time
    runs until it has handled every event."""
    trivial, trivial_url = servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER)
    (WORK / "bench.yaml").write_text(SCENARIO)
    with tempfile.TemporaryDirectory() as state:
        served, served_url = servers.start_eventsim(Path(state), load=WORK / "bench.yaml")
        try:
            clients = {"trivial": boto3_client("s3", trivial_url),
                       "eventsim": boto3_client("s3", served_url)}
            for client in clients.values():
                for i in range(50):  # warm the connection pool and botocore's caches
                    client.put_object(Bucket="bench", Key=f"warm/{i}", Body=b"x")
            servers.settle(served_url)  # the warm-up's events are not timed
            return interleave(
                {name: functools.partial(_put, client) for name, client in clients.items()},
                events, block, finish={"eventsim": lambda: servers.settle(served_url)},
            )
        finally:
            servers.stop(served, trivial)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--api-runs", type=int, default=3)
    parser.add_argument("--gateway-events", type=int, default=4000)
    parser.add_argument("--block", type=int, default=100)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API, {args.events} puts in bursts of 500 -> inline handler (durable outbox), "
          f"{args.api_runs} runs in fresh processes:")
    runs = sorted((api_run(args.events) for _ in range(args.api_runs)), key=lambda r: r[0])
    api, commits, cpu = runs[len(runs) // 2]
    print(f"  {api:,.0f} events/s, the median run (runs: "
          f"{', '.join(f'{r[0]:,.0f}' for r in runs)}; {commits} commits in the median run)")
    if cpu:
        threads = ", ".join(f"{c * 1e6:.0f}" for c in cpu[:4])
        print(f"  CPU per event in the median run: {sum(cpu) * 1e6:.0f} us in all threads "
              f"(busiest threads: {threads} us)")
    print(f"boto3, {args.gateway_events} sequential PutObject to each server, interleaved "
          f"{args.block} at a time:")
    results = bench_gateway(args.gateway_events, args.block)
    ceiling, served = results["trivial"], results["eventsim"]
    print(f"  trivial aiohttp server (the ceiling): {ceiling.rate:,.0f} requests/s")
    print(f"  eventsim serve, handled end to end:   {served.rate:,.0f} events/s")
    quartiles = statistics.quantiles(
        [mine / theirs for mine, theirs in zip(served.blocks, ceiling.blocks, strict=True)], n=4)
    print(f"  eventsim / ceiling: {served.ratio_to(ceiling):.0%}, the median of "
          f"{len(served.blocks)} blocks' ratios (quartiles {quartiles[0]:.0%} and "
          f"{quartiles[2]:.0%}); of the whole run's rates: {served.rate / ceiling.rate:.0%}")

if __name__ == "__main__":
    main()
