"""S3 multipart uploads through the Python API: what the gateway tests cannot see (restarts,
the multipart ETag's arithmetic, copies of a multipart object)."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig
from eventsim.services.s3.multipart import MIN_PART_SIZE, multipart_etag


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        await simulator.s3.create_bucket(bucket="bkt")
        yield simulator


def test_the_multipart_etag_is_the_md5_of_the_parts_md5s_and_their_count() -> None:
    parts = [b"a" * 10, b"b" * 3]
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    expected = f'"{hashlib.md5(digests).hexdigest()}-2"'
    assert multipart_etag([f'"{hashlib.md5(p).hexdigest()}"' for p in parts]) == expected


@pytest.mark.asyncio
async def test_an_upload_in_progress_and_its_parts_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    first = b"x" * MIN_PART_SIZE
    async with Simulator(config) as sim:
        await sim.s3.create_bucket(bucket="bkt")
        upload = await sim.s3.create_multipart_upload(bucket="bkt", key="k",
                                                      content_type="text/plain")
        one = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload["UploadId"],
                                       part_number=1, body=first)
    async with Simulator(config) as sim:
        two = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload["UploadId"],
                                       part_number=2, body=b"tail")
        done = await sim.s3.complete_multipart_upload(
            bucket="bkt", key="k", upload_id=upload["UploadId"],
            multipart_upload={"Parts": [{"PartNumber": 1, "ETag": one["ETag"]},
                                        {"PartNumber": 2, "ETag": two["ETag"]}]})
        got = await sim.s3.get_object(bucket="bkt", key="k")
    assert got["Body"] == first + b"tail"
    assert got["ContentType"] == "text/plain"
    assert got["ETag"] == done["ETag"] == multipart_etag([one["ETag"], two["ETag"]])


@pytest.mark.asyncio
async def test_parts_left_out_of_the_completion_are_discarded(sim: Simulator) -> None:
    upload = (await sim.s3.create_multipart_upload(bucket="bkt", key="k"))["UploadId"]
    kept = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload, part_number=1,
                                    body=b"kept")
    await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload, part_number=2,
                             body=b"left out")
    await sim.s3.complete_multipart_upload(
        bucket="bkt", key="k", upload_id=upload,
        multipart_upload={"Parts": [{"PartNumber": 1, "ETag": kept["ETag"]}]})
    assert (await sim.s3.get_object(bucket="bkt", key="k"))["Body"] == b"kept"
    count = await sim.db.read(
        lambda c: c.execute("SELECT COUNT(*) FROM multipart_parts").fetchone()[0])
    assert count == 0


@pytest.mark.asyncio
async def test_a_copy_of_a_multipart_object_has_a_single_part_etag(sim: Simulator) -> None:
    upload = (await sim.s3.create_multipart_upload(bucket="bkt", key="k"))["UploadId"]
    part = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload, part_number=1,
                                    body=b"body")
    await sim.s3.complete_multipart_upload(
        bucket="bkt", key="k", upload_id=upload,
        multipart_upload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    copied = await sim.s3.copy_object(bucket="bkt", key="copy", copy_source="bkt/k")
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"body").hexdigest()}"'


@pytest.mark.asyncio
async def test_a_failed_completion_leaves_the_upload_as_it_was(sim: Simulator) -> None:
    upload = (await sim.s3.create_multipart_upload(bucket="bkt", key="k"))["UploadId"]
    small = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload, part_number=1,
                                     body=b"too small to be first")
    last = await sim.s3.upload_part(bucket="bkt", key="k", upload_id=upload, part_number=2,
                                    body=b"last")
    parts = [{"PartNumber": 1, "ETag": small["ETag"]}, {"PartNumber": 2, "ETag": last["ETag"]}]
    with pytest.raises(AwsError) as exc:
        await sim.s3.complete_multipart_upload(bucket="bkt", key="k", upload_id=upload,
                                               multipart_upload={"Parts": parts})
    assert exc.value.code == "EntityTooSmall"
    listed = await sim.s3.list_parts(bucket="bkt", key="k", upload_id=upload)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2]
    with pytest.raises(AwsError) as missing:
        await sim.s3.get_object(bucket="bkt", key="k")
    assert missing.value.code == "NoSuchKey"


@pytest.mark.asyncio
async def test_list_multipart_uploads_pages_by_key_and_upload(sim: Simulator) -> None:
    ids = [(await sim.s3.create_multipart_upload(bucket="bkt", key=key))["UploadId"]
           for key in ("a", "b", "b", "c/d")]
    first = await sim.s3.list_multipart_uploads(bucket="bkt", max_uploads=2)
    assert [u["Key"] for u in first["Uploads"]] == ["a", "b"]
    assert first["IsTruncated"] is True
    rest = await sim.s3.list_multipart_uploads(
        bucket="bkt", key_marker=first["NextKeyMarker"],
        upload_id_marker=first["NextUploadIdMarker"])
    assert [u["Key"] for u in rest["Uploads"]] == ["b", "c/d"]
    assert {u["UploadId"] for u in first["Uploads"] + rest["Uploads"]} == set(ids)
    only = await sim.s3.list_multipart_uploads(bucket="bkt", prefix="c/")
    assert [u["Key"] for u in only["Uploads"]] == ["c/d"]
