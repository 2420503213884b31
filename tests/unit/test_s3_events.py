"""S3 event documents against AWS's own examples, and against Powertools' readers."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.parser.models import S3Model

from eventsim.events.s3 import (
    EMPTY_ETAG,
    encode_key,
    event_version_for,
    format_event_time,
    new_host_id,
    new_request_id,
    s3_event,
    s3_event_json,
    s3_event_record,
    s3_test_event,
    sequencer_for,
)

GOLDEN = Path(__file__).parent.parent / "golden" / "s3"

# The inputs behind the Lambda Developer Guide's example (2019-09-03T19:37:27.192Z).
LAMBDA_GUIDE: dict[str, Any] = dict(
    bucket="lambda-artifacts-deafc19498e3f2df",
    key="b21b84d653bb07b05b1e6b33684dc11b",
    region="us-east-2",
    event_time=1567539447.192,
    configuration_id="828aa6fc-f7b5-4305-8584-487c791949c1",
    request_id="D82B88E5F771F645",
    host_id="vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=",
    principal_id="AWS:AIDAINPONIXQXHT3IKHL2",
    source_ip="205.255.255.255",
    owner_id="A3I5XTEXAMAI3E",
)


def _golden(name: str) -> Any:
    return json.loads((GOLDEN / name).read_text())


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


def _record(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        **LAMBDA_GUIDE,
        "event_name": "ObjectCreated:Put",
        "size": 1305107,
        "etag": "b21b84d653bb07b05b1e6b33684dc11b",
        "sequencer": "0C0F6F405D6ED209E1",
    }
    args.update(overrides)
    return s3_event_record(**args)


# -- golden documents ------------------------------------------------------------------------


def test_put_record_reproduces_the_s3_user_guide_example() -> None:
    record = s3_event_record(
        event_name="s3:ObjectCreated:Put",
        bucket="mybucket",
        key="HappyFace.jpg",
        region="us-west-2",
        event_time=0.0,
        configuration_id="testConfigRule",
        request_id="C3D13FE58DE4C810",
        host_id="FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        principal_id="AIDAJDPLRKLG7UEXAMPLE",
        source_ip="127.0.0.1",
        size=1024,
        etag='"d41d8cd98f00b204e9800998ecf8427e"',
        sequencer="0055AED6DCD90281E5",
        version_id="096fKKXTRTtl3on89fVO.nfljtsv6qko",
        owner_id="A3NL1KOZZKExample",
    )
    _assert_same_document(s3_event([record]), _golden("object_created_put.json"))


def test_put_record_reproduces_the_lambda_guide_example() -> None:
    _assert_same_document(s3_event([_record()]), _golden("object_created_put_lambda_guide.json"))


def test_delete_record_reproduces_the_lambda_guide_example() -> None:
    record = _record(event_name="ObjectRemoved:Delete", size=None, etag=None)
    _assert_same_document(s3_event([record]), _golden("object_removed_delete.json"))


def test_test_event_reproduces_the_s3_user_guide_example() -> None:
    event = s3_test_event(
        bucket="bucketname",
        event_time=1413215822.089,
        request_id="5582815E1AEA5ADF",
        host_id="8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    )
    _assert_same_document(event, _golden("test_event.json"))


# -- which fields exist for which event ------------------------------------------------------


def test_removed_events_drop_size_and_etag_even_when_given() -> None:
    obj = _record(event_name="ObjectRemoved:Delete")["s3"]["object"]
    assert list(obj) == ["key", "sequencer"]


def test_delete_marker_carries_the_empty_object_etag() -> None:
    obj = _record(
        event_name="ObjectRemoved:DeleteMarkerCreated", size=None, etag=None, version_id="v2"
    )["s3"]["object"]
    assert obj == {
        "key": LAMBDA_GUIDE["key"],
        "eTag": EMPTY_ETAG,
        "versionId": "v2",
        "sequencer": "0C0F6F405D6ED209E1",
    }
    assert list(obj) == ["key", "eTag", "versionId", "sequencer"]


@pytest.mark.parametrize(
    "event_name",
    [
        pytest.param("ObjectTagging:Put", id="tagging-put"),
        pytest.param("ObjectTagging:Delete", id="tagging-delete"),
        pytest.param("ObjectAcl:Put", id="acl-put"),
    ],
)
def test_metadata_events_carry_etag_but_no_size_or_sequencer(event_name: str) -> None:
    record = _record(event_name=event_name)
    assert record["s3"]["object"] == {"key": LAMBDA_GUIDE["key"], "eTag": LAMBDA_GUIDE["key"]}
    assert record["eventVersion"] == "2.3"


def test_version_id_is_absent_unless_given() -> None:
    assert "versionId" not in _record()["s3"]["object"]
    assert _record(version_id="abc")["s3"]["object"]["versionId"] == "abc"


def test_event_name_drops_the_s3_prefix() -> None:
    assert _record(event_name="s3:ObjectCreated:Copy")["eventName"] == "ObjectCreated:Copy"


def test_etag_quotes_are_stripped() -> None:
    assert _record(etag='"abc"')["s3"]["object"]["eTag"] == "abc"


def test_multipart_etag_keeps_its_part_count() -> None:
    etag = "8eabe9d6b43316e840b079170916c079-1"
    record = _record(event_name="ObjectCreated:CompleteMultipartUpload", etag=etag)
    assert record["s3"]["object"]["eTag"] == etag


@pytest.mark.parametrize(
    ("event_name", "version"),
    [
        pytest.param("ObjectCreated:Put", "2.1", id="created"),
        pytest.param("ObjectRemoved:DeleteMarkerCreated", "2.1", id="removed"),
        pytest.param("ObjectRestore:Completed", "2.1", id="restore-completed"),
        pytest.param("ObjectRestore:Delete", "2.3", id="restore-delete"),
        pytest.param("Replication:OperationFailedReplication", "2.2", id="replication"),
        pytest.param("LifecycleExpiration:Delete", "2.3", id="lifecycle-expiration"),
        pytest.param("s3:LifecycleTransition", "2.3", id="lifecycle-transition"),
        pytest.param("IntelligentTiering", "2.3", id="intelligent-tiering"),
        pytest.param("ObjectAcl:Put", "2.3", id="acl"),
    ],
)
def test_event_version_follows_the_event_type(event_name: str, version: str) -> None:
    assert event_version_for(event_name) == version


# -- key encoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        pytest.param("red flower.jpg", "red+flower.jpg", id="s3-docs-space"),
        pytest.param("this im + age blah.txt", "this+im+%2B+age+blah.txt", id="plus-sign"),
        pytest.param("a@b", "a%40b", id="at-sign"),
        pytest.param(
            "files/2017-11-15 14:22:21_file.csv",
            "files/2017-11-15+14%3A22%3A21_file.csv",
            id="colons",
        ),
        pytest.param("logs/year=2026/a.json", "logs/year%3D2026/a.json", id="equals"),
        pytest.param("photos/red flower(1).jpg", "photos/red+flower%281%29.jpg", id="parens"),
        pytest.param("dir/sub/file.txt", "dir/sub/file.txt", id="slashes-kept"),
        pytest.param("caf\u00e9.txt", "caf%C3%A9.txt", id="utf8"),
    ],
)
def test_key_is_form_url_encoded_with_slashes_kept(raw: str, encoded: str) -> None:
    assert encode_key(raw) == encoded
    assert unquote_plus(encoded) == raw


def test_key_with_space_is_encoded_with_plus() -> None:
    assert _record(key="red flower.jpg")["s3"]["object"]["key"] == "red+flower.jpg"


# -- times and identifiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        pytest.param(0.0, "1970-01-01T00:00:00.000Z", id="epoch"),
        pytest.param(1567539447.192, "2019-09-03T19:37:27.192Z", id="float-below-millis"),
        pytest.param(1714564800.0007, "2024-05-01T12:00:00.001Z", id="rounds-to-nearest"),
        pytest.param(1714564800.9999, "2024-05-01T12:00:01.000Z", id="carries-into-seconds"),
    ],
)
def test_event_time_is_iso_utc_with_milliseconds(epoch: float, text: str) -> None:
    assert format_event_time(epoch) == text


def _sequencer_order(a: str, b: str) -> int:
    # AWS's rule: left-pad the shorter with zeros, then compare the strings.
    width = max(len(a), len(b))
    left, right = a.rjust(width, "0"), b.rjust(width, "0")
    return (left > right) - (left < right)


def test_sequencers_are_uppercase_hex_that_grow_with_the_counter() -> None:
    counters = [0, 1, 9, 10, 255, 1_714_564_800_123_456, 16**18 - 1, 16**18, 16**20]
    sequencers = [sequencer_for(c) for c in counters]
    assert sequencers[0] == "000000000000000000"
    assert sequencer_for(0x55AED6DCD90281E5) == "0055AED6DCD90281E5"
    assert all(re.fullmatch(r"[0-9A-F]{18,}", s) for s in sequencers)
    for earlier, later in itertools.pairwise(sequencers):
        assert _sequencer_order(earlier, later) == -1


def test_sequencer_rejects_a_negative_counter() -> None:
    with pytest.raises(ValueError, match="negative"):
        sequencer_for(-1)


def test_request_id_looks_like_s3s() -> None:
    ids = {new_request_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[0-9A-F]{16}", i) for i in ids)


def test_host_id_looks_like_s3s() -> None:
    host_id = new_host_id()
    assert len(host_id) == 76
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", host_id)
    assert new_host_id() != host_id


# -- what handlers see through Powertools ------------------------------------------------------


def test_record_reads_through_powertools_data_class() -> None:
    raw = "uploads/red flower+1.jpg"
    event = S3Event(s3_event([_record(key=raw, version_id="v1")]))
    record = event.record
    assert event.bucket_name == LAMBDA_GUIDE["bucket"]
    assert event.object_key == raw
    assert record.event_version == "2.1"
    assert record.event_source == "aws:s3"
    assert record.aws_region == "us-east-2"
    assert record.event_time == "2019-09-03T19:37:27.192Z"
    assert record.event_name == "ObjectCreated:Put"
    assert record.user_identity.principal_id == "AWS:AIDAINPONIXQXHT3IKHL2"
    assert record.request_parameters.source_ip_address == "205.255.255.255"
    assert record.response_elements["x-amz-request-id"] == "D82B88E5F771F645"
    assert record.response_elements["x-amz-id-2"] == LAMBDA_GUIDE["host_id"]
    assert record.glacier_event_data is None
    message = record.s3
    assert message.s3_schema_version == "1.0"
    assert message.configuration_id == LAMBDA_GUIDE["configuration_id"]
    assert message.bucket.name == LAMBDA_GUIDE["bucket"]
    assert message.bucket.arn == f"arn:aws:s3:::{LAMBDA_GUIDE['bucket']}"
    assert message.bucket.owner_identity.principal_id == "A3I5XTEXAMAI3E"
    obj = message.get_object
    assert unquote_plus(obj.key) == raw
    assert isinstance(obj.size, int)
    assert obj.size == 1305107
    assert obj.etag == "b21b84d653bb07b05b1e6b33684dc11b"
    assert obj.version_id == "v1"
    assert obj.sequencer == "0C0F6F405D6ED209E1"


@pytest.mark.parametrize(
    "event_name",
    ["ObjectCreated:Put", "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"],
)
def test_record_validates_against_powertools_parser_model(event_name: str) -> None:
    model = S3Model.model_validate(s3_event([_record(event_name=event_name)]))
    record = model.Records[0]
    assert record.eventName == event_name
    assert record.s3.bucket.arn == f"arn:aws:s3:::{LAMBDA_GUIDE['bucket']}"
    assert record.s3.object is not None
    assert record.s3.object.key == LAMBDA_GUIDE["key"]


_JSON_CASES = itertools.product(
    ["ObjectCreated:Put", "s3:ObjectCreated:Copy", "ObjectRemoved:Delete",
     "ObjectRemoved:DeleteMarkerCreated", "ObjectTagging:Put", "ObjectAcl:Put",
     "Replication:OperationFailedReplication", "LifecycleTransition", "ObjectRestore:Delete"],
    ["plain.jpg", "a b/c+d@e=f.jpg", 'q"uo\\te/ünïcödé/日本'],
    [None, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"],
)


@pytest.mark.parametrize(("event_name", "key", "version_id"), list(_JSON_CASES))
def test_s3_event_json_is_the_record_builders_json(
    event_name: str, key: str, version_id: str | None
) -> None:
    fields: dict[str, Any] = {
        **LAMBDA_GUIDE, "key": key, "event_name": event_name, "version_id": version_id,
        "configuration_id": 'an "id" with ünïcödé', "size": 1024,
        "etag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0055AED6DCD90281E5",
    }
    built = json.dumps(s3_event([s3_event_record(**fields)]), separators=(",", ":"))
    assert s3_event_json(**fields) == built
