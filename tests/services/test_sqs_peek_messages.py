"""SqsService.peek_messages: a queue's messages as they lie, without receiving any."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig
from eventsim.clock import VirtualClock


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def _queue(sim: Simulator, name: str = "q", **attributes: str) -> str:
    return str((await sim.sqs.create_queue(queue_name=name, attributes=attributes))["QueueUrl"])


@pytest.mark.asyncio
async def test_peek_messages_shows_visible_in_flight_and_delayed_in_arrival_order(
    sim: Simulator,
) -> None:
    url = await _queue(sim)
    await sim.sqs.send_message(queue_url=url, message_body="first")
    await sim.sqs.send_message(queue_url=url, message_body="second")
    await sim.sqs.send_message(queue_url=url, message_body="later", delay_seconds=30)
    await sim.sqs.receive_message(queue_url=url)  # takes "first" in flight
    messages = (await sim.sqs.peek_messages(queue_url=url))["Messages"]
    assert [(m["Body"], m["State"]) for m in messages] == [
        ("first", "InFlight"), ("second", "Visible"), ("later", "Delayed")]
    assert messages[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "ReceiptHandle" not in messages[0]


@pytest.mark.asyncio
async def test_peek_messages_receives_nothing_so_a_redrive_policy_never_moves_them(
    sim: Simulator,
) -> None:
    dlq = await _queue(sim, "dlq")
    arn = (await sim.sqs.get_queue_attributes(queue_url=dlq, attribute_names=["QueueArn"]))[
        "Attributes"]["QueueArn"]
    url = await _queue(sim, "jobs", RedrivePolicy=f'{{"deadLetterTargetArn": "{arn}", '
                                                  '"maxReceiveCount": 1}')
    await sim.sqs.send_message(queue_url=url, message_body="job",
                               message_attributes={"kind": {"DataType": "String",
                                                            "StringValue": "a"}})
    for _ in range(3):
        peeked = (await sim.sqs.peek_messages(queue_url=url))["Messages"]
    assert peeked[0]["Attributes"]["ApproximateReceiveCount"] == "0"
    assert peeked[0]["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "a"}}
    received = (await sim.sqs.receive_message(queue_url=url, message_attribute_names=["All"]))[
        "Messages"]
    assert received[0]["MessageId"] == peeked[0]["MessageId"]
    assert received[0]["MD5OfMessageAttributes"] == peeked[0]["MD5OfMessageAttributes"]
    assert (await sim.sqs.peek_messages(queue_url=dlq))["Messages"] == []


@pytest.mark.asyncio
async def test_peek_messages_leaves_out_expired_messages_and_honours_the_limit(
    sim: Simulator,
) -> None:
    url = await _queue(sim, MessageRetentionPeriod="60")
    await sim.sqs.send_message(queue_url=url, message_body="old")
    clock = sim.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(61)
    for body in ("a", "b", "c"):
        await sim.sqs.send_message(queue_url=url, message_body=body)
    bodies = [m["Body"] for m in (await sim.sqs.peek_messages(
        queue_url=url, max_number_of_messages=2))["Messages"]]
    assert bodies == ["a", "b"]


@pytest.mark.asyncio
async def test_peek_messages_of_an_unknown_queue_is_queue_does_not_exist(sim: Simulator) -> None:
    with pytest.raises(AwsError) as exc:
        await sim.sqs.peek_messages(
            queue_url="http://sqs.us-east-1.localhost:4566/000000000000/nope")
    assert exc.value.code == "QueueDoesNotExist"
