"""Per-test cost of the pytest plugin's fresh, function-scoped ``eventsim`` fixture.

Prints median and p90, in milliseconds, of:

1. pytest's own account: a generated test file of N trivial tests that each take the
   ``eventsim`` fixture, run by pytest in a subprocess; the figure is each test's setup plus
   teardown time as pytest reports it (what the fixture adds to the test);
2. the same with a test that also takes ``eventsim_s3`` and makes one call (a boto3 client
   per test);
3. the fixture's work alone, in this process: `ThreadedSimulator` start + stop.

Target: under 25 ms per test for (1). The machine is shared; run it twice if it looks odd.

Usage: python bench/fixtures.py [--tests 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from eventsim.testing import ThreadedSimulator

COLLECTOR = textwrap.dedent('''
    import json, os
    import pytest

    _costs = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when in ("setup", "teardown"):
            _costs[item.nodeid] = _costs.get(item.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(session):
        with open(os.environ["EVENTSIM_BENCH_OUT"], "w") as out:
            json.dump(list(_costs.values()), out)
''')

BARE = '''
import pytest

@pytest.mark.parametrize("n", range({n}))
def test_fresh_simulator(eventsim, n):
    assert eventsim.url
'''

WITH_CLIENT = '''
import pytest

@pytest.mark.parametrize("n", range({n}))
def test_fresh_simulator_and_client(eventsim, eventsim_s3, n):
    eventsim_s3.create_bucket(Bucket="bench")
'''


def _figures(name: str, costs_ms: list[float]) -> None:
    costs_ms = sorted(costs_ms)
    p90 = costs_ms[min(len(costs_ms) - 1, int(len(costs_ms) * 0.9))]
    print(f"{name:<52} median {statistics.median(costs_ms):6.1f} ms   p90 {p90:6.1f} ms"
          f"   (n={len(costs_ms)})")


def through_pytest(name: str, source: str, tests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="eventsim-bench-fixtures-") as tmp:
        work = Path(tmp)
        (work / "conftest.py").write_text(COLLECTOR)
        (work / "test_bench.py").write_text(source.format(n=tests))
        out = work / "costs.json"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
             "-o", "asyncio_default_fixture_loop_scope=function", str(work)],
            cwd=work, env={**_env(), "EVENTSIM_BENCH_OUT": str(out)},
            capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:])
            raise SystemExit(f"{name}: pytest failed")
        costs = json.loads(out.read_text())
        # The first test pays for importing and loading botocore's models: report it apart.
        first, rest = costs[0] * 1000, [c * 1000 for c in costs[1:]]
        _figures(name, rest)
        print(f"{'':<52} first test {first:.0f} ms; whole run {wall:.1f} s")


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def in_process(runs: int) -> None:
    ThreadedSimulator().__enter__().stop()  # imports and first-time caches
    costs = []
    for _ in range(runs):
        started = time.perf_counter()
        sim = ThreadedSimulator()
        sim.start()
        sim.stop()
        costs.append((time.perf_counter() - started) * 1000)
    _figures("ThreadedSimulator start + stop (in process)", costs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=200)
    args = parser.parse_args()
    through_pytest("eventsim fixture, setup + teardown (pytest)", BARE, args.tests + 1)
    through_pytest("eventsim + eventsim_s3 + one call, setup + teardown", WITH_CLIENT,
                   args.tests + 1)
    in_process(args.tests)


if __name__ == "__main__":
    main()
