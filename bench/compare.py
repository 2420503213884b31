"""Is it faster? `eventsim serve` from another commit against this checkout's, alternately.

This machine's speed drifts by 20% and more between runs, so figures from separate runs do
not show a change of a few percent. This script starts two servers, one running the code of
``--base`` (a detached worktree of that commit) and one running this checkout, and drives
them in alternating rounds with the same sequential boto3 loop. It prints calls per second
and the median request latency of each, round by round: a change is real when it wins most
rounds.

Usage: python bench/compare.py --base COMMIT [--workload s3|s3-plain|dynamodb|kinesis|kinesis-batch]
       [--calls 1500] [--rounds 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import servers  # bench/servers.py, beside this script
import workloads  # bench/workloads.py

CHECKOUT = Path(__file__).resolve().parent.parent

def _start(source: Path, work: Path) -> servers.Server:
    port = servers.free_port()
    state = Path(tempfile.mkdtemp(dir=work))
    env = dict(os.environ, PYTHONPATH=str(source))
    command = [sys.executable, "-m", "eventsim", "serve", "--port", str(port), "--state",
               str(state), "--log-level", "warning", "--runtime", "inline",
               "--load", str(work / "workloads.yaml")]
    # `python -m` puts the working directory first on sys.path, before PYTHONPATH: started
    # from a checkout, every server would run that checkout's code.
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, cwd=source)
    servers._wait_listening(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def _round(call: Callable[[int, int], None], url: str, round_number: int,
           calls: int) -> tuple[float, float]:
    for i in range(50):  # warm the connection and botocore's caches
        call(-round_number - 1, i)
    servers.settle(url)
    latencies: list[float] = []
    start = time.perf_counter()
    for i in range(calls):
        began = time.perf_counter()
        call(round_number, i)
        latencies.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    servers.settle(url)  # the next round starts with nothing left to deliver
    return calls / elapsed, statistics.median(latencies) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--workload", choices=workloads.WORKLOADS, default="s3")
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eventsim-bench-compare-"))
    workloads.write_resources(work)
    base = work / "base"
    subprocess.run(["git", "-C", str(CHECKOUT), "worktree", "add", "--detach", str(base),
                    args.base], check=True, capture_output=True)
    running: dict[str, servers.Server] = {}
    try:
        running = {"base": _start(base, work), "this": _start(CHECKOUT, work)}
        calls = {name: workloads.caller(args.workload, url) for name, (_, url) in running.items()}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in running}
        for n in range(args.rounds):
            order = list(running) if n % 2 == 0 else list(running)[::-1]
            for name in order:
                results[name].append(_round(calls[name], running[name][1], n, args.calls))
    finally:
        servers.stop(*(proc for proc, _ in running.values()))
        subprocess.run(["git", "-C", str(CHECKOUT), "worktree", "remove", "--force", str(base)],
                       check=False, capture_output=True)
    print(f"{args.workload}: {args.calls} sequential calls per round, {args.rounds} rounds, "
          f"base {args.base} against this checkout")
    for name, rows in results.items():
        rates = [rate for rate, _ in rows]
        latencies = [latency for _, latency in rows]
        print(f"  {name:5s} {statistics.median(rates):7,.0f} calls/s, median latency "
              f"{statistics.median(latencies):6,.0f} us  (rounds: "
              f"{', '.join(f'{x:.0f}' for x in rates)})")
    wins = sum(this[0] > base[0] for base, this in zip(results["base"], results["this"],
                                                      strict=True))
    print(f"  this checkout faster in {wins} of {args.rounds} rounds")


if __name__ == "__main__":
    main()
