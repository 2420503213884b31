"""S3 bucket versioning: one sequence of boto3 calls against moto's server and eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP status.
The sequence walks one key through a bucket's life: a put before versioning (the "null"
version), versioning enabled, two more versions, a delete marker and its removal, a permanent
delete of one version, a copy from an older version, a batch delete, a refused bucket delete,
and versioning suspended.

Version ids differ between the two servers by nature, so no step compares them: a step that is
given one keeps it, per server, under a label (``v1``, ``marker``...), and later steps look it
up there or answer the label of an id they are given back. Values that must be equal (bodies,
which version is latest, which id an answer echoes) are checked inside a step: its answer keeps
the names of the facts that hold, or one line per listed entry, as the keys of a mapping, and a
shape keeps keys, so the two servers must agree on those names.

Where moto contradicts what AWS documents, the step is left out (see LEFT OUT below) rather
than held to moto's answer; where it is unsure what AWS answers, a step compares only what
certainly agrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any], Any]]

BUCKET = "versioning-differential"
KEY = "k"
COPY = "copy"
BEFORE = b"before versioning"
FIRST = b"first version"
SECOND = b"second version"
SUSPENDED = b"put while suspended"

# The keys AWS gives every entry of ListObjectVersions (API_ObjectVersion, API_DeleteMarkerEntry);
# Owner is left out: whether it comes back is not what this file compares.
VERSION_KEYS = frozenset({"ETag", "Size", "StorageClass", "Key", "VersionId", "IsLatest",
                          "LastModified"})
MARKER_KEYS = frozenset({"Key", "VersionId", "IsLatest", "LastModified"})

_VERSIONS: dict[tuple[str, str], str] = {}
"""(server's endpoint URL, label) -> the version id that server answered for that label."""


def _keep(c: Any, label: str, version_id: Any) -> None:
    if isinstance(version_id, str):
        _VERSIONS[c.meta.endpoint_url, label] = version_id


def _id(c: Any, label: str) -> str:
    """The version id kept under `label` (an id nobody issued if none was kept)."""
    return _VERSIONS.get((c.meta.endpoint_url, label), "never-issued")


def _label(c: Any, version_id: Any) -> str:
    """What a version id given back is, in the steps' terms: its label, "null" or "unknown"."""
    if version_id == "null":
        return "null"
    url = c.meta.endpoint_url
    return next((label for (at, label), kept in _VERSIONS.items()
                 if at == url and kept == version_id), "unknown")


def _facts(**checks: bool) -> dict[str, Any]:
    """The names of the checks that hold (their answer's shape keeps the names only)."""
    return {name: {} for name, holds in checks.items() if holds}


def _lines(*lines: str) -> dict[str, Any]:
    """Lines that must be equal on both servers, as keys, numbered to keep their order."""
    return {f"{i:02d} {line}": {} for i, line in enumerate(lines)}


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def _versioning(c: Any) -> dict[str, Any]:
    got = c.get_bucket_versioning(Bucket=BUCKET)
    return _lines(*(f"{k}={v}" for k, v in sorted(got.items()) if k != "ResponseMetadata"))


def _set_versioning(c: Any, status: str) -> Any:
    return c.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": status})


def _put_unversioned(c: Any) -> dict[str, Any]:
    got = c.put_object(Bucket=BUCKET, Key=KEY, Body=BEFORE)
    # The answer's other keys (moto adds a checksum) are not what this file compares.
    return _facts(no_version_id="VersionId" not in got, etag_is_md5=got["ETag"] == _etag(BEFORE))


def _put_version(c: Any, label: str, body: bytes) -> dict[str, Any]:
    got = c.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    version_id = got.get("VersionId")
    earlier = {v for (at, _), v in _VERSIONS.items() if at == c.meta.endpoint_url}
    _keep(c, label, version_id)
    return _facts(
        version_id_is_a_string=isinstance(version_id, str) and bool(version_id),
        version_id_is_not_null=version_id != "null",
        version_id_is_new=version_id not in earlier,
    )


def _get(c: Any, body: bytes, label: str | None, version: str | None = None,
         key: str = KEY) -> dict[str, Any]:
    """GetObject (of `version`'s id, or of "null", or the latest when None); `label` is the
    version the answer must name, or None where what AWS names is not certain."""
    kwargs: dict[str, Any] = {}
    if version == "null":
        kwargs["VersionId"] = "null"
    elif version is not None:
        kwargs["VersionId"] = _id(c, version)
    got = c.get_object(Bucket=BUCKET, Key=key, **kwargs)
    checks = {"body": got["Body"].read() == body}
    if label is not None:
        checks[f"version_is_{label}"] = got.get("VersionId") == _id(c, label)
    return _facts(**checks)


def _head_first(c: Any) -> dict[str, Any]:
    got = c.head_object(Bucket=BUCKET, Key=KEY, VersionId=_id(c, "v1"))
    return _facts(
        version_is_v1=got.get("VersionId") == _id(c, "v1"),
        length_is_v1s=got["ContentLength"] == len(FIRST),
        etag_is_v1s=got["ETag"] == _etag(FIRST),
    )


def _delete_latest(c: Any) -> dict[str, Any]:
    got = c.delete_object(Bucket=BUCKET, Key=KEY)
    version_id = got.get("VersionId")
    _keep(c, "marker", version_id)
    return _facts(
        delete_marker_true=got.get("DeleteMarker") is True,
        marker_has_a_version_id=isinstance(version_id, str) and version_id != "null",
        marker_version_is_new=version_id not in (_id(c, "v1"), _id(c, "v2")),
    )


def _delete_version(c: Any, label: str) -> dict[str, Any]:
    # AWS documents x-amz-delete-marker: true when the version deleted was a delete marker
    # (API_DeleteObject.html; API_DeleteObjects.html, Case 3, "Versioned delete of a delete
    # marker");
    # moto leaves it out (its source says AWS does, for a marker over an object). DeleteMarker
    # is not compared, only that the answer names the version deleted.
    got = c.delete_object(Bucket=BUCKET, Key=KEY, VersionId=_id(c, label))
    return _facts(**{f"version_is_{label}": got.get("VersionId") == _id(c, label)})


def _listing(c: Any, prefix: str = KEY) -> dict[str, Any]:
    """ListObjectVersions as one line per entry, in the order listed (newest first by key)."""
    got = c.list_object_versions(Bucket=BUCKET, Prefix=prefix)
    lines = [f"truncated={got['IsTruncated']}"]
    lines += [f"version {v['Key']} {_label(c, v['VersionId'])} latest={v['IsLatest']} "
              f"size={v['Size']} aws_keys={VERSION_KEYS <= v.keys()}"
              for v in got.get("Versions", [])]
    lines += [f"marker {m['Key']} {_label(c, m['VersionId'])} latest={m['IsLatest']} "
              f"aws_keys={MARKER_KEYS <= m.keys()}"
              for m in got.get("DeleteMarkers", [])]
    return _lines(*lines)


def _listed_keys(c: Any) -> dict[str, Any]:
    got = c.list_objects_v2(Bucket=BUCKET)
    return _lines(*(f"listed {o['Key']}" for o in got.get("Contents", [])),
                  f"key_count={got['KeyCount']}")


def _copy_first(c: Any) -> dict[str, Any]:
    got = c.copy_object(Bucket=BUCKET, Key=COPY,
                        CopySource={"Bucket": BUCKET, "Key": KEY, "VersionId": _id(c, "v1")})
    version_id = got.get("VersionId")
    _keep(c, "copy", version_id)
    return _facts(
        copy_has_a_version_id=isinstance(version_id, str) and version_id != "null",
        copy_source_version_is_v1=got.get("CopySourceVersionId") == _id(c, "v1"),
        etag_is_v1s=got["CopyObjectResult"]["ETag"] == _etag(FIRST),
    )


def _page(c: Any, after: str | None) -> dict[str, Any]:
    """One version a page; `after` is the label of the last version of the page before."""
    kwargs: dict[str, Any] = {}
    if after is not None:
        kwargs = {"KeyMarker": KEY, "VersionIdMarker": _id(c, after)}
    got = c.list_object_versions(Bucket=BUCKET, Prefix=KEY, MaxKeys=1, **kwargs)
    listed = [_label(c, v["VersionId"]) for v in got.get("Versions", [])]
    lines = [f"truncated={got['IsTruncated']}", f"versions={listed}",
             f"markers={len(got.get('DeleteMarkers', []))}"]
    if got["IsTruncated"]:
        # Where the next page starts: the last entry of this one.
        lines += [f"next_key_marker={got.get('NextKeyMarker')}",
                  f"next_version_id_marker={_label(c, got.get('NextVersionIdMarker'))}"]
    return _lines(*lines)


def _delete_batch(c: Any) -> dict[str, Any]:
    """One version deleted by id, one key without: AWS answers {Key, VersionId} for the first and
    {Key, DeleteMarker, DeleteMarkerVersionId} for the second (API_DeleteObjects.html, "Deleting
    an object from a versioned bucket": Case 2, Versioned Delete, and Case 1, Simple Delete)."""
    got = c.delete_objects(Bucket=BUCKET, Delete={"Objects": [
        {"Key": KEY, "VersionId": _id(c, "v2")},
        {"Key": COPY},
    ]})
    deleted = sorted(got.get("Deleted", []), key=lambda d: d["Key"])
    for d in deleted:
        if d["Key"] == COPY:
            _keep(c, "copy-marker", d.get("DeleteMarkerVersionId"))

    def named(entry: dict[str, Any], field: str) -> str:
        return _label(c, entry[field]) if field in entry else "-"

    return _lines(
        *(f"deleted {d['Key']} keys={sorted(d)} delete_marker={d.get('DeleteMarker')} "
          f"version={named(d, 'VersionId')} marker_version={named(d, 'DeleteMarkerVersionId')}"
          for d in deleted),
        f"errors={len(got.get('Errors', []))}",
    )


def _put_suspended(c: Any) -> dict[str, Any]:
    got = c.put_object(Bucket=BUCKET, Key=KEY, Body=SUSPENDED)
    # AWS stores a "null" version; whether the answer then names it ("null") or names none is
    # not certain (moto names none), so either passes.
    return _facts(version_id_absent_or_null=got.get("VersionId", "null") == "null")


STEPS: list[Step] = [
    ("create_bucket", lambda c: c.create_bucket(Bucket=BUCKET)),
    ("versioning_of_a_new_bucket", _versioning),
    ("put_before_versioning", _put_unversioned),
    ("enable_versioning", lambda c: _set_versioning(c, "Enabled")),
    ("versioning_enabled", _versioning),
    ("put_first_version", lambda c: _put_version(c, "v1", FIRST)),
    ("put_second_version", lambda c: _put_version(c, "v2", SECOND)),
    ("get_latest", lambda c: _get(c, SECOND, "v2")),
    ("get_first_version", lambda c: _get(c, FIRST, "v1", "v1")),
    # Whether AWS names the "null" version in x-amz-version-id is not certain (moto names none):
    # only the body is compared.
    ("get_null_version", lambda c: _get(c, BEFORE, None, "null")),
    ("head_first_version", _head_first),
    ("delete_without_version", _delete_latest),
    ("get_after_delete", lambda c: c.get_object(Bucket=BUCKET, Key=KEY)),
    ("head_after_delete", lambda c: c.head_object(Bucket=BUCKET, Key=KEY)),
    ("head_delete_marker_version", lambda c: c.head_object(
        Bucket=BUCKET, Key=KEY, VersionId=_id(c, "marker"))),
    ("get_delete_marker_version", lambda c: c.get_object(
        Bucket=BUCKET, Key=KEY, VersionId=_id(c, "marker"))),
    ("list_versions_with_marker", _listing),
    ("list_objects_hides_deleted_key", _listed_keys),
    ("delete_the_delete_marker", lambda c: _delete_version(c, "marker")),
    ("get_after_removing_marker", lambda c: _get(c, SECOND, "v2")),
    # Before v1 is deleted for good: the copy's source must be a version with an id of its own
    # (moto leaves CopySourceVersionId out for the "null" version, and AWS's answer there is not
    # certain).
    ("copy_first_version", _copy_first),
    ("get_copy", lambda c: _get(c, FIRST, "copy", key=COPY)),
    ("delete_first_version", lambda c: _delete_version(c, "v1")),
    ("list_versions_after_permanent_delete", _listing),
    ("get_deleted_version", lambda c: c.get_object(
        Bucket=BUCKET, Key=KEY, VersionId=_id(c, "v1"))),
    ("head_deleted_version", lambda c: c.head_object(
        Bucket=BUCKET, Key=KEY, VersionId=_id(c, "v1"))),
    ("get_malformed_version", lambda c: c.get_object(
        Bucket=BUCKET, Key=KEY, VersionId="not-a-version")),
    ("list_versions_first_page", lambda c: _page(c, None)),
    ("list_versions_next_page", lambda c: _page(c, "v2")),
    ("delete_objects_batch", _delete_batch),
    ("list_versions_after_batch", lambda c: _listing(c, "")),
    ("delete_bucket_with_versions", lambda c: c.delete_bucket(Bucket=BUCKET)),
    # Suspended last, with KEY down to its "null" version: moto treats a suspended bucket as
    # unversioned, so only what it shares with AWS there is compared (see LEFT OUT).
    ("suspend_versioning", lambda c: _set_versioning(c, "Suspended")),
    ("versioning_suspended", _versioning),
    ("put_while_suspended", _put_suspended),
    ("get_while_suspended", lambda c: _get(c, SUSPENDED, None)),
    ("get_null_version_while_suspended", lambda c: _get(c, SUSPENDED, None, "null")),
    ("list_versions_while_suspended", _listing),
]

# LEFT OUT: calls where moto contradicts what AWS documents; eventsim is not held to moto there.
# (https://docs.aws.amazon.com/AmazonS3/latest/API/ and .../userguide/)
# - GetObject with a delete marker's version id: AWS answers 405 MethodNotAllowed ("If the
#   specified version is a delete marker, the response returns a 405 Method Not Allowed error",
#   API_GetObject.html); moto answers 404 NoSuchVersion. (HeadObject there agrees: 405, kept.)
# - GetObject / HeadObject / DeleteObject with a malformed VersionId ("not-a-version"): AWS
#   answers 400 InvalidArgument, "Invalid version id specified" (not in the API reference's
#   errors; as S3-compatible servers record it from S3, e.g. versity/versitygw#1630, and 400
#   to HeadObject); moto answers 404 NoSuchVersion to GetObject, 404 to HeadObject, and
#   DeleteObject succeeds, echoing the id.
# - PutObject to a suspended bucket whose key has versions with ids: AWS keeps them and
#   replaces only the "null" version (AddingObjectstoVersionSuspendedBuckets.html); moto drops
#   every version of the key. Hence the suspended steps run once KEY has only its null version.
# - DeleteObject without VersionId in a suspended bucket: AWS removes the "null" version and
#   adds a delete marker whose id is "null" (DeletingObjectsfromVersioningSuspendedBuckets.html);
#   moto removes every version of the key and adds no marker.
# - DeleteObjects with a VersionId in a suspended bucket: moto ignores the id and removes every
#   version of the key; hence the batch runs while versioning is enabled.
# - DeleteObjects naming a delete marker's VersionId: AWS answers DeleteMarker true and
#   DeleteMarkerVersionId besides Key and VersionId (API_DeleteObjects.html, "Versioned delete
#   of a delete marker"); moto answers Key and VersionId only. Likewise DeleteObject of a marker
#   by its id: AWS documents x-amz-delete-marker: true, moto leaves it out, so
#   delete_the_delete_marker compares only the VersionId it echoes.
# The first two are still asked (get_delete_marker_version, get_malformed_version), and
# eventsim is held to what AWS answers:
MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "get_delete_marker_version": (
        "AWS answers 405 MethodNotAllowed to a GET of a delete marker's version "
        "(API_GetObject.html); moto answers 404 NoSuchVersion",
        lambda got: got == ("error", ("MethodNotAllowed", 405)),
    ),
    "get_malformed_version": (
        "AWS answers 400 InvalidArgument to a malformed version id; moto answers 404 "
        "NoSuchVersion",
        lambda got: got == ("error", ("InvalidArgument", 400)),
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    return run_steps(*clients("s3"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_versioning_calls_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)


def _ok(*names: str) -> Outcome:
    return "ok", {name: {} for name in names}


def _ok_lines(*lines: str) -> Outcome:
    return "ok", _lines(*lines)


_V = "aws_keys=True"
# What AWS answers at the steps whose answer carries values (and the refusals): agreeing with
# moto means something only while moto answers these, so they are pinned here.
AWS_ANSWERS: dict[str, Outcome] = {
    "versioning_of_a_new_bucket": _ok_lines(),
    "put_before_versioning": _ok("no_version_id", "etag_is_md5"),
    "versioning_enabled": _ok_lines("Status=Enabled"),
    "put_first_version": _ok("version_id_is_a_string", "version_id_is_not_null",
                             "version_id_is_new"),
    "put_second_version": _ok("version_id_is_a_string", "version_id_is_not_null",
                              "version_id_is_new"),
    "get_latest": _ok("body", "version_is_v2"),
    "get_first_version": _ok("body", "version_is_v1"),
    "get_null_version": _ok("body"),
    "head_first_version": _ok("version_is_v1", "length_is_v1s", "etag_is_v1s"),
    "delete_without_version": _ok("delete_marker_true", "marker_has_a_version_id",
                                  "marker_version_is_new"),
    "get_after_delete": ("error", ("NoSuchKey", 404)),
    "head_after_delete": ("error", ("404", 404)),
    "head_delete_marker_version": ("error", ("405", 405)),
    "list_versions_with_marker": _ok_lines(
        "truncated=False",
        f"version k v2 latest=False size={len(SECOND)} {_V}",
        f"version k v1 latest=False size={len(FIRST)} {_V}",
        f"version k null latest=False size={len(BEFORE)} {_V}",
        f"marker k marker latest=True {_V}",
    ),
    "list_objects_hides_deleted_key": _ok_lines("key_count=0"),
    "delete_the_delete_marker": _ok("version_is_marker"),
    "get_after_removing_marker": _ok("body", "version_is_v2"),
    "copy_first_version": _ok("copy_has_a_version_id", "copy_source_version_is_v1",
                              "etag_is_v1s"),
    "get_copy": _ok("body", "version_is_copy"),
    "delete_first_version": _ok("version_is_v1"),
    "list_versions_after_permanent_delete": _ok_lines(
        "truncated=False",
        f"version k v2 latest=True size={len(SECOND)} {_V}",
        f"version k null latest=False size={len(BEFORE)} {_V}",
    ),
    "get_deleted_version": ("error", ("NoSuchVersion", 404)),
    "head_deleted_version": ("error", ("404", 404)),
    "list_versions_first_page": _ok_lines(
        "truncated=True", "versions=['v2']", "markers=0", "next_key_marker=k",
        "next_version_id_marker=v2"),
    "list_versions_next_page": _ok_lines("truncated=False", "versions=['null']", "markers=0"),
    "delete_objects_batch": _ok_lines(
        "deleted copy keys=['DeleteMarker', 'DeleteMarkerVersionId', 'Key'] delete_marker=True "
        "version=- marker_version=copy-marker",
        "deleted k keys=['Key', 'VersionId'] delete_marker=None version=v2 marker_version=-",
        "errors=0",
    ),
    "list_versions_after_batch": _ok_lines(
        "truncated=False",
        f"version copy copy latest=False size={len(FIRST)} {_V}",
        f"version k null latest=True size={len(BEFORE)} {_V}",
        f"marker copy copy-marker latest=True {_V}",
    ),
    "delete_bucket_with_versions": ("error", ("BucketNotEmpty", 409)),
    "versioning_suspended": _ok_lines("Status=Suspended"),
    "put_while_suspended": _ok("version_id_absent_or_null"),
    "get_while_suspended": _ok("body"),
    "get_null_version_while_suspended": _ok("body"),
    "list_versions_while_suspended": _ok_lines(
        "truncated=False", f"version k null latest=True size={len(SUSPENDED)} {_V}"),
}


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name in AWS_ANSWERS])
def test_moto_answers_as_aws_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    """The steps' facts and listings are AWS's behaviour; moto shows them all, so agreeing
    with moto means answering as AWS does."""
    moto, _ = outcomes[step]
    assert moto == AWS_ANSWERS[step]
