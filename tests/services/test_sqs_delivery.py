"""SQS as a delivery target: the dispatcher's ``queue`` rows become messages."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig
from eventsim.store.outbox import OutboxRow, add_outbox_row

ARN = "arn:aws:sqs:us-east-1:000000000000:events"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def all_messages(sim: Simulator, url: str) -> list[dict]:
    got: list[dict] = []
    while True:
        batch = (await sim.sqs.receive_message(
            queue_url=url, max_number_of_messages=10, message_attribute_names=["All"],
            message_system_attribute_names=["All"])).get("Messages", [])
        if not batch:
            return got
        got.extend(batch)


async def outbox(sim: Simulator, target: str, payload: dict) -> None:
    row = OutboxRow(target_kind="queue", target=target, payload=json.dumps(payload),
                    cause=json.dumps({"trace_id": "t", "source": "test", "parent_span": None,
                                      "hop": 0}),
                    created_at=sim.clock.time())
    await sim.db.write(lambda c: add_outbox_row(c, row))
    sim.ctx.wake_dispatcher()
    await sim.settle()


@pytest.mark.asyncio
async def test_s3_queue_notification_delivers_the_event_json_as_the_body(sim: Simulator) -> None:
    url = (await sim.sqs.create_queue(queue_name="events"))["QueueUrl"]
    await sim.s3.create_bucket(bucket="uploads")
    await sim.s3.put_bucket_notification_configuration(
        bucket="uploads",
        notification_configuration={"QueueConfigurations": [
            {"Id": "to-queue", "QueueArn": ARN, "Events": ["s3:ObjectCreated:*"]}]},
    )
    await sim.s3.put_object(bucket="uploads", key="cats/cat.jpg", body=b"meow")
    await sim.settle()
    bodies = [json.loads(m["Body"]) for m in await all_messages(sim, url)]
    # S3 tests the destination when the configuration is saved, then notifies the put.
    assert bodies[0]["Event"] == "s3:TestEvent"
    assert bodies[0]["Bucket"] == "uploads"
    record = bodies[1]["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == "cats/cat.jpg"
    assert record["s3"]["configurationId"] == "to-queue"
    assert len(bodies) == 2


@pytest.mark.asyncio
async def test_s3_rejects_a_queue_configuration_for_a_missing_queue(sim: Simulator) -> None:
    await sim.s3.create_bucket(bucket="uploads")
    with pytest.raises(AwsError) as exc:
        await sim.s3.put_bucket_notification_configuration(
            bucket="uploads",
            notification_configuration={"QueueConfigurations": [
                {"QueueArn": ARN, "Events": ["s3:ObjectCreated:*"]}]},
        )
    assert exc.value.code == "InvalidArgument"
    await sim.sqs.create_queue(queue_name="events")
    assert sim._resource_exists("queue", ARN)
    assert not sim._resource_exists("queue", ARN + "-not")


@pytest.mark.asyncio
async def test_delivered_payload_carries_attributes_group_and_deduplication(
    sim: Simulator,
) -> None:
    url = (await sim.sqs.create_queue(queue_name="events.fifo",
                                      attributes={"FifoQueue": "true"}))["QueueUrl"]
    payload = {
        "MessageBody": "hello",
        "MessageAttributes": {
            "kind": {"DataType": "String", "StringValue": "greeting"},
            "raw": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x01").decode()},
        },
        "MessageGroupId": "g",
        "MessageDeduplicationId": "d",
    }
    await outbox(sim, ARN + ".fifo", payload)
    await outbox(sim, ARN + ".fifo", payload)  # same deduplication id: one message
    messages = await all_messages(sim, url)
    assert len(messages) == 1
    message = messages[0]
    assert message["Body"] == "hello"
    assert message["MessageAttributes"] == {
        "kind": {"DataType": "String", "StringValue": "greeting"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x01"},
    }
    assert message["Attributes"]["MessageGroupId"] == "g"
    assert message["Attributes"]["MessageDeduplicationId"] == "d"


@pytest.mark.asyncio
async def test_a_delivery_wakes_a_long_poll(sim: Simulator) -> None:
    url = (await sim.sqs.create_queue(queue_name="events"))["QueueUrl"]
    poll = asyncio.create_task(sim.sqs.receive_message(queue_url=url, wait_time_seconds=20))
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    await outbox(sim, ARN, {"MessageBody": "pushed"})
    result = await asyncio.wait_for(poll, 5)
    assert result["Messages"][0]["Body"] == "pushed"


@pytest.mark.asyncio
async def test_a_delivery_to_a_deleted_queue_is_dropped(sim: Simulator) -> None:
    url = (await sim.sqs.create_queue(queue_name="events"))["QueueUrl"]
    await sim.sqs.delete_queue(queue_url=url)
    await outbox(sim, ARN, {"MessageBody": "lost"})
    remaining = await sim.db.read(lambda c: c.execute("SELECT COUNT(*) FROM outbox").fetchone())
    assert remaining[0] == 0


@pytest.mark.asyncio
async def test_a_fifo_delivery_without_a_group_is_dropped(sim: Simulator) -> None:
    url = (await sim.sqs.create_queue(queue_name="events.fifo", attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"}))["QueueUrl"]
    await outbox(sim, ARN + ".fifo", {"MessageBody": "no group"})
    assert await all_messages(sim, url) == []
    remaining = await sim.db.read(lambda c: c.execute("SELECT COUNT(*) FROM outbox").fetchone())
    assert remaining[0] == 0
