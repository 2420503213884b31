"""Invocation overhead of the runtimes, and cold starts of process environments.

Prints, in one run:

1. the floor: a plain in-process call of the handler function (``handler(event, context)``);
2. warm invocations of a trivial Python handler through the inline runtime
   (``InlineRuntime.invoke``) and through the process runtime (``ProcessRuntime.invoke``: the
   Runtime API round trip, /next and /response, to a warm environment); also a trivial
   Node.js handler through the process runtime;
3. cold starts of Python and Node.js process environments: from ``invoke`` until the result,
   and the init duration the environment reports (spawn to its first /next).

Latencies are p50 and p99 over the invocations of each round; rounds alternate the runtimes
(this machine is shared and noisy) and the figure is the median of the rounds.

Usage: python bench/invoke.py [--warm 2000] [--cold 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from eventsim.runtime.base import InvokeRequest, InvokeResult
from eventsim.runtime.context import LambdaContext
from eventsim.runtime.inline import InlineRuntime
from eventsim.runtime.invoker import lambda_environment
from eventsim.runtime.process import ProcessRuntime
from eventsim.services.lambda_.models import FunctionConfig

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-invoke-"))
(WORK / "sink.py").write_text("def handler(event, context):\n    return event\n")
(WORK / "sink.js").write_text("exports.handler = async (event) => event;\n")


def function(name: str, runtime: str = "python3.12", handler: str = "sink.handler",
             kind: str = "inline") -> FunctionConfig:
    return FunctionConfig(name=name, handler=handler, code_dir=str(WORK),
                          arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
                          runtime=runtime, runtime_kind=kind)  # type: ignore[arg-type]


def request(config: FunctionConfig) -> InvokeRequest:
    env = lambda_environment(config, region="us-east-1", trace_header="Root=1-0-0",
                             endpoint_url=None, log_stream="bench")
    return InvokeRequest(function=config, payload=b'{"n": 1}', request_id=str(uuid.uuid4()),
                         trace_header="Root=1-0-0", environment=env,
                         deadline_ms=int(time.time() * 1000) + 3000)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def floor(n: int) -> list[float]:
    def handler(event: object, context: object) -> object:
        return event

    samples = []
    for _ in range(n):
        started = time.perf_counter()
        handler(json.loads(b'{"n": 1}'), LambdaContext())
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def warm(invoke: Callable[[InvokeRequest], Awaitable[InvokeResult]],
               config: FunctionConfig, n: int) -> list[float]:
    result = await invoke(request(config))  # the cold start, not counted
    assert result.status == "Success", result.error
    samples = []
    for _ in range(n):
        req = request(config)
        started = time.perf_counter()
        result = await invoke(req)
        samples.append((time.perf_counter() - started) * 1000)
        assert result.status == "Success", result.error
    return samples


async def cold(runtime: ProcessRuntime, runtime_name: str, handler: str,
               n: int) -> tuple[list[float], list[float]]:
    totals, inits = [], []
    for _ in range(n):
        config = function(f"cold-{uuid.uuid4().hex[:8]}", runtime_name, handler, "process")
        started = time.perf_counter()
        result = await runtime.invoke(request(config))
        totals.append((time.perf_counter() - started) * 1000)
        assert result.status == "Success", result.error
        inits.append(result.init_duration_ms or 0.0)
    return totals, inits


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    node = shutil.which("node") is not None

    figures: dict[str, list[tuple[float, float]]] = {}

    def add(name: str, samples: list[float]) -> None:
        figures.setdefault(name, []).append(percentiles(samples))

    async with InlineRuntime(4) as inline, ProcessRuntime(idle_timeout=3600) as process:
        for _ in range(args.rounds):
            add("floor: plain function call", floor(args.warm))
            add("inline runtime, warm", await warm(inline.invoke, function("inline"),
                                                   args.warm))
            add("process runtime, Python, warm",
                await warm(process.invoke, function("proc-py", kind="process"), args.warm))
            if node:
                add("process runtime, Node.js, warm",
                    await warm(process.invoke,
                               function("proc-js", "nodejs20.x", "sink.handler", "process"),
                               args.warm))
            totals, inits = await cold(process, "python3.12", "sink.handler", args.cold)
            add("process runtime, Python, cold start (invoke to result)", totals)
            add("process runtime, Python, cold start (init duration)", inits)
            if node:
                totals, inits = await cold(process, "nodejs20.x", "sink.handler", args.cold)
                add("process runtime, Node.js, cold start (invoke to result)", totals)
                add("process runtime, Node.js, cold start (init duration)", inits)

    print(f"{args.warm} warm invocations, {args.cold} cold starts per round, "
          f"median of {args.rounds} rounds")
    width = max(len(name) for name in figures)
    for name, rounds in figures.items():
        p50 = statistics.median(r[0] for r in rounds)
        p99 = statistics.median(r[1] for r in rounds)
        print(f"  {name:<{width}}  p50 {p50:8.3f} ms   p99 {p99:8.3f} ms")


if __name__ == "__main__":
    asyncio.run(main())
