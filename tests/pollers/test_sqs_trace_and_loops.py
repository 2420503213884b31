"""Traces through SQS (AWSTraceHeader) and Lambda's recursive loop detection on a queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventsim.config import SimulatorConfig
from eventsim.server import Server

CODE = Path(__file__).parent.parent.parent / "fixtures" / "functions" / "requeue"


@pytest.mark.asyncio
async def test_a_function_that_sends_to_its_own_queue_is_stopped_after_16_hops() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        sim = server.sim
        queue = await sim.sqs.create_queue(queue_name="work")
        arn = (await sim.sqs.get_queue_attributes(
            queue_url=queue["QueueUrl"], attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
        await sim.functions.create_function(name="requeue", handler="app.requeue",
                                            code_dir=CODE)
        await sim.mappings.create_event_source_mapping(function_name="requeue",
                                                       event_source_arn=arn, batch_size=1)
        await sim.sqs.send_message(queue_url=queue["QueueUrl"], message_body="again")
        await sim.settle()
        # A lane may record the stop before the invocation that sent the message is recorded.
        records = sorted(await sim.invocations.list(function="requeue"), key=lambda r: r.hop)
        left = await sim.sqs.get_queue_attributes(
            queue_url=queue["QueueUrl"], attribute_names=["All"])
        trace = await sim.trace(records[0].trace_id)

    assert [r.status for r in records] == ["Success"] * 16 + ["LoopDetected"]
    assert [r.hop for r in records] == list(range(17))
    assert len({r.trace_id for r in records}) == 1
    assert "RecursiveInvocationException" == records[-1].error["errorType"]
    # The trace runs invocation -> its SendMessage -> the next invocation, 16 deep.
    assert trace.depth == 17
    deepest = max(trace.invocations, key=lambda n: n.hop)
    kinds = [n.kind for n in trace.path_to(deepest.id)]
    assert kinds == ["origin"] + ["invocation", "write"] * 16 + ["invocation"]
    # No dead-letter queue: the looping message is dropped, not redelivered forever.
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


@pytest.mark.asyncio
async def test_a_looping_message_goes_to_the_queues_dead_letter_queue() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        sim = server.sim
        dlq = await sim.sqs.create_queue(queue_name="work-dlq")
        dlq_arn = (await sim.sqs.get_queue_attributes(
            queue_url=dlq["QueueUrl"], attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
        queue = await sim.sqs.create_queue(queue_name="work", attributes={
            "VisibilityTimeout": "5",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        })
        arn = (await sim.sqs.get_queue_attributes(
            queue_url=queue["QueueUrl"], attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
        await sim.functions.create_function(name="requeue", handler="app.requeue",
                                            code_dir=CODE)
        await sim.mappings.create_event_source_mapping(function_name="requeue",
                                                       event_source_arn=arn, batch_size=1)
        await sim.sqs.send_message(queue_url=queue["QueueUrl"], message_body="again")
        await sim.settle()
        records = await sim.invocations.list(function="requeue")
        moved = await sim.sqs.receive_message(queue_url=dlq["QueueUrl"],
                                              attribute_names=["All"])

    assert [r.status for r in records].count("Success") == 16
    # Stopped at each of the two receives its redrive policy allows, then moved.
    assert [r.status for r in records].count("LoopDetected") == 2
    [message] = moved["Messages"]
    assert message["Body"] == "again"
    assert "AWSTraceHeader" in message["Attributes"]


@pytest.mark.asyncio
async def test_a_topic_publish_from_a_handler_links_the_queue_consumer_into_its_trace() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        sim = server.sim
        topic = (await sim.sns.create_topic(name="news"))["TopicArn"]
        queue = await sim.sqs.create_queue(queue_name="inbox")
        arn = (await sim.sqs.get_queue_attributes(
            queue_url=queue["QueueUrl"], attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
        await sim.sns.subscribe(topic_arn=topic, protocol="sqs", endpoint=arn,
                                attributes={"RawMessageDelivery": "true"})
        await sim.functions.create_function(name="announce", handler="app.announce",
                                            code_dir=CODE, environment={"TOPIC_ARN": topic})
        await sim.functions.create_function(name="consume", handler="app.consume",
                                            code_dir=CODE)
        await sim.mappings.create_event_source_mapping(function_name="consume",
                                                       event_source_arn=arn)
        await sim.functions.invoke("announce", {})
        await sim.settle()
        [announced] = await sim.invocations.list(function="announce")
        [consumed] = await sim.invocations.list(function="consume")
        trace = await sim.trace(announced.trace_id)

    assert consumed.trace_id == announced.trace_id
    assert consumed.parent_span == announced.span_id
    assert consumed.hop == 1
    assert json.loads(consumed.payload)["Records"][0]["attributes"]["AWSTraceHeader"]
    assert trace.functions == ["announce", "consume"]
    [node] = [n for n in trace.invocations if n.function == "consume"]
    assert [n.kind for n in trace.path_to(node.id)] == ["origin", "invocation", "write",
                                                        "invocation"]
