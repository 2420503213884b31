"""Stream on-failure records held against the Lambda guide's examples (tests/golden/pollers)."""

import datetime as dt
import json
from pathlib import Path

from eventsim.events.destinations import stream_failure_record

GOLDEN = Path(__file__).parent.parent / "golden" / "pollers"


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _rebuild(example: dict, batch_key: str) -> dict:
    info = example[batch_key]
    return stream_failure_record(
        request_id=example["requestContext"]["requestId"],
        function_arn=example["requestContext"]["functionArn"],
        condition=example["requestContext"]["condition"],
        approximate_invoke_count=example["requestContext"]["approximateInvokeCount"],
        function_error=example["responseContext"]["functionError"],
        timestamp=_epoch(example["timestamp"]), batch_key=batch_key,
        shard_id=info["shardId"], start_sequence_number=info["startSequenceNumber"],
        end_sequence_number=info["endSequenceNumber"],
        first_arrival=_epoch(info["approximateArrivalOfFirstRecord"]),
        last_arrival=_epoch(info["approximateArrivalOfLastRecord"]),
        batch_size=info["batchSize"], stream_arn=info["streamArn"],
    )


def test_kinesis_failure_record_matches_the_lambda_guide() -> None:
    example = json.loads((GOLDEN / "kinesis_on_failure_lambda_guide.json").read_text())
    rebuilt = _rebuild(example, "KinesisBatchInfo")
    assert json.dumps(rebuilt) == json.dumps(example)


def test_dynamodb_failure_record_matches_the_lambda_guide() -> None:
    example = json.loads((GOLDEN / "dynamodb_on_failure_lambda_guide.json").read_text())
    rebuilt = _rebuild(example, "DDBStreamBatchInfo")
    assert json.dumps(rebuilt) == json.dumps(example)


def test_record_age_failures_have_no_response_context() -> None:
    record = stream_failure_record(
        request_id="r", function_arn="arn:aws:lambda:us-east-1:1:function:f",
        condition="RecordAgeExceeded", approximate_invoke_count=0, function_error=None,
        timestamp=0.0, batch_key="KinesisBatchInfo", shard_id="shardId-000000000000",
        start_sequence_number="1", end_sequence_number="2", first_arrival=0.0,
        last_arrival=0.0, batch_size=2, stream_arn="arn:aws:kinesis:us-east-1:1:stream/s")
    assert list(record) == ["requestContext", "version", "timestamp", "KinesisBatchInfo"]
