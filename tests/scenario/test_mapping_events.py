"""Scenario files with event source mappings (SAM's ``Type: Kinesis`` and ``Type: SQS``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.errors import ConfigError
from eventsim.scenario import parse_scenario
from eventsim.scenario.runner import apply_resources

HANDLERS = Path(__file__).parent.parent / "pollers" / "handlers"

SCENARIO = f"""
name: clicks
clock: virtual
resources:
  streams: [{{name: clicks, shards: 2}}, audit]
functions:
  sink:
    Handler: streams.ok
    CodeUri: {HANDLERS}
    Events:
      clicks:
        Type: Kinesis
        Properties:
          Stream: {{Ref: clicks}}
          StartingPosition: TRIM_HORIZON
          BatchSize: 10
          BisectBatchOnFunctionError: true
          FunctionResponseTypes: [ReportBatchItemFailures]
          FilterCriteria: {{Filters: [{{Pattern: '{{"data": {{"ok": [true]}}}}'}}]}}
"""


@pytest.mark.asyncio
async def test_kinesis_event_becomes_a_mapping_once() -> None:
    scenario = parse_scenario(SCENARIO)
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, scenario)
        await apply_resources(sim, scenario)  # as `serve --load` does after a restart
        [mapping] = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"]
        assert mapping["EventSourceArn"] == sim.kinesis.stream_arn("clicks")
        assert (mapping["BatchSize"], mapping["BisectBatchOnFunctionError"]) == (10, True)
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["FilterCriteria"] == {
            "Filters": [{"Pattern": '{"data": {"ok": [true]}}'}]}
        shards = await sim.kinesis.list_shards(stream_name="clicks")
        assert len(shards["Shards"]) == 2
        assert len((await sim.kinesis.list_shards(stream_name="audit"))["Shards"]) == 1
        await sim.kinesis.put_records(stream_name="clicks", records=[
            {"Data": b'{"ok": true}', "PartitionKey": "a"},
            {"Data": b'{"ok": false}', "PartitionKey": "a"}])
        await sim.settle()
        [invocation] = await sim.invocations.list(function="sink")
        assert len(invocation.event["Records"]) == 1


def test_a_kinesis_event_names_a_known_stream() -> None:
    with pytest.raises(ConfigError, match=r"no stream nope in resources\.streams"):
        parse_scenario(SCENARIO.replace("{Ref: clicks}", "nope"))


SQS_SCENARIO = f"""
name: jobs
clock: virtual
resources:
  queues: [jobs, ordered.fifo]
functions:
  worker:
    Handler: streams.ok
    CodeUri: {HANDLERS}
    Events:
      jobs:
        Type: SQS
        Properties:
          Queue: {{Ref: jobs}}
          BatchSize: 5
          FunctionResponseTypes: [ReportBatchItemFailures]
          ScalingConfig: {{MaximumConcurrency: 2}}
      ordered:
        Type: SQS
        Properties: {{Queue: ordered.fifo}}
"""


@pytest.mark.asyncio
async def test_sqs_events_become_mappings_and_deliver() -> None:
    scenario = parse_scenario(SQS_SCENARIO)
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, scenario)
        await apply_resources(sim, scenario)
        mappings = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"]
        by_queue = {m["EventSourceArn"].rpartition(":")[2]: m for m in mappings}
        assert set(by_queue) == {"jobs", "ordered.fifo"}
        assert by_queue["jobs"]["BatchSize"] == 5
        assert by_queue["jobs"]["ScalingConfig"] == {"MaximumConcurrency": 2}
        url = sim.sqs.url_of("jobs")
        await sim.sqs.send_message(queue_url=url, message_body="hello")
        await sim.settle()
        [invocation] = await sim.invocations.list(function="worker")
        assert invocation.event["Records"][0]["body"] == "hello"


def test_an_sqs_event_names_a_known_queue() -> None:
    with pytest.raises(ConfigError, match=r"no queue nope in resources\.queues"):
        parse_scenario(SQS_SCENARIO.replace("{Ref: jobs}", "nope"))
