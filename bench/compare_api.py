"""Is the Python API faster? `bench/push.py`'s API run on another commit and on this checkout,
alternately.

Each round runs the push benchmark's API part (S3 puts in bursts of 500 -> a trivial inline
handler, durable outbox) once for the code of ``--base`` (a detached worktree of that commit)
and once for this checkout, each in a fresh process, in alternating order. The benchmark code
itself is this checkout's in both, so only the engine differs. It prints events per second and
CPU time per event (all threads) round by round: on this shared machine, single runs drift by
20% and more, and a change is real when it wins most rounds.

Usage: python bench/compare_api.py --base COMMIT [--events 10000] [--rounds 8]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

import push  # bench/push.py, beside this script

CHECKOUT = Path(__file__).resolve().parent.parent

def _run(source: Path, events: int) -> tuple[float, float]:
    """Events per second and CPU seconds per event of one run with `source`'s engine."""
    rate, _, cpu = push.api_run(events, engine=source)
    return rate, sum(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="eventsim-bench-compare-api-")) / "base"
    subprocess.run(["git", "-C", str(CHECKOUT), "worktree", "add", "--detach", str(base),
                    args.base], check=True, capture_output=True)
    sources = {"base": base, "this": CHECKOUT}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
    try:
        for n in range(args.rounds):
            order = list(sources) if n % 2 == 0 else list(sources)[::-1]
            for name in order:
                results[name].append(_run(sources[name], args.events))
            print(f"  round {n + 1}: " + ", ".join(
                f"{name} {results[name][-1][0]:,.0f} events/s "
                f"{results[name][-1][1] * 1e6:.0f} us CPU/event" for name in sources),
                flush=True)
    finally:
        subprocess.run(["git", "-C", str(CHECKOUT), "worktree", "remove", "--force", str(base)],
                       check=False, capture_output=True)
    print(f"API push, {args.events} events per run, {args.rounds} rounds, base {args.base} "
          "against this checkout")
    for name, rows in results.items():
        print(f"  {name:5s} {statistics.median(r for r, _ in rows):7,.0f} events/s, "
              f"{statistics.median(c for _, c in rows) * 1e6:5.0f} us CPU per event (medians)")
    faster = sum(t[0] > b[0] for b, t in zip(results["base"], results["this"], strict=True))
    leaner = sum(t[1] < b[1] for b, t in zip(results["base"], results["this"], strict=True))
    print(f"  this checkout faster in {faster} of {args.rounds} rounds, "
          f"less CPU per event in {leaner}")


if __name__ == "__main__":
    main()
