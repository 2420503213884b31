"""SQS state survives a restart on the same database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.clock import VirtualClock

START = 1_800_000_000.0
DLQ_ARN = "arn:aws:sqs:us-east-1:000000000000:dlq"


@pytest.mark.asyncio
async def test_queues_messages_in_flight_state_and_receive_counts_survive_a_restart(
    tmp_path: Path,
) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Simulator(config, clock=VirtualClock(START)) as sim:
        await sim.sqs.create_queue(queue_name="dlq")
        url = (await sim.sqs.create_queue(
            queue_name="work", tags={"team": "a"},
            attributes={"VisibilityTimeout": "60", "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 2})},
        ))["QueueUrl"]
        fifo = (await sim.sqs.create_queue(
            queue_name="f.fifo",
            attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
        ))["QueueUrl"]
        await sim.sqs.send_message(queue_url=url, message_body="in-flight", message_attributes={
            "k": {"DataType": "String", "StringValue": "v"}})
        received = (await sim.sqs.receive_message(queue_url=url))["Messages"][0]
        await sim.sqs.send_message(queue_url=url, message_body="visible")
        await sim.sqs.send_message(queue_url=url, message_body="delayed", delay_seconds=300)
        first = await sim.sqs.send_message(queue_url=fifo, message_body="once",
                                           message_group_id="g")

    async with Simulator(config, clock=VirtualClock(START + 10)) as sim:
        listed = await sim.sqs.list_queues()
        assert sorted(u.rsplit("/", 1)[1] for u in listed["QueueUrls"]) == [
            "dlq", "f.fifo", "work"]
        attrs = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["All"]))[
            "Attributes"]
        assert attrs["VisibilityTimeout"] == "60"
        assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 2
        assert attrs["CreatedTimestamp"] == str(int(START))
        assert [attrs[f"ApproximateNumberOfMessages{kind}"]
                for kind in ("", "NotVisible", "Delayed")] == ["1", "1", "1"]
        assert (await sim.sqs.list_queue_tags(queue_url=url))["Tags"] == {"team": "a"}

        # The in-flight message stays hidden until its timeout, then comes back counted.
        got = (await sim.sqs.receive_message(queue_url=url, max_number_of_messages=10))[
            "Messages"]
        assert [m["Body"] for m in got] == ["visible"]
        assert isinstance(sim.clock, VirtualClock)
        sim.clock.advance(50)
        again = (await sim.sqs.receive_message(
            queue_url=url, message_attribute_names=["All"],
            message_system_attribute_names=["ApproximateReceiveCount"]))["Messages"][0]
        assert again["Body"] == "in-flight"
        assert again["MessageId"] == received["MessageId"]
        assert again["Attributes"]["ApproximateReceiveCount"] == "2"
        assert again["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}

        # FIFO deduplication and sequence numbers carry on.
        dup = await sim.sqs.send_message(queue_url=fifo, message_body="once",
                                         message_group_id="g")
        assert dup["MessageId"] == first["MessageId"]
        nxt = await sim.sqs.send_message(queue_url=fifo, message_body="next",
                                         message_group_id="g")
        assert int(nxt["SequenceNumber"]) > int(first["SequenceNumber"])

        # The old receipt handle still deletes (standard queue).
        await sim.sqs.delete_message(queue_url=url, receipt_handle=received["ReceiptHandle"])
        attrs = (await sim.sqs.get_queue_attributes(
            queue_url=url, attribute_names=["ApproximateNumberOfMessagesNotVisible"]))
        assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
