"""SQS event records against AWS's example, Powertools' readers, and a real receive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.parser.models import SqsModel

from eventsim import Simulator, SimulatorConfig
from eventsim.events.sqs import sqs_event, sqs_record

GOLDEN = Path(__file__).parent.parent / "golden" / "sqs"


def test_record_matches_the_lambda_guide_example_key_for_key() -> None:
    expected = json.loads((GOLDEN / "receive_message_lambda_guide.json").read_text())
    built = sqs_event([sqs_record(
        message_id="059f36b4-87a3-44ab-83d2-661975830a7d",
        receipt_handle="AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        body="test", md5_of_body="098f6bcd4621d373cade4e832627b4f6",
        attributes={"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1545082649185"},
        message_attributes={}, md5_of_message_attributes=None,
        queue_arn="arn:aws:sqs:us-east-2:123456789012:my-queue", region="us-east-2",
    )])
    assert json.dumps(built) == json.dumps(expected)


@pytest.mark.asyncio
async def test_a_received_message_as_a_record_reads_with_powertools() -> None:
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        url = (await sim.sqs.create_queue(queue_name="q"))["QueueUrl"]
        await sim.sqs.send_message(queue_url=url, message_body='{"order": 1}', message_attributes={
            "kind": {"DataType": "String", "StringValue": "new"},
            "blob": {"DataType": "Binary", "BinaryValue": b"raw"}})
        message = (await sim.sqs.receive_message(
            queue_url=url, message_attribute_names=["All"],
            message_system_attribute_names=["All"]))["Messages"][0]
    event = sqs_event([sqs_record(
        message_id=message["MessageId"], receipt_handle=message["ReceiptHandle"],
        body=message["Body"], md5_of_body=message["MD5OfBody"],
        attributes=message["Attributes"], message_attributes=message["MessageAttributes"],
        md5_of_message_attributes=message["MD5OfMessageAttributes"],
        queue_arn="arn:aws:sqs:us-east-1:000000000000:q", region="us-east-1",
    )])
    record = next(iter(SQSEvent(event).records))
    assert record.json_body == {"order": 1}
    assert record.message_attributes["kind"].string_value == "new"
    assert record.message_attributes["blob"].binary_value == "cmF3"
    assert record.attributes.approximate_receive_count == "1"
    parsed = SqsModel.model_validate(event)
    assert parsed.Records[0].eventSource == "aws:sqs"
