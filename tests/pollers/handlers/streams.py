"""Handlers for the event source mapping tests."""

import base64

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, KinesisStreamEvent


def _data(record):
    return base64.b64decode(record["kinesis"]["data"]).decode()


def ok(event, context):
    return None


def poison(event, context):
    """Fails the whole batch when any record is ``poison``."""
    if any(_data(r) == "poison" for r in event["Records"]):
        raise ValueError("poison record")
    return None


def fail(event, context):
    raise RuntimeError("always fails")


def report_bad(event, context):
    """Reports every ``bad`` record as a failed item (ReportBatchItemFailures)."""
    return {"batchItemFailures": [
        {"itemIdentifier": r["kinesis"]["sequenceNumber"]}
        for r in event["Records"] if _data(r).startswith("bad")
    ]}


def answer_with(event, context):
    """Answers with what the first record's data says (a JSON text)."""
    import json
    return json.loads(_data(event["Records"][0]))


def _record_handler(record):
    if record.kinesis.data_as_text().startswith("bad"):
        raise ValueError("bad record")


_processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


def powertools_batch(event, context):
    return process_partial_response(event=event, record_handler=_record_handler,
                                    processor=_processor, context=context)


def powertools_kinesis(event, context):
    parsed = KinesisStreamEvent(event)
    return [{"seq": r.kinesis.sequence_number, "key": r.kinesis.partition_key,
             "text": r.kinesis.data_as_text(), "shard": r.event_id.split(":")[0]}
            for r in parsed.records]


def powertools_dynamodb(event, context):
    parsed = DynamoDBStreamEvent(event)
    return [{"name": r.event_name.name, "seq": r.dynamodb.sequence_number,
             "keys": r.dynamodb.keys, "new": r.dynamodb.new_image}
            for r in parsed.records]


def record_and_block(event, context):
    """Appends each record's data to $SEEN; a batch holding ``block`` waits (up to 5 s) for
    the file $RELEASE, after saying so in the file $BLOCKED."""
    import os
    import time
    from pathlib import Path

    texts = [_data(r) for r in event["Records"]]
    with open(os.environ["SEEN"], "a") as out:
        out.writelines(t + "\n" for t in texts)
    release = Path(os.environ["RELEASE"])
    if "block" in texts and not release.exists():
        Path(os.environ["BLOCKED"]).touch()
        deadline = time.monotonic() + 5
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # sleep-ok: the handler under test is slow
    return None


def sqs_powertools(event, context):
    from aws_lambda_powertools.utilities.data_classes import SQSEvent

    parsed = SQSEvent(event)
    return [{"id": r.message_id, "body": r.body, "group": r.attributes.message_group_id,
             "count": r.attributes.approximate_receive_count} for r in parsed.records]


def sqs_fail_bad(event, context):
    """Fails the whole batch when a body is ``bad``."""
    if any(r["body"] == "bad" for r in event["Records"]):
        raise ValueError("bad message")


def _sqs_record_handler(record):
    if record.body.startswith("bad"):
        raise ValueError("bad message")


_sqs_processor = BatchProcessor(event_type=EventType.SQS)


def sqs_powertools_batch(event, context):
    return process_partial_response(event=event, record_handler=_sqs_record_handler,
                                    processor=_sqs_processor, context=context)


def tumbling_sum(event, context):
    """Sums the records' numbers over a tumbling window; the state carries the total."""
    total = event["state"].get("total", 0) + sum(int(_data(r)) for r in event["Records"])
    return {"state": {"total": total}}
