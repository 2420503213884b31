"""Event source mappings driven the way a user drives them: boto3's Lambda client against the
gateway creates, reads, disables and deletes a Kinesis mapping, and records put with boto3's
Kinesis client reach the function in batches, in order per shard."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "lambda_handlers"


@pytest.fixture
def sim() -> Any:
    with ThreadedSimulator() as running:
        yield running


def _delivered(sim: ThreadedSimulator, function: str) -> list[str]:
    keys: list[str] = []
    for invocation in sim.invocations.list(function=function):
        assert invocation.status == "Success", invocation
        event = json.loads(invocation.payload)
        keys.extend(base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"])
    return keys


def test_kinesis_mapping_created_with_boto3_delivers_every_record_in_batches(sim: Any) -> None:
    sim.functions.create_function(name="clicks", handler="app.echo", code_dir=HANDLERS)
    kinesis, lam = sim.client("kinesis"), sim.client("lambda")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName="clicks")[
        "StreamDescriptionSummary"]["StreamARN"]
    mapping = lam.create_event_source_mapping(
        FunctionName="clicks", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        BatchSize=10,
    )
    assert mapping["State"] == "Creating"
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionArn"].endswith(":function:clicks")
    kinesis.put_records(StreamName="clicks", Records=[
        {"Data": f"click-{i:02d}".encode(), "PartitionKey": "user"} for i in range(25)])
    sim.settle()
    assert _delivered(sim, "clicks") == [f"click-{i:02d}" for i in range(25)]
    assert [len(json.loads(i.payload)["Records"])
            for i in sim.invocations.list(function="clicks")] == [10, 10, 5]

    got = lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert (got["State"], got["LastProcessingResult"]) == ("Enabled", "OK")
    listed = lam.list_event_source_mappings(FunctionName="clicks")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    sim.settle()
    kinesis.put_record(StreamName="clicks", Data=b"while-disabled", PartitionKey="user")
    sim.settle()
    assert len(_delivered(sim, "clicks")) == 25
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    sim.settle()
    assert _delivered(sim, "clicks")[-1] == "while-disabled"

    assert lam.delete_event_source_mapping(UUID=mapping["UUID"])["State"] == "Deleting"
    with pytest.raises(ClientError) as raised:
        lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
