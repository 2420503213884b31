"""`eventsim serve` restarted on the same state keeps every Kinesis stream, shard and record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client


def _read_shard(kinesis: Any, stream: str, shard: str) -> list[dict[str, Any]]:
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    found: list[dict[str, Any]] = []
    while True:
        page = kinesis.get_records(ShardIterator=it)
        if not page["Records"]:
            return found
        found.extend(page["Records"])
        it = page["NextShardIterator"]


def test_killed_serve_restarts_with_streams_records_and_growing_sequence_numbers(
    tmp_path: Path,
) -> None:
    server = ServeProcess(tmp_path / "state")
    server.start()
    try:
        kinesis = boto3_client("kinesis", server.url)
        kinesis.create_stream(StreamName="orders", ShardCount=3)
        kinesis.add_tags_to_stream(StreamName="orders", Tags={"team": "data"})
        put = kinesis.put_records(StreamName="orders", Records=[
            {"Data": f"order {i}".encode(), "PartitionKey": f"customer-{i}"} for i in range(60)])
        before = {s: _read_shard(kinesis, "orders", s)
                  for s in ("shardId-000000000000", "shardId-000000000001",
                            "shardId-000000000002")}
        assert sum(len(v) for v in before.values()) == 60
        server.kill()  # no shutdown: every accepted put must already be on disk

        server.start()
        kinesis = boto3_client("kinesis", server.url)
        summary = kinesis.describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]
        assert summary["OpenShardCount"] == 3
        assert kinesis.list_tags_for_stream(StreamName="orders")["Tags"] == [
            {"Key": "team", "Value": "data"}]
        after = {s: _read_shard(kinesis, "orders", s) for s in before}
        assert after == before
        last = {r["ShardId"]: int(r["SequenceNumber"]) for r in put["Records"]}
        more = kinesis.put_records(StreamName="orders", Records=[
            {"Data": b"later", "PartitionKey": f"customer-{i}"} for i in range(60)])
        for record in more["Records"]:
            assert int(record["SequenceNumber"]) > last[record["ShardId"]]
    finally:
        server.stop()
