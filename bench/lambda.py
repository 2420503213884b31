"""Lambda API throughput: Invoke (RequestResponse) and GetFunction.

Prints requests per second for:

1. the Python API of the gateway's Lambda adapter (``sim.lambda_api.invoke``, state in a
   SQLite file, a trivial inline handler, every invocation recorded): sequential calls, then
   bursts of concurrent calls;
2. one boto3 client doing sequential Invoke, then sequential GetFunction, against, in
   alternating rounds: a trivial aiohttp server in its own process answering with the least
   botocore accepts (the client's own ceiling), ``eventsim serve`` in its own process, and
   moto's server in its own process (GetFunction only: moto runs functions in Docker). The
   figure is the median of the rounds (this machine is shared and noisy).

Usage: python bench/lambda.py [--invocations 5000] [--gateway-requests 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import servers  # bench/servers.py, beside this script

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import boto3_client

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-lambda-"))
HANDLER = "def handler(event, context):\n    return event\n"
PAYLOAD = b'{"n": 1}'

TRIVIAL_SERVER = textwrap.dedent('''
    import sys
    from aiohttp import web

    async def answer(request):
        await request.read()
        return web.Response(body=b'{"n": 1}', content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


# -- 1. the Python API ------------------------------------------------------------------------


async def bench_api(invocations: int, burst: int = 100) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        async with Simulator(config) as sim:
            api = sim.lambda_api
            await api.create_function(function_name="bench", role="arn:aws:iam::000000000000:"
                                      "role/bench", runtime="python3.12",
                                      handler="app.handler", code={"ZipFile": _zip()})
            for _ in range(50):
                await api.invoke(function_name="bench", payload=PAYLOAD)
            start = time.perf_counter()
            for _ in range(invocations):
                await api.invoke(function_name="bench", payload=PAYLOAD)
            sequential = invocations / (time.perf_counter() - start)
            start = time.perf_counter()
            for first in range(0, invocations, burst):
                await asyncio.gather(*(
                    api.invoke(function_name="bench", payload=PAYLOAD)
                    for _ in range(first, min(invocations, first + burst))
                ))
            concurrent = invocations / (time.perf_counter() - start)
            recorded = await sim.invocations.count(function="bench", status="Success")
            assert recorded == 2 * invocations + 50, recorded
            return sequential, concurrent


# -- 2. boto3 against servers in their own processes -----------------------------------------


def _create(url: str) -> None:
    iam = boto3_client("iam", url)
    try:  # moto checks that the role exists; eventsim and the trivial server do not care
        role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except Exception:
        role = "arn:aws:iam::000000000000:role/bench"
    lam = boto3_client("lambda", url)
    try:
        lam.create_function(FunctionName="bench", Runtime="python3.12", Role=role,
                            Handler="app.handler", Code={"ZipFile": _zip()})
    except lam.exceptions.ResourceConflictException:
        pass


def _loop(url: str, requests: int, call: Callable[[Any], Any]) -> float:
    lam = boto3_client("lambda", url)
    for _ in range(50):  # warm the connection pool and botocore's caches
        call(lam)
    start = time.perf_counter()
    for _ in range(requests):
        call(lam)
    return requests / (time.perf_counter() - start)


def _invoke(lam: Any) -> None:
    lam.invoke(FunctionName="bench", Payload=PAYLOAD)["Payload"].read()


def _get(lam: Any) -> None:
    lam.get_function(FunctionName="bench")


def bench_gateway(requests: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.TemporaryDirectory() as state:
        running = {
            "ceiling": servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER),
            "eventsim": servers.start_eventsim(Path(state)),
            "moto": servers.start_moto(),
        }
        figures: dict[str, dict[str, list[float]]] = {
            "Invoke": {"ceiling": [], "eventsim": []},
            "GetFunction": {name: [] for name in running},
        }
        try:
            for _, url in running.values():
                _create(url)
            for _ in range(rounds):
                for name, (_, url) in running.items():
                    if name in figures["Invoke"]:
                        figures["Invoke"][name].append(_loop(url, requests, _invoke))
                    figures["GetFunction"][name].append(_loop(url, requests, _get))
        finally:
            servers.stop(*(proc for proc, _ in running.values()))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--invocations", type=int, default=5000)
    parser.add_argument("--gateway-requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API (sim.lambda_api.invoke), {args.invocations} invocations, recorded in a "
          "SQLite file:")
    sequential, concurrent = asyncio.run(bench_api(args.invocations))
    print(f"  sequential:           {sequential:,.0f} invocations/s")
    print(f"  bursts of 100 at once: {concurrent:,.0f} invocations/s")
    figures = bench_gateway(args.gateway_requests, args.rounds)
    labels = {"ceiling": "trivial aiohttp server (the ceiling)", "eventsim": "eventsim serve",
              "moto": "moto's server"}
    for operation, by_server in figures.items():
        print(f"boto3, {args.gateway_requests} sequential {operation} per round, "
              f"{args.rounds} rounds:")
        medians = {name: statistics.median(values) for name, values in by_server.items()}
        for name, values in by_server.items():
            print(f"  {labels[name]:38} {medians[name]:,.0f} requests/s "
                  f"(rounds: {', '.join(f'{x:.0f}' for x in values)})")
        ratios = [f"{name} / ceiling: {medians[name] / medians['ceiling']:.0%}"
                  for name in medians if name != "ceiling"]
        print(f"  {'; '.join(ratios)}")


if __name__ == "__main__":
    main()
