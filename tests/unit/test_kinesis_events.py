"""The Kinesis record Lambda receives, against AWS's example and Powertools' readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.data_classes import KinesisStreamEvent
from aws_lambda_powertools.utilities.parser.models import KinesisDataStreamModel

from eventsim.events.kinesis import kinesis_event, kinesis_event_record

GOLDEN = Path(__file__).parent.parent / "golden" / "kinesis"
ROLE = "arn:aws:iam::123456789012:role/lambda-role"
STREAM = "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"


def _assert_same_document(built: Any, expected: Any) -> None:
    """Equal values and, at every level, the same key order."""
    assert built == expected
    if isinstance(expected, dict):
        assert list(built) == list(expected)
        for key in expected:
            _assert_same_document(built[key], expected[key])
    elif isinstance(expected, list):
        for mine, theirs in zip(built, expected, strict=True):
            _assert_same_document(mine, theirs)


def _guide_event() -> dict[str, Any]:
    records = [
        ("49590338271490256608559692538361571095921575989136588898",
         b"Hello, this is a test.", 1545084650.987),
        ("49590338271490256608559692540925702759324208523137515618",
         b"This is only a test.", 1545084711.166),
    ]
    return kinesis_event(
        kinesis_event_record(
            shard_id="shardId-000000000006", sequence_number=seq, partition_key="1",
            data=data, approximate_arrival=arrival, stream_arn=STREAM, region="us-east-2",
            invoke_identity_arn=ROLE,
        )
        for seq, data, arrival in records
    )


def test_kinesis_event_matches_the_lambda_guide_example() -> None:
    golden = json.loads((GOLDEN / "lambda_guide_event.json").read_text())
    _assert_same_document(_guide_event(), golden)


def test_arrival_timestamp_is_seconds_with_milliseconds() -> None:
    record = kinesis_event_record(
        shard_id="shardId-000000000000", sequence_number="1", partition_key="k", data=b"",
        approximate_arrival=1714564800.1234567, stream_arn=STREAM, region="us-east-1",
        invoke_identity_arn=ROLE)
    assert record["kinesis"]["approximateArrivalTimestamp"] == 1714564800.123
    assert "encryptionType" not in record["kinesis"]


def test_encrypted_stream_records_name_kms() -> None:
    record = kinesis_event_record(
        shard_id="shardId-000000000000", sequence_number="1", partition_key="k", data=b"",
        approximate_arrival=1.0, stream_arn=STREAM, region="us-east-1",
        invoke_identity_arn=ROLE, encryption_type="KMS")
    assert record["kinesis"]["encryptionType"] == "KMS"


def test_powertools_reads_the_event() -> None:
    event = _guide_event()
    records = list(KinesisStreamEvent(event).records)
    assert records[0].kinesis.data_as_bytes() == b"Hello, this is a test."
    assert records[1].event_id.startswith("shardId-000000000006:")
    parsed = KinesisDataStreamModel.model_validate(json.loads(json.dumps(event)))
    assert parsed.Records[1].kinesis.data == b"This is only a test."


def test_record_json_text_is_the_record_as_json_dumps_writes_it() -> None:
    import json

    from eventsim.events.kinesis import kinesis_event_record, kinesis_event_record_json

    for encryption in (None, "NONE", "KMS"):
        kwargs = dict(shard_id="shardId-000000000003", sequence_number="4959" + "0" * 52,
                      partition_key='p"é\\1', data=b"\x00\xffhello",
                      approximate_arrival=1545084650.9871234, region="eu-west-1",
                      stream_arn="arn:aws:kinesis:eu-west-1:1:stream/s",
                      invoke_identity_arn="arn:aws:iam::1:role/r", encryption_type=encryption)
        assert kinesis_event_record_json(**kwargs) == json.dumps(
            kinesis_event_record(**kwargs), separators=(",", ":"))


def test_one_writer_for_a_shard_writes_each_record_as_json_dumps_would() -> None:
    import json

    from eventsim.events.kinesis import KinesisRecordWriter, kinesis_event_record

    common = dict(shard_id="shardId-000000000001", region="us-east-1",
                  stream_arn="arn:aws:kinesis:us-east-1:1:stream/s",
                  invoke_identity_arn="arn:aws:iam::1:role/r")
    write = KinesisRecordWriter(**common)
    for number, arrival in (("1", 10.5), ("2", 10.5), ("3", 11.0004)):
        assert write(number, "k", b"d", arrival) == json.dumps(kinesis_event_record(
            sequence_number=number, partition_key="k", data=b"d",
            approximate_arrival=arrival, **common), separators=(",", ":"))
