"""S3 multipart upload: one sequence of boto3 calls against moto's server and eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP status.
Where they do not, moto is wrong and the step says what AWS does (with the doc it follows);
eventsim's answer is then held to AWS's behaviour instead.

Upload ids differ between the two by nature: the step that creates an upload keeps its id, per
server, under the key it uploads to, and later steps look it up there. Each refused completion
has an upload of its own, so that where moto completes what AWS refuses, the steps after it
still start from the same state on both sides. Values that must be equal (the object's ETag, its
bytes) are checked inside a step by `_facts`, whose answer keeps the names of the facts that
hold: the two servers must agree on those names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any], Any]]

BUCKET = "multipart-differential"
MIB = 1024 * 1024
BIG = b"a" * (5 * MIB)  # the smallest part allowed before the last one
TAIL = b"tail"

_UPLOADS: dict[tuple[str, str], str] = {}
"""(server's endpoint URL, key) -> the id of the upload the steps started for that key."""


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def _multipart_etag(*parts: bytes) -> str:
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def _create(c: Any, key: str, **kwargs: Any) -> Any:
    got = c.create_multipart_upload(Bucket=BUCKET, Key=key, **kwargs)
    _UPLOADS[c.meta.endpoint_url, key] = got["UploadId"]
    return got


def _id(c: Any, key: str) -> str:
    """The upload the steps started for `key` (an id nobody issued if it failed to start)."""
    return _UPLOADS.get((c.meta.endpoint_url, key), "never-created")


def _part(c: Any, key: str, number: int, body: bytes) -> Any:
    return c.upload_part(Bucket=BUCKET, Key=key, UploadId=_id(c, key), PartNumber=number,
                         Body=body)


def _complete(c: Any, key: str, *parts: tuple[int, bytes | str],
              upload_id: str | None = None) -> Any:
    """Complete with (part number, the part's bytes or its ETag) in the order given."""
    listed = [{"PartNumber": n, "ETag": p if isinstance(p, str) else _etag(p)} for n, p in parts]
    return c.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=upload_id or _id(c, key),
        MultipartUpload={"Parts": listed})


def _facts(**checks: bool) -> dict[str, Any]:
    """The names of the checks that hold (their answer's shape keeps the names only)."""
    return {name: {} for name, holds in checks.items() if holds}


def _all_facts(*names: str) -> Callable[[Outcome], bool]:
    return lambda got: got == ("ok", {name: {} for name in names})


def _completed_object(c: Any) -> dict[str, Any]:
    head = c.head_object(Bucket=BUCKET, Key="two-parts")
    got = c.get_object(Bucket=BUCKET, Key="two-parts")
    return _facts(
        etag_is_md5_of_part_digests_and_count=head["ETag"] == _multipart_etag(BIG, TAIL),
        content_length_is_the_total=head["ContentLength"] == len(BIG) + len(TAIL),
        content_type_from_create=head["ContentType"] == "text/plain",
        metadata_from_create=head["Metadata"] == {"colour": "blue"},
        body_is_the_parts_in_order=got["Body"].read() == BIG + TAIL,
    )


def _replaced_part(c: Any) -> dict[str, Any]:
    parts = c.list_parts(Bucket=BUCKET, Key="two-parts", UploadId=_id(c, "two-parts"))["Parts"]
    return _facts(
        parts_sorted_by_number=[p["PartNumber"] for p in parts] == [1, 2],
        sizes=[p["Size"] for p in parts] == [len(BIG), len(TAIL)],
        etags_are_quoted_md5=[p["ETag"] for p in parts] == [_etag(BIG), _etag(TAIL)],
    )


def _one_byte_object(c: Any) -> dict[str, Any]:
    head = c.head_object(Bucket=BUCKET, Key="one-byte")
    return _facts(etag_has_part_count_1=head["ETag"] == _multipart_etag(b"z"),
                  content_length_is_1=head["ContentLength"] == 1)


def _abort(c: Any, key: str) -> dict[str, Any]:
    got = c.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=_id(c, key))
    return _facts(answered_204=got["ResponseMetadata"]["HTTPStatusCode"] == 204)


def _in_progress(c: Any) -> dict[str, Any]:
    uploads = c.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    listed = {(u["Key"], u["UploadId"]) for u in uploads}
    keys = {u["Key"] for u in uploads}
    return _facts(
        in_progress_listed_with_its_id={("too-small", _id(c, "too-small")),
                                        ("bad-parts", _id(c, "bad-parts"))} <= listed,
        completed_not_listed="two-parts" not in keys and "one-byte" not in keys,
        aborted_not_listed="aborted" not in keys,
    )


STEPS: list[Step] = [
    ("create_bucket", lambda c: c.create_bucket(Bucket=BUCKET)),
    ("create_upload_missing_bucket", lambda c: c.create_multipart_upload(
        Bucket="no-such-multipart-bucket", Key="k")),
    ("create_upload", lambda c: _create(c, "two-parts", ContentType="text/plain",
                                        Metadata={"colour": "blue"})),
    ("list_uploads_in_progress", lambda c: c.list_multipart_uploads(Bucket=BUCKET)),
    ("list_uploads_missing_bucket", lambda c: c.list_multipart_uploads(
        Bucket="no-such-multipart-bucket")),
    ("upload_part_number_zero", lambda c: _part(c, "two-parts", 0, b"x")),
    ("upload_part_number_over_10000", lambda c: _part(c, "two-parts", 10001, b"x")),
    ("upload_part_unknown_upload", lambda c: c.upload_part(
        Bucket=BUCKET, Key="two-parts", UploadId="no-such-upload", PartNumber=1, Body=b"x")),
    ("upload_first_part", lambda c: _part(c, "two-parts", 1, BIG)),
    ("upload_last_part", lambda c: _part(c, "two-parts", 2, b"first try")),
    ("upload_last_part_again_replaces_it", lambda c: _part(c, "two-parts", 2, TAIL)),
    ("list_parts", lambda c: c.list_parts(Bucket=BUCKET, Key="two-parts",
                                          UploadId=_id(c, "two-parts"))),
    ("list_parts_shows_the_replacement", _replaced_part),
    ("list_parts_unknown_upload", lambda c: c.list_parts(
        Bucket=BUCKET, Key="two-parts", UploadId="no-such-upload")),
    ("complete_with_the_replaced_parts_etag", lambda c: _complete(
        c, "two-parts", (1, BIG), (2, b"first try"))),
    ("complete_with_a_part_never_uploaded", lambda c: _complete(
        c, "two-parts", (1, BIG), (3, TAIL))),
    ("complete_with_no_parts", lambda c: _complete(c, "two-parts")),
    ("complete_unknown_upload", lambda c: _complete(
        c, "two-parts", (1, BIG), upload_id="no-such-upload")),
    ("complete", lambda c: _complete(c, "two-parts", (1, BIG), (2, TAIL))),
    ("completed_object", _completed_object),
    ("list_parts_after_complete", lambda c: c.list_parts(
        Bucket=BUCKET, Key="two-parts", UploadId=_id(c, "two-parts"))),
    ("upload_part_after_complete", lambda c: _part(c, "two-parts", 3, TAIL)),
    ("create_upload_of_one_byte", lambda c: _create(c, "one-byte")),
    ("upload_one_byte_part", lambda c: _part(c, "one-byte", 1, b"z")),
    ("complete_one_byte_part", lambda c: _complete(c, "one-byte", (1, b"z"))),
    ("completed_one_byte_object", _one_byte_object),
    ("create_upload_with_small_parts", lambda c: _create(c, "too-small")),
    ("upload_small_first_part", lambda c: _part(c, "too-small", 1, b"small")),
    ("upload_small_last_part", lambda c: _part(c, "too-small", 2, TAIL)),
    ("complete_with_a_small_part_before_the_last", lambda c: _complete(
        c, "too-small", (1, b"small"), (2, TAIL))),
    ("create_upload_to_abort", lambda c: _create(c, "aborted")),
    ("upload_part_to_abort", lambda c: _part(c, "aborted", 1, b"x")),
    ("abort_upload", lambda c: _abort(c, "aborted")),
    ("list_parts_after_abort", lambda c: c.list_parts(
        Bucket=BUCKET, Key="aborted", UploadId=_id(c, "aborted"))),
    ("upload_part_after_abort", lambda c: _part(c, "aborted", 2, b"x")),
    ("complete_after_abort", lambda c: _complete(c, "aborted", (1, b"x"))),
    ("abort_unknown_upload", lambda c: c.abort_multipart_upload(
        Bucket=BUCKET, Key="aborted", UploadId="no-such-upload")),
    ("create_upload_for_bad_orders", lambda c: _create(c, "bad-parts")),
    ("upload_first_big_part", lambda c: _part(c, "bad-parts", 1, BIG)),
    ("upload_second_big_part", lambda c: _part(c, "bad-parts", 2, BIG)),
    ("list_uploads_only_in_progress", _in_progress),
    # Last: moto completes this upload where AWS refuses it.
    ("complete_parts_out_of_order", lambda c: _complete(c, "bad-parts", (2, BIG), (1, BIG))),
]

# Where moto is wrong, what AWS does; eventsim's outcome must be this one.
_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"
_NO_SUCH_UPLOAD = ("error", ("NoSuchUpload", 404))


def _completed(got: Outcome) -> bool:
    return got[0] == "ok" and "VersionId" not in got[1] and all(
        got[1].get(k) == "str" for k in ("Bucket", "Key", "ETag", "Location"))


MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "upload_part_number_zero": (
        "PartNumber is 1 to 10,000; AWS answers InvalidArgument "
        f"({_API}API_UploadPart.html); moto answers NoSuchUpload",
        lambda got: got == ("error", ("InvalidArgument", 400)),
    ),
    "upload_part_unknown_upload": (
        f"AWS answers NoSuchUpload for an upload id it never issued ({_API}API_UploadPart.html,"
        " Errors); moto fails with 500 (KeyError)",
        lambda got: got == _NO_SUCH_UPLOAD,
    ),
    "complete_unknown_upload": (
        "AWS answers NoSuchUpload for an upload id it never issued "
        f"({_API}API_CompleteMultipartUpload.html, Errors); moto fails with 500 (KeyError)",
        lambda got: got == _NO_SUCH_UPLOAD,
    ),
    "complete": (
        "x-amz-version-id comes back only from a bucket with versioning on "
        f"({_API}API_CompleteMultipartUpload.html); moto answers VersionId 'null' for a bucket "
        "that never had it",
        _completed,
    ),
    "complete_one_byte_part": (
        "x-amz-version-id comes back only from a bucket with versioning on "
        f"({_API}API_CompleteMultipartUpload.html); moto answers VersionId 'null'",
        _completed,
    ),
    "upload_part_after_complete": (
        "a completed upload is gone and AWS answers NoSuchUpload "
        f"({_API}API_UploadPart.html, Errors); moto fails with 500 (KeyError)",
        lambda got: got == _NO_SUCH_UPLOAD,
    ),
    "upload_part_after_abort": (
        "an aborted upload is gone and AWS answers NoSuchUpload "
        f"({_API}API_UploadPart.html, Errors); moto fails with 500 (KeyError)",
        lambda got: got == _NO_SUCH_UPLOAD,
    ),
    "complete_after_abort": (
        "an aborted upload is gone and AWS answers NoSuchUpload "
        f"({_API}API_CompleteMultipartUpload.html, Errors); moto fails with 500 (KeyError)",
        lambda got: got == _NO_SUCH_UPLOAD,
    ),
    "complete_parts_out_of_order": (
        "\"The list of parts was not in ascending order. The parts list must be specified in "
        f"order by part number\": InvalidPartOrder ({_API}API_CompleteMultipartUpload.html, "
        "Errors); moto completes the upload",
        lambda got: got == ("error", ("InvalidPartOrder", 400)),
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    return run_steps(*clients("s3"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_like_moto_or_like_aws_where_moto_is_wrong(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)


@pytest.mark.parametrize("step", [
    pytest.param("list_parts_shows_the_replacement", id="replaced-part"),
    pytest.param("completed_object", id="two-part-object"),
    pytest.param("completed_one_byte_object", id="one-byte-object"),
    pytest.param("abort_upload", id="abort"),
    pytest.param("list_uploads_only_in_progress", id="in-progress"),
])
def test_every_fact_checked_inside_a_step_holds_on_moto(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    """The facts steps are AWS's behaviour; moto shows every one, so agreeing means holding."""
    moto, _ = outcomes[step]
    assert moto[0] == "ok"
    expected = {
        "list_parts_shows_the_replacement": (
            "parts_sorted_by_number", "sizes", "etags_are_quoted_md5"),
        "completed_object": (
            "etag_is_md5_of_part_digests_and_count", "content_length_is_the_total",
            "content_type_from_create", "metadata_from_create", "body_is_the_parts_in_order"),
        "completed_one_byte_object": ("etag_has_part_count_1", "content_length_is_1"),
        "abort_upload": ("answered_204",),
        "list_uploads_only_in_progress": (
            "in_progress_listed_with_its_id", "completed_not_listed", "aborted_not_listed"),
    }[step]
    assert _all_facts(*expected)(moto), moto
