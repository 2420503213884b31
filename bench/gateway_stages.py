"""Where a gateway request's time goes inside `eventsim serve`, stage by stage.

Runs `eventsim serve` in its own process with a timer around each stage of the request path
(aiohttp's handling, the gateway's head parse, the body read, the service call, the unit and
its commit, the S3 notification, serialization, the response), drives it with one boto3
client making sequential calls, and prints the median and mean of each stage in the server.
The trivial server's own aiohttp stages are measured the same way, as the floor.

Code on the request path runs several times slower in the server than in a hot loop (each
request meets cold caches after the client's turn), so these are the figures to cut, not a
micro-benchmark's. The timers themselves cost about a microsecond each.

Usage: python bench/gateway_stages.py [--calls 2000]
       [--workload s3-notified|s3-plain|dynamodb|kinesis|kinesis-batch]
"""

from __future__ import annotations

import argparse
import collections
import importlib
import inspect
import json
import os
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGES: list[tuple[str, str, str]] = [
    # (module, attribute path, label)
    ("aiohttp.web_protocol", "RequestHandler._handle_request", "aiohttp: whole request"),
    ("aiohttp.web_protocol", "RequestHandler.finish_response", "aiohttp: send response"),
    ("aiohttp.web_request", "BaseRequest.read", "read the body"),
    ("eventsim.gateway.app", "_handle", "gateway: whole exchange"),
    ("eventsim.gateway.protocols.rest", "BaseRestRequestParser.parse_head", "parse head (rest)"),
    ("eventsim.gateway.protocols.s3", "S3RequestParser.prepare_body", "S3 body checks"),
    ("eventsim.gateway.protocols.json", "JSONRequestParser.parse", "parse (json)"),
    ("eventsim.gateway.app", "_call", "call + serialize"),
    ("eventsim.gateway.dispatch", "OperationDispatcher.call", "service method"),
    ("eventsim.store.database", "Database.write", "db.write (unit + commit)"),
    ("eventsim.store.database", "_apply_one", "unit + BEGIN/COMMIT"),
    ("eventsim.services.s3.notifier", "Notifier.notify", "S3 notify (in the unit)"),
    ("eventsim.services.lambda_.permissions", "InvokePermissions.allowed", "permission check"),
    ("eventsim.services.kinesis.write_ops", "WriteOperations.put_records", "kinesis put_records"),
    ("eventsim.gateway.protocols.json", "JSONResponseSerializer.serialize_response",
     "serialize (json)"),
    ("eventsim.gateway.app", "_web_response", "build aiohttp response"),
]

TRIVIAL = textwrap.dedent('''
    from aiohttp import web

    async def answer(request):
        await request.read()
        if request.headers.get("X-Amz-Target"):
            return web.Response(body=b"{}", content_type="application/x-amz-json-1.0")
        return web.Response(headers={"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=PORT, access_log=None, print=None)
''')

# -- the server side: timers around the stages, then `eventsim serve` or the trivial app --------


def _timed(function: Callable[..., Any], samples: list[float]) -> Any:
    clock = time.perf_counter
    if inspect.iscoroutinefunction(function):
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return await function(*args, **kwargs)
            finally:
                samples.append(clock() - start)
        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return function(*args, **kwargs)
        finally:
            samples.append(clock() - start)
    return timed


def _install_timers(out: str) -> None:
    samples: dict[str, list[float]] = collections.defaultdict(list)
    for module_name, path, label in STAGES:
        try:
            owner: Any = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = getattr(owner, name)
        except (ImportError, AttributeError):
            continue  # renamed since: that stage is not shown
        setattr(owner, name, _timed(original, samples[label]))

    def reset(*_: object) -> None:
        for values in samples.values():
            values.clear()

    def dump(*_: object) -> None:
        Path(out).write_text(json.dumps(samples))
        os._exit(0)

    signal.signal(signal.SIGUSR2, reset)
    signal.signal(signal.SIGUSR1, dump)


def _serve(out: str, argv: list[str]) -> None:
    _install_timers(out)
    if argv[0] == "trivial":
        exec(TRIVIAL.replace("PORT", argv[1]), {})  # the script above, with its port
        return
    from eventsim.cli import main
    sys.argv = ["eventsim", *argv]
    main()


# -- the driving side -------------------------------------------------------------------------


def _start(kind: str, work: Path, out: Path) -> Any:
    sys.path.insert(0, str(Path(__file__).parent))
    import servers  # bench/servers.py
    import workloads  # bench/workloads.py

    port = servers.free_port()
    if kind == "trivial":
        argv = ["trivial", str(port)]
    else:
        scenario = workloads.write_resources(work)
        argv = ["serve", "--port", str(port), "--state", str(work / "state"), "--log-level",
                "warning", "--runtime", "inline", "--load", str(scenario)]
    return servers.start([sys.executable, __file__, "--serve", str(out), *argv], port)


def _drive(workload: str, url: str, calls: int, proc: Any) -> float:
    import workloads  # bench/workloads.py (on the path since `_start`)

    call = workloads.caller("s3" if workload == "s3-notified" else workload, url)
    for i in range(100):  # warm the connection and botocore's caches
        call(-1, i)
    proc.send_signal(signal.SIGUSR2)
    time.sleep(0.2)  # the signal arrives before the timed calls start
    start = time.perf_counter()
    for i in range(calls):
        call(0, i)
    return calls / (time.perf_counter() - start)


def _report(title: str, rate: float, out: Path) -> None:
    samples: dict[str, list[float]] = json.loads(out.read_text())
    print(f"{title}: {rate:,.0f} calls/s")
    for _, _, label in STAGES:
        values = sorted(samples.get(label) or [])
        if values:
            median = values[len(values) // 2] * 1e6
            mean = sum(values) / len(values) * 1e6
            print(f"  {label:28s} p50 {median:7.1f} us   mean {mean:7.1f} us   n={len(values)}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workload", default="s3-notified", choices=[
        "s3-notified", "s3-plain", "dynamodb", "kinesis", "kinesis-batch"])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eventsim-bench-stages-"))
    for kind in ("trivial", "eventsim"):
        out = work / f"{kind}.json"
        proc, url = _start(kind, work, out)
        try:
            rate = _drive(args.workload, url, args.calls, proc)
            if kind == "eventsim":
                import servers
                servers.settle(url)
            proc.send_signal(signal.SIGUSR1)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        _report(f"{kind} ({args.workload})", rate, out)


if __name__ == "__main__":
    main()
