"""A Kinesis mapping killed ten times at random moments loses no record and replays only the
batches in flight at a kill (issue 4's crash-safety Must-show, on the engine: the simulator
runs in a child process on a database file and is SIGKILLed; see the report for the same
test through `eventsim serve`, which needs the Lambda API's ESM operations on the gateway)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TOTAL = 100_000
KILLS = 10


def _start(db: Path, log: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(HERE / "mapping_worker.py"), str(db), str(log),
                             str(TOTAL)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _batches(log: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    found = []
    for line in log.read_text().splitlines():
        try:
            shard, records = json.loads(line)
        except ValueError:
            continue  # a line cut by a kill mid-write
        found.append((shard, [(int(seq), int(data)) for seq, data in records]))
    return found


def _seen(log: Path) -> set[int]:
    return {data for _, records in _batches(log) for _, data in records} if log.exists() \
        else set()


@pytest.mark.slow
def test_killed_mapping_delivers_every_record_and_replays_only_batches_in_flight(
    tmp_path: Path,
) -> None:
    db, log = tmp_path / "state.db", tmp_path / "batches.log"
    rng = random.Random(4)
    proc = _start(db, log)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.6))  # sleep-ok: a kill at a random moment
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc = _start(db, log)
        deadline = time.monotonic() + 180
        while len(_seen(log)) < TOTAL:
            assert time.monotonic() < deadline, f"{len(_seen(log))} of {TOTAL} delivered"
            time.sleep(0.1)  # sleep-ok: polling a child process's progress
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    batches = _batches(log)
    assert _seen(log) == set(range(TOTAL))
    last: dict[str, list[tuple[int, int]]] = {}
    highest: dict[str, int] = {}
    replays = 0
    for shard, records in batches:
        numbers = [seq for seq, _ in records]
        assert numbers == sorted(numbers)
        if shard in highest and numbers[0] <= highest[shard]:
            # A replay: it starts where the batch before it on this shard started (that batch
            # was in flight at a kill, so its checkpoint never moved).
            assert numbers[0] == last[shard][0][0]
            replays += 1
        else:
            assert shard not in highest or numbers[0] > highest[shard]
        highest[shard] = max(highest.get(shard, 0), numbers[-1])
        last[shard] = records
    assert replays <= KILLS * 4
