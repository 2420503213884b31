"""``eventsim events generate``: every sample parses with Powertools and has the golden shape."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    DynamoDBStreamEvent,
    KinesisStreamEvent,
    S3Event,
    SNSEvent,
    SQSEvent,
)
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamModel,
    KinesisDataStreamModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from eventsim.cli import main

GOLDEN = Path(__file__).parent.parent / "golden"

# Maps whose member names are the user's (attribute names, item attributes), not AWS's.
_USER_MAPS = {"MessageAttributes", "messageAttributes", "Keys", "NewImage", "OldImage"}


def _generate(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(["events", "generate", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def _assert_same_shape(built: Any, golden: Any, path: str = "") -> None:
    """Same member names at every level, and the same JSON types at the leaves."""
    if isinstance(golden, dict):
        assert isinstance(built, dict), path
        if path.rsplit(".", 1)[-1] in _USER_MAPS:
            return
        assert sorted(built) == sorted(golden), path
        for key in golden:
            _assert_same_shape(built[key], golden[key], f"{path}.{key}")
    elif isinstance(golden, list):
        assert isinstance(built, list) and built, path
        _assert_same_shape(built[0], golden[0], f"{path}[0]")
    else:
        assert type(built) is type(golden), (path, built, golden)


CASES = [
    (["s3", "put", "--bucket", "b", "--key", "a b.jpg"], S3Event, S3Model,
     "s3/object_created_put_lambda_guide.json"),
    (["s3", "delete", "--bucket", "b", "--key", "a b.jpg"], S3Event, S3Model,
     "s3/object_removed_delete.json"),
    (["sns", "notification", "--topic", "t", "--subject", "TestInvoke",
      "--attribute", "Test=TestString"], SNSEvent, SnsModel, "sns/lambda_guide_event.json"),
    (["sqs", "receive-message", "--queue", "q", "--body", "test"], SQSEvent, SqsModel,
     "sqs/receive_message_lambda_guide.json"),
    (["dynamodb", "update", "--table", "T"], DynamoDBStreamEvent, DynamoDBStreamModel,
     "dynamodb/modify_new_and_old_images.json"),
    (["kinesis", "get-records", "--stream", "s"], KinesisStreamEvent, KinesisDataStreamModel,
     "kinesis/lambda_guide_event.json"),
]


@pytest.mark.parametrize(("argv", "data_class", "model", "golden"), CASES,
                         ids=[" ".join(c[0][:2]) for c in CASES])
def test_generated_event_parses_with_powertools_and_has_the_golden_shape(
    capsys: pytest.CaptureFixture[str], argv: list[str], data_class: Any, model: Any,
    golden: str,
) -> None:
    event = _generate(capsys, *argv)
    _assert_same_shape(event, json.loads((GOLDEN / golden).read_text()))
    model.model_validate(event)
    records = list(data_class(event).records)
    assert len(records) == 1


def test_s3_put_key_is_url_encoded_as_s3_does(capsys: pytest.CaptureFixture[str]) -> None:
    event = _generate(capsys, "s3", "put", "--bucket", "b", "--key", "photos/a b+c@d.jpg",
                      "--size", "5", "--region", "eu-west-1")
    record = S3Event(event).record
    assert record.s3.get_object.key == "photos/a+b%2Bc%40d.jpg"
    assert urllib.parse.unquote_plus(record.s3.get_object.key) == "photos/a b+c@d.jpg"
    assert record.s3.get_object.size == 5
    assert record.aws_region == "eu-west-1"
    assert record.event_name == "ObjectCreated:Put"
    assert record.s3.bucket.arn == "arn:aws:s3:::b"


def test_s3_delete_has_no_size_or_etag(capsys: pytest.CaptureFixture[str]) -> None:
    event = _generate(capsys, "s3", "delete", "--key", "k")
    obj = event["Records"][0]["s3"]["object"]
    assert event["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert "size" not in obj and "eTag" not in obj


def test_sns_notification_carries_message_subject_and_topic_arn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = _generate(capsys, "sns", "notification", "--topic", "orders", "--message", "hi",
                      "--subject", "s", "--attribute", "kind=new")
    sns = SNSEvent(event).record.sns
    assert (sns.message, sns.subject) == ("hi", "s")
    assert sns.topic_arn == "arn:aws:sns:us-east-1:000000000000:orders"
    assert sns.message_attributes["kind"].value == "new"


def test_sns_notification_without_subject_has_null_subject(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = _generate(capsys, "sns", "notification")
    assert event["Records"][0]["Sns"]["Subject"] is None
    assert event["Records"][0]["Sns"]["MessageAttributes"] == {}


def test_sqs_receive_message_body_and_md5(capsys: pytest.CaptureFixture[str]) -> None:
    event = _generate(capsys, "sqs", "receive-message", "--queue",
                      "arn:aws:sqs:us-east-2:123456789012:my-queue", "--body", "test")
    record = next(iter(SQSEvent(event).records))
    assert record.body == "test"
    assert record.md5_of_body == "098f6bcd4621d373cade4e832627b4f6"  # MD5 of "test"
    assert record.event_source_arn == "arn:aws:sqs:us-east-2:123456789012:my-queue"


def test_dynamodb_update_takes_images_in_dynamodb_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = _generate(
        capsys, "dynamodb", "update", "--table", "orders", "--keys", '{"pk": {"S": "o1"}}',
        "--new-image", '{"pk": {"S": "o1"}, "n": {"N": "02"}, "b": {"B": "AAE="}}',
        "--old-image", '{"pk": {"S": "o1"}, "n": {"N": "1"}}')
    record = next(iter(DynamoDBStreamEvent(event).records))
    assert record.event_name is not None and record.event_name.name == "MODIFY"
    assert record.dynamodb is not None
    assert record.dynamodb.keys == {"pk": "o1"}
    new_image = record.dynamodb.new_image
    assert new_image["n"] == 2  # canonical: "02" is 2
    assert event["Records"][0]["dynamodb"]["NewImage"]["b"] == {"B": "AAE="}
    assert record.dynamodb.old_image["n"] == 1
    assert record.event_source_arn is not None
    assert record.event_source_arn.startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/")
    # pk (2) + "o1" (2) for the keys; the images add their names and values.
    assert record.dynamodb.size_bytes == 4 + (4 + 2 + 1 + 1 + 2) + (4 + 2 + 1)


def test_dynamodb_update_view_type_keeps_only_its_images(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = _generate(capsys, "dynamodb", "update", "--view-type", "KEYS_ONLY")
    body = event["Records"][0]["dynamodb"]
    assert "NewImage" not in body and "OldImage" not in body
    assert body["StreamViewType"] == "KEYS_ONLY"


def test_kinesis_get_records_carries_data_in_base64(capsys: pytest.CaptureFixture[str]) -> None:
    event = _generate(capsys, "kinesis", "get-records", "--stream", "clicks",
                      "--partition-key", "user-1", "--data", '{"page": "/"}')
    record = next(iter(KinesisStreamEvent(event).records))
    assert record.kinesis.partition_key == "user-1"
    assert record.kinesis.data_as_json() == {"page": "/"}
    assert base64.b64decode(record.kinesis.data) == b'{"page": "/"}'
    assert record.event_id == f"shardId-000000000000:{record.kinesis.sequence_number}"
    assert len(record.kinesis.sequence_number) == 56
    assert record.event_source_arn == "arn:aws:kinesis:us-east-1:000000000000:stream/clicks"


def test_compact_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "generate", "sqs", "receive-message", "--compact"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out)["Records"]


@pytest.mark.parametrize("argv", [
    ["events"], ["events", "generate"], ["events", "generate", "s3"],
    ["events", "generate", "s3", "copy"], ["events", "generate", "ec2", "start"],
    ["events", "generate", "s3", "put", "--size", "-1"],
    ["events", "generate", "s3", "put", "--size", "big"],
    ["events", "generate", "dynamodb", "update", "--view-type", "ALL"],
], ids=lambda argv: " ".join(argv[1:]) or "events")
def test_usage_errors_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["dynamodb", "update", "--keys", "{"], "--keys: not JSON"),
    (["dynamodb", "update", "--keys", '{"Id": {"Q": "1"}}'], "unsupported datatype: Q"),
    (["dynamodb", "update", "--keys", '{"Id": 1}'], "--keys: not DynamoDB JSON"),
    (["dynamodb", "update", "--keys", "[]"], "--keys: expected a map"),
    (["dynamodb", "update", "--new-image", '{"x": {"S": "1"}}'], "lacks the key attribute"),
    (["sns", "notification", "--attribute", "novalue"], "expected NAME=VALUE"),
])
def test_bad_values_exit_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str,
) -> None:
    assert main(["events", "generate", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


@pytest.mark.parametrize("argv", [
    ["events", "--help"], ["events", "generate", "--help"],
    ["events", "generate", "kinesis", "--help"],
    ["events", "generate", "dynamodb", "update", "--help"],
])
def test_help_on_every_level(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: eventsim events" in capsys.readouterr().out
