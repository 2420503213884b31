"""S3 versioning through the Python API: the events versioned writes and deletes notify, the
null version of suspended buckets, tags of older versions, listings, and state that
survives a restart. (The wire behaviour is compared with moto in
tests/differential/test_s3_versioning.py.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"
EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e"


async def _versioned(sim: Simulator, state: str = "Enabled") -> str:
    url = (await sim.sqs.create_queue(queue_name="events"))["QueueUrl"]
    await sim.s3.create_bucket(bucket="docs")
    await sim.s3.put_bucket_notification_configuration(
        bucket="docs", notification_configuration={"QueueConfigurations": [{
            "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*",
                                          "s3:ObjectTagging:*"]}]})
    await sim.s3.put_bucket_versioning(bucket="docs",
                                       versioning_configuration={"Status": state})
    return str(url)


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def _events(sim: Simulator, url: str) -> list[tuple[str, dict[str, Any]]]:
    """(eventName, s3.object) of each S3 event on the queue, the test event left out."""
    await sim.settle()
    found = []
    while True:
        batch = (await sim.sqs.receive_message(queue_url=url, max_number_of_messages=10)) \
            .get("Messages", [])
        if not batch:
            return found
        for message in batch:
            body = json.loads(message["Body"])
            for record in body.get("Records", []):
                found.append((record["eventName"], record["s3"]["object"]))


async def _code(coro: Any) -> tuple[str, int]:
    with pytest.raises(AwsError) as raised:
        await coro
    return raised.value.code, raised.value.status_code


@pytest.mark.asyncio
async def test_events_name_the_versions_they_are_about(sim: Simulator) -> None:
    url = await _versioned(sim)
    put = await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one")
    marker = await sim.s3.delete_object(bucket="docs", key="a.txt")
    await sim.s3.delete_object(bucket="docs", key="a.txt", version_id=put["VersionId"])
    events = await _events(sim, url)
    assert [name for name, _ in events] == [
        "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"]
    created, marked, deleted = (obj for _, obj in events)
    assert created["versionId"] == put["VersionId"] and created["size"] == 3
    # A delete marker's event names the marker and carries the empty body's ETag.
    assert marked["versionId"] == marker["VersionId"] and marked["eTag"] == EMPTY_ETAG
    assert deleted["versionId"] == put["VersionId"] and "eTag" not in deleted


@pytest.mark.asyncio
async def test_a_suspended_bucket_writes_the_null_version_and_its_events_name_none(
    sim: Simulator,
) -> None:
    url = await _versioned(sim, "Suspended")
    first = await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one")
    second = await sim.s3.put_object(bucket="docs", key="a.txt", body=b"two")
    assert first["VersionId"] == second["VersionId"] == "null"
    listed = await sim.s3.list_object_versions(bucket="docs")
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [("null", True)]
    assert all("versionId" not in obj for _, obj in await _events(sim, url))


@pytest.mark.asyncio
async def test_a_versioned_bucket_keeps_the_null_version_written_before(
    sim: Simulator,
) -> None:
    await sim.s3.create_bucket(bucket="docs")
    await sim.s3.put_object(bucket="docs", key="a.txt", body=b"before")
    # A bucket that never had versioning names no version.
    assert "VersionId" not in await sim.s3.head_object(bucket="docs", key="a.txt")
    await sim.s3.put_bucket_versioning(bucket="docs",
                                       versioning_configuration={"Status": "Enabled"})
    assert (await sim.s3.head_object(bucket="docs", key="a.txt"))["VersionId"] == "null"
    await sim.s3.put_object(bucket="docs", key="a.txt", body=b"after")
    old = await sim.s3.get_object(bucket="docs", key="a.txt", version_id="null")
    assert old["Body"] == b"before" and old["VersionId"] == "null"


@pytest.mark.asyncio
async def test_deleting_the_latest_version_brings_back_the_one_before(sim: Simulator) -> None:
    await _versioned(sim)
    one = await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one")
    two = await sim.s3.put_object(bucket="docs", key="a.txt", body=b"two")
    await sim.s3.delete_object(bucket="docs", key="a.txt", version_id=two["VersionId"])
    current = await sim.s3.get_object(bucket="docs", key="a.txt")
    assert (current["Body"], current["VersionId"]) == (b"one", one["VersionId"])
    listed = await sim.s3.list_objects_v2(bucket="docs")
    assert [o["Key"] for o in listed["Contents"]] == ["a.txt"]


@pytest.mark.asyncio
async def test_a_delete_marker_hides_the_key_and_tells_so(sim: Simulator) -> None:
    await _versioned(sim)
    await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one")
    marker = (await sim.s3.delete_object(bucket="docs", key="a.txt"))["VersionId"]
    with pytest.raises(AwsError) as raised:
        await sim.s3.get_object(bucket="docs", key="a.txt")
    assert raised.value.code == "NoSuchKey"
    assert raised.value.headers == {"x-amz-delete-marker": "true", "x-amz-version-id": marker}
    assert await _code(sim.s3.head_object(bucket="docs", key="a.txt", version_id=marker)) == (
        "MethodNotAllowed", 405)
    assert (await sim.s3.list_objects_v2(bucket="docs")).get("Contents", []) == []
    # A second delete puts a second marker on top.
    again = (await sim.s3.delete_object(bucket="docs", key="a.txt"))["VersionId"]
    markers = (await sim.s3.list_object_versions(bucket="docs"))["DeleteMarkers"]
    assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [(again, True), (marker, False)]


@pytest.mark.asyncio
async def test_older_versions_keep_tags_of_their_own(sim: Simulator) -> None:
    await _versioned(sim)
    one = (await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one",
                                   tagging="v=1"))["VersionId"]
    await sim.s3.put_object(bucket="docs", key="a.txt", body=b"two", tagging="v=2")
    answer = await sim.s3.put_object_tagging(
        bucket="docs", key="a.txt", version_id=one,
        tagging={"TagSet": [{"Key": "v", "Value": "first"}]})
    assert answer == {"VersionId": one}
    older = await sim.s3.get_object_tagging(bucket="docs", key="a.txt", version_id=one)
    current = await sim.s3.get_object_tagging(bucket="docs", key="a.txt")
    assert older["TagSet"] == [{"Key": "v", "Value": "first"}]
    assert current["TagSet"] == [{"Key": "v", "Value": "2"}]


@pytest.mark.asyncio
async def test_list_object_versions_groups_common_prefixes(sim: Simulator) -> None:
    await _versioned(sim)
    for key in ("logs/a", "logs/a", "logs/b", "top"):
        await sim.s3.put_object(bucket="docs", key=key, body=b"x")
    listed = await sim.s3.list_object_versions(bucket="docs", delimiter="/")
    assert listed["CommonPrefixes"] == [{"Prefix": "logs/"}]
    assert [v["Key"] for v in listed["Versions"]] == ["top"]
    inside = await sim.s3.list_object_versions(bucket="docs", prefix="logs/")
    assert [(v["Key"], v["IsLatest"]) for v in inside["Versions"]] == [
        ("logs/a", True), ("logs/a", False), ("logs/b", True)]
    first = await sim.s3.list_object_versions(bucket="docs", prefix="logs/", max_keys=2)
    rest = await sim.s3.list_object_versions(
        bucket="docs", prefix="logs/", key_marker=first["NextKeyMarker"],
        version_id_marker=first["NextVersionIdMarker"])
    assert [v["Key"] for v in first["Versions"] + rest["Versions"]] == [
        "logs/a", "logs/a", "logs/b"]
    assert first["IsTruncated"] and not rest["IsTruncated"]


@pytest.mark.asyncio
async def test_multipart_uploads_and_copies_make_versions(sim: Simulator) -> None:
    await _versioned(sim)
    one = (await sim.s3.put_object(bucket="docs", key="a.txt", body=b"one"))["VersionId"]
    await sim.s3.put_object(bucket="docs", key="a.txt", body=b"two")
    upload = (await sim.s3.create_multipart_upload(bucket="docs", key="big"))["UploadId"]
    part = await sim.s3.upload_part_copy(
        bucket="docs", key="big", upload_id=upload, part_number=1,
        copy_source={"Bucket": "docs", "Key": "a.txt", "VersionId": one})
    assert part["CopySourceVersionId"] == one
    done = await sim.s3.complete_multipart_upload(
        bucket="docs", key="big", upload_id=upload, multipart_upload={
            "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert len(done["VersionId"]) == 32
    assert (await sim.s3.get_object(bucket="docs", key="big"))["Body"] == b"one"


@pytest.mark.asyncio
async def test_versions_and_markers_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        await first.s3.create_bucket(bucket="docs")
        await first.s3.put_bucket_versioning(bucket="docs",
                                             versioning_configuration={"Status": "Enabled"})
        one = (await first.s3.put_object(bucket="docs", key="a", body=b"one"))["VersionId"]
        await first.s3.delete_object(bucket="docs", key="a")
    async with Simulator(config) as second:
        assert (await second.s3.get_bucket_versioning(bucket="docs")) == {"Status": "Enabled"}
        assert (await second.s3.get_object(bucket="docs", key="a", version_id=one))["Body"] \
            == b"one"
        listed = await second.s3.list_object_versions(bucket="docs")
        assert [m["IsLatest"] for m in listed["DeleteMarkers"]] == [True]
        # Still versioned after the restart: a new write makes a new version.
        again = await second.s3.put_object(bucket="docs", key="a", body=b"two")
        assert again["VersionId"] not in ("null", one)


@pytest.mark.asyncio
async def test_wrong_versioning_requests_get_s3_errors(sim: Simulator) -> None:
    await sim.s3.create_bucket(bucket="docs")
    assert await _code(sim.s3.put_bucket_versioning(
        bucket="docs", versioning_configuration={"Status": "On"})) == ("MalformedXML", 400)
    assert (await _code(sim.s3.put_bucket_versioning(
        bucket="docs", versioning_configuration={"Status": "Enabled", "MFADelete": "Enabled"}
    )))[0] == "NotImplemented"
    assert await _code(sim.s3.get_bucket_versioning(bucket="nope")) == ("NoSuchBucket", 404)
    assert await _code(sim.s3.list_object_versions(
        bucket="docs", version_id_marker="null")) == ("InvalidArgument", 400)
    assert await _code(sim.s3.delete_object(bucket="docs", key="a", version_id="bad")) == (
        "InvalidArgument", 400)
