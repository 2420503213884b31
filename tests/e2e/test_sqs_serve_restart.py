"""`eventsim serve` killed and started again on the same state: every queue and message of SQS
is still there, in flight where it was, with its receive count."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client


def test_queues_and_messages_survive_a_killed_server(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "state")
    server.start()
    try:
        sqs = boto3_client("sqs", server.url)
        sqs.create_queue(QueueName="dlq")
        url = sqs.create_queue(QueueName="work", tags={"team": "a"}, Attributes={
            "RedrivePolicy": json.dumps({
                "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
                "maxReceiveCount": 5})})["QueueUrl"]
        fifo = sqs.create_queue(QueueName="f.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="first", MessageAttributes={
            "k": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
        held = sqs.receive_message(QueueUrl=url)["Messages"][0]
        sqs.send_message(QueueUrl=url, MessageBody="second")
        sent = sqs.send_message(QueueUrl=fifo, MessageBody="once", MessageGroupId="g")
        server.kill()

        server.start()
        sqs = boto3_client("sqs", server.url)
        names = sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"])
        assert names == ["dlq", "f.fifo", "work"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert (attrs["ApproximateNumberOfMessages"],
                attrs["ApproximateNumberOfMessagesNotVisible"]) == ("1", "1")
        assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 5
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}

        # The receipt handle from before the kill still works, and the count goes on.
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=held["ReceiptHandle"],
                                      VisibilityTimeout=0)
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  MessageAttributeNames=["All"],
                                  MessageSystemAttributeNames=["ApproximateReceiveCount"])
        by_body = {m["Body"]: m for m in got["Messages"]}
        assert set(by_body) == {"first", "second"}
        assert by_body["first"]["Attributes"]["ApproximateReceiveCount"] == "2"
        assert by_body["first"]["MessageAttributes"]["k"]["BinaryValue"] == b"\x01\x02"
        assert by_body["first"]["MessageId"] == held["MessageId"]

        # FIFO deduplication remembers the send from before the kill.
        again = sqs.send_message(QueueUrl=fifo, MessageBody="once", MessageGroupId="g")
        assert again["MessageId"] == sent["MessageId"]
    finally:
        server.stop()
