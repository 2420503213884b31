"""The topology picture: sources, wiring, functions and where failures go."""

from __future__ import annotations

import pytest

from .conftest import ECHO, Console, chain


@pytest.mark.asyncio
async def test_topology_draws_notifications_subscriptions_mappings_and_destinations(
    console: Console,
) -> None:
    sim = console.sim
    await chain(console)
    dlq = (await sim.sqs.create_queue(queue_name="dead"))["QueueUrl"]
    dlq_arn = (await sim.sqs.get_queue_attributes(queue_url=dlq, attribute_names=["QueueArn"])
               )["Attributes"]["QueueArn"]
    work = (await sim.sqs.create_queue(queue_name="work", attributes={
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"2"}}'}))[
        "QueueUrl"]
    work_arn = (await sim.sqs.get_queue_attributes(queue_url=work, attribute_names=["QueueArn"])
                )["Attributes"]["QueueArn"]
    topic = (await sim.sns.create_topic(name="alerts"))["TopicArn"]
    await sim.sns.subscribe(topic_arn=topic, protocol="sqs", endpoint=work_arn)
    await sim.functions.create_function(name="echo", handler="app.lambda_handler",
                                        code_dir=ECHO, on_failure=dlq_arn)
    await sim.kinesis.create_stream(stream_name="clicks", shard_count=1)
    await sim.mappings.create_event_source_mapping(
        function_name="echo", event_source_arn=sim.kinesis.stream_arn("clicks"),
        starting_position="LATEST")
    graph = await console.get("api/topology")
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    edges = {(e["from"], e["to"], e["kind"]) for e in graph["edges"]}
    assert kinds["arn:aws:s3:::uploads"] == "bucket"
    assert kinds[sim.functions.arn("resize")] == "function"
    assert kinds[topic] == "topic" and kinds[work_arn] == "queue"
    assert kinds[sim.kinesis.stream_arn("clicks")] == "stream"
    assert ("arn:aws:s3:::uploads", sim.functions.arn("resize"), "notification") in edges
    assert ("arn:aws:s3:::thumbnails", sim.functions.arn("index"), "notification") in edges
    assert (topic, work_arn, "subscription") in edges
    assert (work_arn, dlq_arn, "redrive") in edges
    assert (sim.functions.arn("echo"), dlq_arn, "on_failure") in edges
    assert (sim.kinesis.stream_arn("clicks"), sim.functions.arn("echo"), "mapping") in edges
    ends = {e["from"] for e in graph["edges"]} | {e["to"] for e in graph["edges"]}
    assert ends <= set(kinds)
