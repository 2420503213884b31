"""What the gateway benches drive against `eventsim serve`: the resources it loads, and one
sequential boto3 call of each workload (`bench/compare.py`, `bench/gateway_stages.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsim.testing import boto3_client

__all__ = ["WORKLOADS", "caller", "write_resources"]

WORKLOADS = ("s3", "s3-plain", "dynamodb", "kinesis", "kinesis-batch")
"""PutObject into a bucket that notifies a function, into one that notifies nothing,
PutItem into a table with a stream, PutRecord into a stream of four shards, and PutRecords of
500 records into it."""

_SCENARIO = """\
name: workloads
resources:
  buckets: [notified, plain]
functions:
  sink:
    Handler: sink.handler
    CodeUri: {code}
    Events:
      created:
        Type: S3
        Properties: {{Bucket: notified, Events: "s3:ObjectCreated:*"}}
"""

_TABLE: dict[str, Any] = {
    "TableName": "workloads",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def write_resources(work: Path) -> Path:
    """A trivial handler and the scenario that loads it with the buckets, in `work`; the
    scenario's path (for ``eventsim serve --load``)."""
    (work / "sink.py").write_text("def handler(event, context):\n    return None\n")
    scenario = work / "workloads.yaml"
    scenario.write_text(_SCENARIO.format(code=json.dumps(str(work))))
    return scenario


def caller(name: str, url: str) -> Callable[[int, int], None]:
    """One call of workload `name` against `url`, as ``call(round, index)``; makes the table
    or stream it needs first (a trivial server answers ``{}`` to the listing: nothing yet)."""
    if name == "dynamodb":
        ddb = boto3_client("dynamodb", url)
        if _TABLE["TableName"] not in ddb.list_tables().get("TableNames", []):
            ddb.create_table(**_TABLE)
        return lambda r, i: ddb.put_item(
            TableName="workloads", Item={"pk": {"S": f"{r}-{i}"}, "n": {"N": "1"}})
    if name in ("kinesis", "kinesis-batch"):
        kinesis = boto3_client("kinesis", url)
        if "workloads" not in kinesis.list_streams().get("StreamNames", []):
            kinesis.create_stream(StreamName="workloads", ShardCount=4)
            if "StreamDescription" in kinesis.describe_stream(StreamName="workloads"):
                # (A trivial server describes nothing: its waiter would wait for minutes.)
                kinesis.get_waiter("stream_exists").wait(StreamName="workloads")
        if name == "kinesis-batch":
            return lambda r, i: kinesis.put_records(StreamName="workloads", Records=[
                {"Data": b"x" * 128, "PartitionKey": f"{r}-{i}-{j}"} for j in range(500)])
        return lambda r, i: kinesis.put_record(
            StreamName="workloads", Data=b"x" * 128, PartitionKey=f"{r}-{i}")
    s3 = boto3_client("s3", url)
    bucket = "plain" if name == "s3-plain" else "notified"
    return lambda r, i: s3.put_object(Bucket=bucket, Key=f"{r}/{i}", Body=b"x" * 128)
