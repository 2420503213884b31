"""SQS: one sequence of boto3 calls against moto's server and eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP status.
Where they do not, moto is wrong and the step says what AWS does (with the doc it follows);
eventsim's answer is then held to AWS's behaviour instead.

Queue URLs differ between the two by nature, so steps find them with GetQueueUrl.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any], Any]]


def _url(c: Any, name: str = "q") -> str:
    return str(c.get_queue_url(QueueName=name)["QueueUrl"])


def _arn(c: Any, name: str) -> str:
    got = c.get_queue_attributes(QueueUrl=_url(c, name), AttributeNames=["QueueArn"])
    return str(got["Attributes"]["QueueArn"])


def _handle(c: Any, name: str = "q", **kwargs: Any) -> str:
    """Send a message and receive it (visibility 30 s): its receipt handle."""
    url = _url(c, name)
    c.send_message(QueueUrl=url, MessageBody="to-handle", **kwargs)
    got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    return str(got[-1]["ReceiptHandle"])


def _attrs(n: int) -> dict[str, Any]:
    return {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(n)}


STEPS: list[Step] = [
    ("create_queue", lambda c: c.create_queue(QueueName="q", tags={"team": "a"})),
    ("create_queue_again_same_attributes", lambda c: c.create_queue(QueueName="q")),
    ("create_queue_again_other_attributes", lambda c: c.create_queue(
        QueueName="q", Attributes={"VisibilityTimeout": "99"})),
    ("create_queue_bad_name", lambda c: c.create_queue(QueueName="bad name")),
    ("create_queue_name_too_long", lambda c: c.create_queue(QueueName="x" * 81)),
    ("create_queue_bad_attribute_value", lambda c: c.create_queue(
        QueueName="v", Attributes={"VisibilityTimeout": "50000"})),
    ("create_queue_unknown_attribute", lambda c: c.create_queue(
        QueueName="v", Attributes={"Colour": "red"})),
    ("create_dead_letter_queue", lambda c: c.create_queue(QueueName="dlq")),
    ("create_queue_with_redrive", lambda c: c.create_queue(
        QueueName="src", Attributes={"RedrivePolicy": json.dumps({
            "deadLetterTargetArn": _arn(c, "dlq"), "maxReceiveCount": 1})})),
    ("create_fifo_queue", lambda c: c.create_queue(
        QueueName="f.fifo", Attributes={"FifoQueue": "true",
                                        "ContentBasedDeduplication": "true"})),
    ("create_fifo_queue_without_suffix", lambda c: c.create_queue(
        QueueName="nofifo", Attributes={"FifoQueue": "true"})),
    ("get_queue_url", lambda c: c.get_queue_url(QueueName="q")),
    ("get_queue_url_missing", lambda c: c.get_queue_url(QueueName="nope")),
    ("list_queues", lambda c: c.list_queues()),
    ("list_queues_prefix", lambda c: c.list_queues(QueueNamePrefix="f")),
    ("list_queues_paged", lambda c: c.list_queues(MaxResults=1)),
    ("list_queues_no_match", lambda c: c.list_queues(QueueNamePrefix="zzz")),
    ("get_queue_attributes_all", lambda c: c.get_queue_attributes(
        QueueUrl=_url(c), AttributeNames=["All"])),
    ("get_queue_attributes_named", lambda c: c.get_queue_attributes(
        QueueUrl=_url(c), AttributeNames=["VisibilityTimeout", "QueueArn"])),
    ("get_queue_attributes_none", lambda c: c.get_queue_attributes(QueueUrl=_url(c))),
    ("get_fifo_queue_attributes", lambda c: c.get_queue_attributes(
        QueueUrl=_url(c, "f.fifo"), AttributeNames=["All"])),
    ("set_queue_attributes", lambda c: c.set_queue_attributes(
        QueueUrl=_url(c), Attributes={"VisibilityTimeout": "45"})),
    # On a queue of its own: moto takes the bad value, and would then refuse every send.
    ("set_queue_attributes_bad_value", lambda c: c.set_queue_attributes(
        QueueUrl=_url(c, "dlq"), Attributes={"DelaySeconds": "901"})),
    ("tag_queue", lambda c: c.tag_queue(QueueUrl=_url(c), Tags={"env": "dev"})),
    ("list_queue_tags", lambda c: c.list_queue_tags(QueueUrl=_url(c))),
    ("untag_queue", lambda c: c.untag_queue(QueueUrl=_url(c), TagKeys=["env", "team"])),
    ("list_queue_tags_none", lambda c: c.list_queue_tags(QueueUrl=_url(c))),
    ("send_message", lambda c: c.send_message(QueueUrl=_url(c), MessageBody="hello")),
    ("send_message_with_attributes", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="hello", MessageAttributes={
            "s": {"DataType": "String", "StringValue": "x"},
            "n": {"DataType": "Number", "StringValue": "1"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})),
    ("send_message_with_trace_header", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="traced", MessageSystemAttributes={"AWSTraceHeader": {
            "DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}})),
    ("send_message_delayed", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="later", DelaySeconds=900)),
    ("send_message_delay_too_long", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="later", DelaySeconds=901)),
    ("send_message_too_big", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="x" * 1_048_577)),
    ("send_message_too_many_attributes", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="m", MessageAttributes=_attrs(11))),
    ("send_message_bad_attribute_type", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="m", MessageAttributes={
            "a": {"DataType": "Float", "StringValue": "1"}})),
    ("send_message_unknown_queue", lambda c: c.send_message(
        QueueUrl=_url(c).rsplit("/", 1)[0] + "/nope", MessageBody="m")),
    ("send_message_batch", lambda c: c.send_message_batch(QueueUrl=_url(c), Entries=[
        {"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])),
    ("send_message_batch_empty", lambda c: c.send_message_batch(QueueUrl=_url(c), Entries=[])),
    ("send_message_batch_too_many", lambda c: c.send_message_batch(QueueUrl=_url(c), Entries=[
        {"Id": str(i), "MessageBody": "a"} for i in range(11)])),
    ("send_message_batch_repeated_id", lambda c: c.send_message_batch(
        QueueUrl=_url(c), Entries=[{"Id": "1", "MessageBody": "a"},
                                   {"Id": "1", "MessageBody": "b"}])),
    ("send_message_batch_bad_id", lambda c: c.send_message_batch(
        QueueUrl=_url(c), Entries=[{"Id": "a b", "MessageBody": "a"}])),
    ("send_message_batch_too_long", lambda c: c.send_message_batch(QueueUrl=_url(c), Entries=[
        {"Id": "1", "MessageBody": "x" * 800_000}, {"Id": "2", "MessageBody": "x" * 300_000}])),
    ("receive_message", lambda c: c.receive_message(
        QueueUrl=_url(c), MaxNumberOfMessages=10, MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"])),
    ("receive_message_nothing_visible", lambda c: c.receive_message(QueueUrl=_url(c))),
    ("receive_message_too_many", lambda c: c.receive_message(
        QueueUrl=_url(c), MaxNumberOfMessages=11)),
    ("receive_message_wait_too_long", lambda c: c.receive_message(
        QueueUrl=_url(c), WaitTimeSeconds=21)),
    ("delete_message", lambda c: c.delete_message(QueueUrl=_url(c), ReceiptHandle=_handle(c))),
    ("delete_message_bad_handle", lambda c: c.delete_message(
        QueueUrl=_url(c), ReceiptHandle="not-a-handle")),
    ("delete_message_batch", lambda c: c.delete_message_batch(QueueUrl=_url(c), Entries=[
        {"Id": "1", "ReceiptHandle": _handle(c)}])),
    ("delete_message_batch_bad_handle", lambda c: c.delete_message_batch(
        QueueUrl=_url(c), Entries=[{"Id": "1", "ReceiptHandle": "not-a-handle"}])),
    ("change_message_visibility", lambda c: c.change_message_visibility(
        QueueUrl=_url(c), ReceiptHandle=_handle(c), VisibilityTimeout=0)),
    ("change_message_visibility_batch", lambda c: c.change_message_visibility_batch(
        QueueUrl=_url(c), Entries=[{"Id": "1", "ReceiptHandle": _handle(c),
                                    "VisibilityTimeout": 0}])),
    ("send_fifo_message", lambda c: c.send_message(
        QueueUrl=_url(c, "f.fifo"), MessageBody="m", MessageGroupId="g")),
    ("send_fifo_message_without_group", lambda c: c.send_message(
        QueueUrl=_url(c, "f.fifo"), MessageBody="m")),
    ("send_fifo_message_with_delay", lambda c: c.send_message(
        QueueUrl=_url(c, "f.fifo"), MessageBody="m", MessageGroupId="g", DelaySeconds=5)),
    ("send_fifo_batch", lambda c: c.send_message_batch(QueueUrl=_url(c, "f.fifo"), Entries=[
        {"Id": "1", "MessageBody": "a", "MessageGroupId": "g"},
        {"Id": "2", "MessageBody": "b", "MessageGroupId": "h"}])),
    ("receive_fifo_message", lambda c: c.receive_message(
        QueueUrl=_url(c, "f.fifo"), MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"])),
    ("send_standard_message_with_deduplication_id", lambda c: c.send_message(
        QueueUrl=_url(c), MessageBody="m", MessageDeduplicationId="d")),
    ("redrive_send", lambda c: c.send_message(QueueUrl=_url(c, "src"), MessageBody="poison")),
    ("redrive_first_receive", lambda c: c.receive_message(
        QueueUrl=_url(c, "src"), VisibilityTimeout=0)),
    ("redrive_second_receive_moves_it", lambda c: c.receive_message(
        QueueUrl=_url(c, "src"), VisibilityTimeout=0)),
    ("redrive_receive_from_dead_letter_queue", lambda c: c.receive_message(
        QueueUrl=_url(c, "dlq"), MessageSystemAttributeNames=["ApproximateReceiveCount"])),
    ("list_dead_letter_source_queues", lambda c: c.list_dead_letter_source_queues(
        QueueUrl=_url(c, "dlq"))),
    ("purge_queue", lambda c: c.purge_queue(QueueUrl=_url(c))),
    ("delete_queue", lambda c: c.delete_queue(QueueUrl=_url(c))),
    ("get_queue_url_deleted", lambda c: c.get_queue_url(QueueName="q")),
    ("create_queue_deleted_recently", lambda c: c.create_queue(QueueName="q")),
]

# Where moto is wrong, what AWS does; eventsim's outcome must be this one.
_API = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/"


def _has_sequence_number(got: Outcome) -> bool:
    if got[0] != "ok":
        return False
    body = got[1]
    if "Successful" in body:
        return all("SequenceNumber" in e for e in body["Successful"])
    if "Messages" in body:
        return all("SequenceNumber" in m["Attributes"] for m in body["Messages"])
    return "SequenceNumber" in body


MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "create_queue_bad_attribute_value": (
        "AWS rejects an attribute value out of its range (VisibilityTimeout: 0 to 43,200) with "
        f"InvalidAttributeValue ({_API}API_CreateQueue.html, Errors); moto creates the queue",
        lambda got: got == ("error", ("InvalidAttributeValue", 400)),
    ),
    "create_queue_unknown_attribute": (
        "AWS rejects an attribute it does not know with InvalidAttributeName, \"The specified "
        f"attribute doesn't exist\" ({_API}API_CreateQueue.html, Errors); moto ignores it",
        lambda got: got == ("error", ("InvalidAttributeName", 400)),
    ),
    "set_queue_attributes_bad_value": (
        "DelaySeconds is 0 to 900; AWS answers InvalidAttributeValue "
        f"({_API}API_SetQueueAttributes.html, Errors); moto stores 901",
        lambda got: got == ("error", ("InvalidAttributeValue", 400)),
    ),
    "list_queue_tags_none": (
        "AWS leaves Tags out of the answer when a queue has none (observed and kept by "
        "LocalStack's SQS provider, whose test says 'if there are no tags, then Tags should NOT "
        "appear in the response'); moto answers an empty map",
        lambda got: got == ("ok", {}),
    ),
    "send_message_too_many_attributes": (
        "A message can have up to 10 metadata attributes (Amazon SQS message attributes, "
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
        "sqs-message-metadata.html; quotas-messages.html); moto takes 11",
        lambda got: got == ("error", ("InvalidParameterValue", 400)),
    ),
    "send_standard_message_with_deduplication_id": (
        "MessageDeduplicationId \"applies only to FIFO queues\" "
        f"({_API}API_SendMessage.html); AWS refuses it on a standard queue with "
        "InvalidParameterValue ('The request includes a parameter that is not valid for this "
        "queue type'); moto accepts it",
        lambda got: got == ("error", ("InvalidParameterValue", 400)),
    ),
    "send_message_with_trace_header": (
        "SendMessage answers MD5OfMessageSystemAttributes, the digest of the system attributes "
        f"sent ({_API}API_SendMessage.html, Response Elements); moto leaves it out",
        lambda got: got[0] == "ok" and got[1].get("MD5OfMessageSystemAttributes") == "str",
    ),
    "create_queue_deleted_recently": (
        "\"If you delete a queue, you must wait at least 60 seconds before creating a queue "
        f"with the same name\" ({_API}API_CreateQueue.html), error QueueDeletedRecently, "
        "legacy code AWS.SimpleQueueService.QueueDeletedRecently; moto creates it at once",
        lambda got: got == ("error", ("AWS.SimpleQueueService.QueueDeletedRecently", 400)),
    ),
    "send_fifo_message": (
        "For FIFO queues AWS answers SendMessage with the message's SequenceNumber "
        f"({_API}API_SendMessage.html, Response Elements); moto leaves it out",
        _has_sequence_number,
    ),
    "send_fifo_batch": (
        "each SendMessageBatchResultEntry of a FIFO queue carries SequenceNumber "
        f"({_API}API_SendMessageBatchResultEntry.html); moto leaves it out",
        _has_sequence_number,
    ),
    "receive_fifo_message": (
        "a FIFO message's system attributes include SequenceNumber when All are asked for "
        f"({_API}API_ReceiveMessage.html, MessageSystemAttributeNames); moto leaves it out",
        _has_sequence_number,
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    return run_steps(*clients("sqs"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_like_moto_or_like_aws_where_moto_is_wrong(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)
