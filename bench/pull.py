"""Pull-model throughput: Kinesis PutRecords -> event source mapping (BatchSize 100) -> handler.

Prints records per second delivered from a Kinesis stream through a mapping to a trivial
inline handler, with the stream's records and the mapping's state in a SQLite file: every batch
is an invocation recorded, with its checkpoint, in SQLite. The records are put first (not
timed), then the mapping is created and timed until the last record's batch is recorded.

For comparison, the same run measures the batched SQLite insert rate on this machine: rows of
the size of a record inserted with executemany in transactions of 100.

Usage: python bench/pull.py [--records 100000] [--shards 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from eventsim import Simulator, SimulatorConfig

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-pull-"))
HANDLER_DIR = WORK / "sink"
HANDLER_DIR.mkdir()
(HANDLER_DIR / "sink.py").write_text(textwrap.dedent("""
    def handler(event, context):
        return None
"""))
PAYLOAD = b'{"user": "u-0001", "action": "click", "page": "/home"}'


async def _pull_round(records: int, shards: int, round_no: int) -> float:
    db = WORK / f"pull-{round_no}.db"
    async with Simulator(SimulatorConfig(db=str(db))) as sim:
        await sim.functions.create_function(name="sink", handler="sink.handler",
                                            code_dir=HANDLER_DIR)
        await sim.kinesis.create_stream(stream_name="clicks", shard_count=shards)
        for start in range(0, records, 500):
            await sim.kinesis.put_records(stream_name="clicks", records=[
                {"Data": PAYLOAD, "PartitionKey": f"k{i}"}
                for i in range(start, min(records, start + 500))])
        began = time.perf_counter()
        await sim.mappings.create_event_source_mapping(
            function_name="sink", event_source_arn=sim.kinesis.stream_arn("clicks"),
            starting_position="TRIM_HORIZON", batch_size=100)
        await sim.settle(timeout=600)
        elapsed = time.perf_counter() - began
        delivered = sum(len(i.event["Records"]) for i in await sim.invocations.list())
        assert delivered == records, (delivered, records)
    return records / elapsed


def _insert_rate(rows: int) -> float:
    """Rows/s for executemany of record-sized rows, 100 per transaction, in a WAL file."""
    path = WORK / "insert.db"
    for leftover in WORK.glob("insert.db*"):
        leftover.unlink()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, data BLOB)")
    body = os.urandom(len(PAYLOAD))
    began = time.perf_counter()
    for start in range(0, rows, 100):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t (k, data) VALUES (?, ?)",
                         [(f"k{i}", body) for i in range(start, start + 100)])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - began
    conn.close()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pulls, inserts = [], []
    for n in range(args.rounds):
        pulls.append(asyncio.run(_pull_round(args.records, args.shards, n)))
        inserts.append(_insert_rate(args.records))
        print(f"round {n + 1}: {pulls[-1]:,.0f} records/s through the mapping; "
              f"{inserts[-1]:,.0f} rows/s batched SQLite inserts")
    print(f"pull (Kinesis -> mapping, BatchSize 100 -> inline handler), median: "
          f"{statistics.median(pulls):,.0f} records/s")
    print(f"batched SQLite inserts (100 per transaction), median: "
          f"{statistics.median(inserts):,.0f} rows/s")


if __name__ == "__main__":
    main()
