"""SQS event source mappings."""

import json
from pathlib import Path

import pytest

from eventsim import Simulator
from eventsim.errors import InvalidParameterValueException

HANDLERS = Path(__file__).parent / "handlers"


async def _queue(sim: Simulator, name: str, **attributes: str) -> tuple[str, str]:
    url = (await sim.sqs.create_queue(queue_name=name, attributes=attributes))["QueueUrl"]
    arn = (await sim.sqs.get_queue_attributes(
        queue_url=url, attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
    return url, arn


async def _bodies(sim: Simulator, function: str) -> list[list[str]]:
    return [[r["body"] for r in i.event["Records"]]
            for i in await sim.invocations.list(function=function)]


@pytest.mark.asyncio
async def test_messages_reach_the_function_parse_with_powertools_and_are_deleted(
    sim: Simulator,
) -> None:
    await sim.functions.create_function(name="f", handler="streams.sqs_powertools",
                                        code_dir=HANDLERS)
    url, arn = await _queue(sim, "jobs")
    answer = await sim.mappings.create_event_source_mapping(function_name="f",
                                                            event_source_arn=arn)
    assert (answer["BatchSize"], answer["StateTransitionReason"]) == (10, "USER_INITIATED")
    assert "StartingPosition" not in answer and "MaximumRetryAttempts" not in answer
    for i in range(3):
        await sim.sqs.send_message(queue_url=url, message_body=f"m{i}")
    await sim.settle()
    delivered = [r for i in await sim.invocations.list(function="f") for r in i.response]
    assert sorted(d["body"] for d in delivered) == ["m0", "m1", "m2"]
    assert [d["count"] for d in delivered] == ["1", "1", "1"]  # strings, as AWS sends them
    record = (await sim.invocations.list(function="f"))[0].event["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    left = await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["All"])
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


@pytest.mark.asyncio
async def test_a_failing_message_goes_to_the_redrive_dead_letter_queue(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.sqs_fail_bad",
                                        code_dir=HANDLERS)
    dlq_url, dlq_arn = await _queue(sim, "jobs-dlq")
    url, arn = await _queue(sim, "jobs", VisibilityTimeout="30", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}))
    await sim.mappings.create_event_source_mapping(function_name="f", event_source_arn=arn,
                                                   batch_size=1)
    await sim.sqs.send_message(queue_url=url, message_body="bad")
    await sim.sqs.send_message(queue_url=url, message_body="good")
    await sim.settle()
    bodies = await _bodies(sim, "f")
    assert bodies.count(["bad"]) == 3 and bodies.count(["good"]) == 1
    moved = await sim.sqs.receive_message(queue_url=dlq_url)
    assert [m["Body"] for m in moved["Messages"]] == ["bad"]


@pytest.mark.asyncio
async def test_powertools_partial_batch_response_retries_only_the_failed_messages(
    sim: Simulator,
) -> None:
    await sim.functions.create_function(name="f", handler="streams.sqs_powertools_batch",
                                        code_dir=HANDLERS)
    dlq_url, dlq_arn = await _queue(sim, "jobs-dlq")
    url, arn = await _queue(sim, "jobs", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn,
        function_response_types=["ReportBatchItemFailures"], scaling_config={
            "MaximumConcurrency": 2})
    await sim.sqs.send_message_batch(queue_url=url, entries=[
        {"Id": str(i), "MessageBody": body} for i, body in enumerate(["a", "bad-b", "c"])])
    await sim.settle()
    bodies = await _bodies(sim, "f")
    assert sorted(bodies[0]) == ["a", "bad-b", "c"]
    assert bodies[1:] == [["bad-b"]]
    moved = await sim.sqs.receive_message(queue_url=dlq_url)
    assert [m["Body"] for m in moved["Messages"]] == ["bad-b"]


@pytest.mark.asyncio
async def test_fifo_messages_arrive_in_group_order(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.sqs_powertools",
                                        code_dir=HANDLERS)
    url, arn = await _queue(sim, "jobs.fifo", FifoQueue="true",
                            ContentBasedDeduplication="true")
    await sim.mappings.create_event_source_mapping(function_name="f", event_source_arn=arn,
                                                   batch_size=3)
    for i in range(12):
        await sim.sqs.send_message(queue_url=url, message_body=f"{'ab'[i % 2]}{i}",
                                   message_group_id="ab"[i % 2])
    await sim.settle()
    delivered = [r for i in await sim.invocations.list(function="f") for r in i.response]
    for group in "ab":
        bodies = [d["body"] for d in delivered if d["group"] == group]
        assert bodies == [f"{group}{i}" for i in range(12) if "ab"[i % 2] == group]


@pytest.mark.asyncio
async def test_filtered_out_messages_are_deleted_without_an_invocation(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    url, arn = await _queue(sim, "jobs")
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, filter_criteria={"Filters": [
            {"Pattern": json.dumps({"body": {"kind": ["order"]}})}]})
    await sim.sqs.send_message(queue_url=url, message_body=json.dumps({"kind": "order"}))
    await sim.sqs.send_message(queue_url=url, message_body=json.dumps({"kind": "spam"}))
    await sim.sqs.send_message(queue_url=url, message_body="plain text")
    await sim.settle()
    assert [[json.loads(b)["kind"] for b in batch] for batch in await _bodies(sim, "f")] == [
        ["order"]]
    left = await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["All"])
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


@pytest.mark.asyncio
async def test_sqs_batch_rules(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    _, arn = await _queue(sim, "jobs")
    with pytest.raises(InvalidParameterValueException, match="Maximum batch window"):
        await sim.mappings.create_event_source_mapping(function_name="f", event_source_arn=arn,
                                                       batch_size=100)
    with pytest.raises(InvalidParameterValueException, match="NonExistentQueue"):
        await sim.mappings.create_event_source_mapping(function_name="f",
                                                       event_source_arn=arn + "-nope")


@pytest.mark.asyncio
async def test_queue_visibility_must_cover_the_function_timeout(sim: Simulator) -> None:
    await sim.functions.create_function(name="slow", handler="streams.ok", code_dir=HANDLERS,
                                        timeout=60)
    _, arn = await _queue(sim, "jobs")
    with pytest.raises(InvalidParameterValueException,
                       match="Queue visibility timeout: 30 seconds is less than Function "
                             "timeout: 60 seconds"):
        await sim.mappings.create_event_source_mapping(function_name="slow",
                                                       event_source_arn=arn)
