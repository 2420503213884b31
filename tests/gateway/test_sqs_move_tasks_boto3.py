"""SQS message move tasks (dead-letter queue redrive) through boto3: what StartMessageMoveTask,
ListMessageMoveTasks and CancelMessageMoveTask answer, and what each queue then holds.

The installed moto (5.2.5) does not implement these operations, so this is no differential
test; the answers expected here are those moto's own tests of its newer implementation record
for AWS (tests/test_sqs/test_sqs_move_tasks.py upstream), and the API reference's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator


def _arn(c: Any, url: str) -> str:
    return str(c.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
               ["Attributes"]["QueueArn"])


def _bodies(c: Any, url: str) -> list[str]:
    got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in got.get("Messages", []))


def _error(call: Callable[[], Any]) -> tuple[str, str]:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    return "no error", ""


def _story(c: Any, done: Callable[[], None], tag: str) -> dict[str, Any]:
    """Dead-letter two messages of each of two queues, check the refusals, redrive them back
    to their sources, then one more to a queue named; what happened, as values both servers
    must agree on."""
    dlq = c.create_queue(QueueName=f"{tag}-dlq")["QueueUrl"]
    dlq_arn = _arn(c, dlq)
    policy = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                           "maxReceiveCount": 1})}
    sources = [c.create_queue(QueueName=f"{tag}-src{i}", Attributes=policy)["QueueUrl"]
               for i in (1, 2)]
    other = c.create_queue(QueueName=f"{tag}-other")["QueueUrl"]
    for i, url in enumerate(sources, 1):
        for n in (1, 2):
            c.send_message(QueueUrl=url, MessageBody=f"m-{i}-{n}", MessageAttributes={
                "n": {"DataType": "Number", "StringValue": str(n)}})
        for _ in range(3):  # the first receive counts; the next ones dead-letter them
            c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    found: dict[str, Any] = {"in_dlq": _bodies(c, dlq)}
    found["not_a_dlq"] = _error(lambda: c.start_message_move_task(SourceArn=_arn(c, other)))
    found["no_source"] = _error(lambda: c.start_message_move_task(SourceArn=dlq_arn + "x"))
    found["bad_rate"] = _error(lambda: c.start_message_move_task(
        SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=501))
    found["no_destination"] = _error(lambda: c.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=dlq_arn + "x"))
    found["bad_max_results"] = _error(lambda: c.list_message_move_tasks(
        SourceArn=dlq_arn, MaxResults=11))
    found["bad_handle"] = _error(lambda: c.cancel_message_move_task(TaskHandle="foobared"))
    found["no_tasks"] = c.list_message_move_tasks(SourceArn=dlq_arn)["Results"]

    handle = c.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    done()
    found["back_home"] = [_bodies(c, url) for url in sources]
    found["dlq_after"] = _bodies(c, dlq)
    [task] = c.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    found["task"] = {k: v for k, v in task.items() if k != "StartedTimestamp"}
    found["started_is_ms"] = isinstance(task["StartedTimestamp"], int)
    found["cancel_finished"] = _error(lambda: c.cancel_message_move_task(TaskHandle=handle))

    # One more dead-lettered message (of a third queue), moved to a queue named, at a rate.
    third = c.create_queue(QueueName=f"{tag}-src3", Attributes=policy)["QueueUrl"]
    c.send_message(QueueUrl=third, MessageBody="late")
    for _ in range(2):
        c.receive_message(QueueUrl=third, VisibilityTimeout=0)
    c.start_message_move_task(SourceArn=dlq_arn, DestinationArn=_arn(c, other),
                              MaxNumberOfMessagesPerSecond=5)
    done()
    moved = c.receive_message(QueueUrl=other, MessageAttributeNames=["All"],
                              MessageSystemAttributeNames=["All"])["Messages"]
    found["elsewhere"] = [m["Body"] for m in moved]
    found["a_new_message"] = moved[0]["Attributes"].get("ApproximateReceiveCount")
    newest = c.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    found["tasks"] = [(t["Status"], t.get("DestinationArn") is not None,
                       t.get("MaxNumberOfMessagesPerSecond")) for t in newest]
    # A message sent to the dead-letter queue itself has no source to go back to.
    c.send_message(QueueUrl=dlq, MessageBody="direct")
    c.start_message_move_task(SourceArn=dlq_arn)
    done()
    failed = c.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    found["failed"] = (failed["Status"], failed.get("FailureReason"),
                       failed["ApproximateNumberOfMessagesMoved"])
    found["still_there"] = _bodies(c, dlq)
    return found


def test_a_dead_letter_queue_is_redriven_as_sqs_does(threaded_sim: ThreadedSimulator) -> None:
    c = threaded_sim.client("sqs")
    found = _story(c, threaded_sim.settle, "mv")
    assert found["in_dlq"] == ["m-1-1", "m-1-2", "m-2-1", "m-2-2"]
    missing = "The resource that you specified for the {} parameter doesn't exist."
    assert found["not_a_dlq"] == ("InvalidParameterValue",
                                  "Source queue must be configured as a Dead Letter Queue.")
    assert found["no_source"] == ("ResourceNotFoundException", missing.format("SourceArn"))
    assert found["bad_rate"] == ("InvalidParameterValue", "Value 501 for parameter "
                                 "MaxNumberOfMessagesPerSecond is invalid. Reason: Must be "
                                 "between 1 and 500.")
    assert found["no_destination"] == ("ResourceNotFoundException",
                                       missing.format("DestinationArn"))
    assert found["bad_max_results"] == ("InvalidParameterValue", "Value 11 for parameter "
                                        "MaxResults is invalid. Reason: Must be between 1 and "
                                        "10.")
    assert found["bad_handle"] == ("InvalidParameterValue",
                                   "Value for parameter TaskHandle is invalid.")
    assert found["no_tasks"] == []
    # Each message went back to the queue it was dead-lettered from.
    assert found["back_home"] == [["m-1-1", "m-1-2"], ["m-2-1", "m-2-2"]]
    assert found["dlq_after"] == []
    task = found["task"]
    assert task.pop("SourceArn").endswith(":mv-dlq")
    # No TaskHandle once finished; no DestinationArn or rate unless given.
    assert task == {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 4,
                    "ApproximateNumberOfMessagesToMove": 4}
    assert found["started_is_ms"]
    assert found["cancel_finished"] == ("ResourceNotFoundException", "Task does not exist.")
    assert found["elsewhere"] == ["late"]
    assert found["a_new_message"] == "1"  # a redriven message is a new one
    assert found["tasks"] == [("COMPLETED", True, 5), ("COMPLETED", False, None)]
    assert found["failed"] == ("FAILED", "CouldNotDetermineMessageSource", 0)
    assert found["still_there"] == ["direct"]


def test_a_moved_message_keeps_its_attributes_and_group(threaded_sim: ThreadedSimulator) -> None:
    c = threaded_sim.client("sqs")
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dlq = c.create_queue(QueueName="keep-dlq.fifo", Attributes=fifo)["QueueUrl"]
    source = c.create_queue(QueueName="keep-src.fifo", Attributes={**fifo, "RedrivePolicy":
                            json.dumps({"deadLetterTargetArn": _arn(c, dlq),
                                        "maxReceiveCount": 1})})["QueueUrl"]
    sent = c.send_message(QueueUrl=source, MessageBody="order-1", MessageGroupId="customer-7",
                          MessageAttributes={"kind": {"DataType": "String",
                                                      "StringValue": "order"}})
    for _ in range(2):
        c.receive_message(QueueUrl=source, VisibilityTimeout=0)
    c.start_message_move_task(SourceArn=_arn(c, dlq))
    threaded_sim.settle()
    [message] = c.receive_message(QueueUrl=source, MessageAttributeNames=["All"],
                                  MessageSystemAttributeNames=["All"])["Messages"]
    assert message["Body"] == "order-1"
    assert message["MessageId"] != sent["MessageId"]
    assert message["MessageAttributes"] == {"kind": {"DataType": "String",
                                                     "StringValue": "order"}}
    assert message["Attributes"]["MessageGroupId"] == "customer-7"
    assert "DeadLetterQueueSourceArn" not in message["Attributes"]
