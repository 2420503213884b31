"""A Kinesis mapping killed ten times at random moments loses no record and replays only the
batches in flight at a kill (issue 4's crash-safety Must-show): once with `eventsim serve`
(records put with boto3 through the gateway, the mapping from a scenario's ``Type: Kinesis``
event), once with a bare simulator in a child process (the engine alone)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client

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


def _check(log: Path) -> int:
    """Every record delivered, each shard in order, duplicates only replays of the batch in
    flight (the one before on that shard); returns how many replays there were."""
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
        highest[shard] = max(highest.get(shard, 0), numbers[-1])
        last[shard] = records
    return replays


def _wait_for_all(log: Path) -> None:
    deadline = time.monotonic() + 180
    while len(_seen(log)) < TOTAL:
        assert time.monotonic() < deadline, f"{len(_seen(log))} of {TOTAL} delivered"
        time.sleep(0.1)  # sleep-ok: polling a child process's progress


@pytest.mark.slow
def test_killed_serve_delivers_every_record_and_replays_only_batches_in_flight(
    tmp_path: Path,
) -> None:
    log = tmp_path / "batches.log"
    scenario = tmp_path / "mapping.yaml"
    scenario.write_text(f"""
name: crash
resources:
  streams: [{{name: clicks, shards: 4}}]
functions:
  sink:
    Handler: sink.handler
    CodeUri: {HERE / "functions" / "batch_log"}
    Timeout: 30
    Environment: {{Variables: {{BATCH_LOG: {log}}}}}
    Events:
      clicks:
        Type: Kinesis
        Properties: {{Stream: clicks, StartingPosition: TRIM_HORIZON, BatchSize: 100}}
""")
    # The records first (the stream as the scenario will find it), then the mapping: every
    # kill below lands while it works through them.
    server = ServeProcess(tmp_path / "state")
    server.start()
    try:
        kinesis = boto3_client("kinesis", server.url)
        kinesis.create_stream(StreamName="clicks", ShardCount=4)
        for start in range(0, TOTAL, 500):
            kinesis.put_records(StreamName="clicks", Records=[
                {"Data": str(i).encode(), "PartitionKey": f"key-{i % 1009}"}
                for i in range(start, start + 500)])
    finally:
        server.stop()
    server = ServeProcess(tmp_path / "state", load=scenario)
    server.start()
    rng = random.Random(7)
    busy_kills = 0
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.02, 0.15))  # sleep-ok: a kill at a random moment
            busy_kills += len(_seen(log)) < TOTAL
            server.kill()
            server.start()
        _wait_for_all(log)
    finally:
        server.stop()
    assert busy_kills >= KILLS // 2  # most kills hit the mapping at work
    assert _check(log) >= 1  # some kill did catch a batch in flight


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
        _wait_for_all(log)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _check(log) <= KILLS * 4
