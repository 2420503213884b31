"""boto3 against `eventsim serve`: the thumbnail workflow, wired by the test, end to end.

The server loads only the function (no ``Events``, no buckets). The test creates the buckets,
puts the notification configuration and uploads the image through boto3, exactly as it would
against AWS, then checks that the function ran, that the thumbnail exists, and that the event
the handler received is the S3 event AWS sends (field for field, typed as AWS types them) and
parses with aws-lambda-powertools' ``S3Event``.

Expectations come from the S3 event reference (shared/reference/aws-triggers.md, 1.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client

ROOT = Path(__file__).resolve().parents[2]
THUMBNAIL_CODE = ROOT / "fixtures" / "functions" / "thumbnail"
CAT_JPG = ROOT / "fixtures" / "images" / "cat.jpg"

FUNCTION = "make-thumbnail"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTION}"
CONFIGURATION_ID = "thumbnail-on-jpeg-upload"
WIDTH = 128

# The keys AWS puts at each level of an ObjectCreated:Put record on an unversioned bucket.
RECORD_KEYS = {
    "eventVersion", "eventSource", "awsRegion", "eventTime", "eventName", "userIdentity",
    "requestParameters", "responseElements", "s3",
}
S3_KEYS = {"s3SchemaVersion", "configurationId", "bucket", "object"}
BUCKET_KEYS = {"name", "ownerIdentity", "arn"}
OBJECT_KEYS = {"key", "size", "eTag", "sequencer"}  # no versionId: the bucket is unversioned
EVENT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
HEX = re.compile(r"[0-9A-Fa-f]+")
MD5_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """`eventsim serve` that knows make-thumbnail and nothing else: no buckets, no triggers."""
    base = tmp_path_factory.mktemp("serve-boto3")
    load = base / "functions-only.yaml"
    load.write_text(
        "name: thumbnail-function-only\n"
        "functions:\n"
        f"  {FUNCTION}:\n"
        "    Runtime: python3.12\n"
        "    Handler: app.lambda_handler\n"
        f"    CodeUri: {json.dumps(str(THUMBNAIL_CODE))}\n"
        "    Timeout: 10\n"
        "    MemorySize: 256\n"
        "    Environment:\n"
        "      Variables:\n"
        "        DEST_BUCKET: thumbnails\n"
        f"        WIDTH: {WIDTH}\n",
        encoding="utf-8",
    )
    process = ServeProcess(base / "state", load=load)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def s3(server: ServeProcess) -> Any:
    return boto3_client("s3", server.url)


NOTIFICATION = {
    "LambdaFunctionConfigurations": [
        {
            "Id": CONFIGURATION_ID,
            "LambdaFunctionArn": FUNCTION_ARN,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}},
        }
    ]
}


@pytest.fixture(scope="module")
def wired(s3: Any) -> dict[str, Any]:
    """Buckets created and the trigger wired through boto3; returns what Get gave back."""
    s3.create_bucket(Bucket="uploads")
    s3.create_bucket(Bucket="thumbnails")
    s3.put_bucket_notification_configuration(
        Bucket="uploads", NotificationConfiguration=NOTIFICATION
    )
    got = s3.get_bucket_notification_configuration(Bucket="uploads")
    got.pop("ResponseMetadata", None)
    return dict(got)


def _last_seq(server: ServeProcess) -> int:
    rows = server.get(f"/_eventsim/api/invocations?function={FUNCTION}&limit=1")["items"]
    return max((row["seq"] for row in rows), default=0)


def _upload_and_settle(server: ServeProcess, s3: Any, key: str) -> dict[str, Any]:
    """Put `key` (the cat image) into uploads, wait for quiet; the put and what it caused."""
    body = CAT_JPG.read_bytes()
    before = _last_seq(server)
    put = s3.put_object(Bucket="uploads", Key=key, Body=body, ContentType="image/jpeg")
    settled = server.post("/_eventsim/api/settle?timeout=60")
    assert settled["settled"], settled
    rows = server.get(
        f"/_eventsim/api/invocations?function={FUNCTION}&after={before}&detail=full"
    )["items"]
    return {"put": put, "body": body, "invocations": rows}


@pytest.fixture(scope="module")
def cat_upload(server: ServeProcess, s3: Any, wired: dict[str, Any]) -> dict[str, Any]:
    return _upload_and_settle(server, s3, "cats/cat.jpg")


@pytest.fixture(scope="module")
def spaced_upload(server: ServeProcess, s3: Any, wired: dict[str, Any]) -> dict[str, Any]:
    return _upload_and_settle(server, s3, "cats/my cat.jpg")


def _only_invocation(upload: dict[str, Any]) -> dict[str, Any]:
    rows = upload["invocations"]
    assert len(rows) == 1, [(r["status"], r["trigger"]) for r in rows]
    return dict(rows[0])


def _event(upload: dict[str, Any]) -> dict[str, Any]:
    return dict(_only_invocation(upload)["event"])


# -- wiring -------------------------------------------------------------------------------------


def test_notification_configuration_put_with_boto3_reads_back_the_same(
    wired: dict[str, Any],
) -> None:
    assert set(wired) == {"LambdaFunctionConfigurations"}
    [config] = wired["LambdaFunctionConfigurations"]
    assert set(config) == {"Id", "LambdaFunctionArn", "Events", "Filter"}
    assert config["Id"] == CONFIGURATION_ID
    assert config["LambdaFunctionArn"] == FUNCTION_ARN
    assert config["Events"] == ["s3:ObjectCreated:*"]
    [rule] = config["Filter"]["Key"]["FilterRules"]
    assert set(config["Filter"]) == {"Key"}
    assert set(config["Filter"]["Key"]) == {"FilterRules"}
    # S3 accepts rule names in any case and reads them back capitalised (aws-triggers.md 2.3).
    assert rule == {"Name": "Suffix", "Value": ".jpg"}


# -- the workflow -------------------------------------------------------------------------------


def test_jpeg_upload_runs_make_thumbnail_once_asynchronously_and_successfully(
    cat_upload: dict[str, Any],
) -> None:
    row = _only_invocation(cat_upload)
    assert row["function"] == FUNCTION
    assert row["status"] == "Success", (row["error"], row["logs"])
    assert row["invocation_type"] == "Event"  # S3 invokes Lambda asynchronously
    assert row["attempt"] == 1
    [made] = row["result"]["thumbnails"]
    assert made["source"] == "uploads/cats/cat.jpg"
    assert made["destination"] == "thumbnails/cats/cat.jpg"
    assert 0 < made["width"] <= WIDTH and 0 < made["height"] <= WIDTH
    assert "thumbnail uploads/cats/cat.jpg -> thumbnails/cats/cat.jpg" in row["logs"]


def test_jpeg_upload_leaves_a_jpeg_thumbnail_at_most_128_wide_with_the_aspect_ratio_kept(
    s3: Any, cat_upload: dict[str, Any]
) -> None:
    got = s3.get_object(Bucket="thumbnails", Key="cats/cat.jpg")
    assert got["ContentType"] == "image/jpeg"
    with Image.open(io.BytesIO(cat_upload["body"])) as original:
        width, height = original.size
    with Image.open(io.BytesIO(got["Body"].read())) as thumbnail:
        assert thumbnail.format == "JPEG"
        t_width, t_height = thumbnail.size
    assert t_width <= WIDTH and t_height <= WIDTH
    assert max(t_width, t_height) == min(WIDTH, max(width, height))  # shrunk to fit the box
    # Pillow rounds the shorter side: the ratio holds to within one pixel.
    assert abs(t_width * height - t_height * width) <= max(width, height)


def test_non_jpeg_upload_is_filtered_out_by_the_suffix_rule(
    server: ServeProcess, s3: Any, wired: dict[str, Any]
) -> None:
    before = _last_seq(server)
    s3.put_object(Bucket="uploads", Key="cats/notes.txt", Body=b"not an image")
    assert server.post("/_eventsim/api/settle?timeout=60")["settled"]
    rows = server.get(f"/_eventsim/api/invocations?function={FUNCTION}&after={before}")
    assert rows["items"] == []


# -- the event the handler received -------------------------------------------------------------


def test_received_event_has_exactly_the_fields_aws_sends_at_every_level(
    cat_upload: dict[str, Any],
) -> None:
    event = _event(cat_upload)
    assert set(event) == {"Records"}
    assert len(event["Records"]) == 1  # one record per notification
    [record] = event["Records"]
    assert set(record) == RECORD_KEYS
    assert set(record["userIdentity"]) == {"principalId"}
    assert set(record["requestParameters"]) == {"sourceIPAddress"}
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    assert set(record["s3"]) == S3_KEYS
    assert set(record["s3"]["bucket"]) == BUCKET_KEYS
    assert set(record["s3"]["bucket"]["ownerIdentity"]) == {"principalId"}
    assert set(record["s3"]["object"]) == OBJECT_KEYS
    assert "versionId" not in record["s3"]["object"]


def test_received_event_parses_with_powertools_s3event_typed_as_aws_sends_it(
    cat_upload: dict[str, Any],
) -> None:
    raw = _event(cat_upload)
    put = cat_upload["put"]
    body: bytes = cat_upload["body"]
    event = S3Event(raw)
    records = list(event.records)
    assert len(records) == 1
    record = records[0]

    assert record.event_version == "2.1"
    assert record.event_source == "aws:s3"
    assert record.aws_region == "us-east-1"
    assert record.event_name == "ObjectCreated:Put"

    assert isinstance(record.event_time, str)
    assert EVENT_TIME.fullmatch(record.event_time), record.event_time
    sent = dt.datetime.fromisoformat(record.event_time.replace("Z", "+00:00"))
    assert abs(dt.datetime.now(dt.UTC) - sent) < dt.timedelta(minutes=5)

    principal = record.user_identity.principal_id
    assert isinstance(principal, str) and principal
    source_ip = record.request_parameters.source_ip_address
    assert isinstance(source_ip, str) and source_ip
    elements = record.response_elements
    assert isinstance(elements["x-amz-request-id"], str) and elements["x-amz-request-id"]
    assert isinstance(elements["x-amz-id-2"], str) and elements["x-amz-id-2"]

    message = record.s3
    assert message.s3_schema_version == "1.0"
    assert message.configuration_id == CONFIGURATION_ID
    assert message.bucket.name == "uploads"
    owner = message.bucket.owner_identity.principal_id
    assert isinstance(owner, str) and owner
    assert message.bucket.arn == "arn:aws:s3:::uploads"
    assert event.bucket_name == "uploads"

    obj = message.get_object
    assert obj.key == "cats/cat.jpg"
    assert event.object_key == "cats/cat.jpg"
    raw_object = raw["Records"][0]["s3"]["object"]
    # powertools' size does int(); the raw value itself must already be a JSON integer.
    assert type(raw_object["size"]) is int
    assert obj.size == len(body)
    assert isinstance(raw_object["eTag"], str)
    assert MD5_HEX.fullmatch(obj.etag), obj.etag  # bare hex MD5, no quotes
    assert obj.etag == hashlib.md5(body).hexdigest()
    assert obj.etag == put["ETag"].strip('"')
    assert isinstance(obj.sequencer, str)
    assert HEX.fullmatch(obj.sequencer), obj.sequencer
    assert obj.version_id is None  # unversioned bucket
    assert record.glacier_event_data is None
    assert record.intelligent_tiering_event_data is None


def test_received_event_response_elements_are_the_ids_of_the_put_that_caused_it(
    cat_upload: dict[str, Any],
) -> None:
    # S3's guide (notification-content-structure): x-amz-request-id and x-amz-id-2 "are the
    # same as those that Amazon S3 returns in the response to the request that initiates the
    # events ... so they can be used to match the event to the request".
    elements = S3Event(_event(cat_upload)).record.response_elements
    headers = cat_upload["put"]["ResponseMetadata"]
    assert elements == {
        "x-amz-request-id": headers["RequestId"],
        "x-amz-id-2": headers["HostId"],
    }


def test_key_with_a_space_arrives_form_encoded_and_powertools_decodes_it(
    s3: Any, spaced_upload: dict[str, Any]
) -> None:
    row = _only_invocation(spaced_upload)
    assert row["status"] == "Success", (row["error"], row["logs"])
    raw = row["event"]
    [record] = raw["Records"]
    assert set(record["s3"]["object"]) == OBJECT_KEYS
    assert record["s3"]["object"]["key"] == "cats/my+cat.jpg"  # not my%20cat.jpg
    assert record["s3"]["object"]["key"] != quote("cats/my cat.jpg")
    event = S3Event(raw)
    assert event.object_key == "cats/my cat.jpg"
    assert event.record.s3.get_object.key == "cats/my+cat.jpg"  # powertools leaves it raw
    assert event.record.s3.get_object.size == len(spaced_upload["body"])
    # The handler decoded the key too, so the thumbnail has the real name.
    head = s3.head_object(Bucket="thumbnails", Key="cats/my cat.jpg")
    assert head["ContentType"] == "image/jpeg"
