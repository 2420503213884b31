"""S3 bucket versioning: a bucket's state, the versions of its keys and their delete markers.

Where versions live. ``objects`` holds each key's current version when that is an object, so
reads, listings and the writes of unversioned buckets go as they always did;
``object_versions`` holds every other version: noncurrent ones and every delete marker. A
key's latest version is its ``objects`` row if it has one, else its newest
``object_versions`` row, which is then a delete marker (a version that becomes latest there is
moved back: `promote`). A key's versions run newest first: the ``objects`` row, then
``object_versions`` by id, descending.

States (``buckets.versioning``):

- never enabled (None): writes replace the null version and no answer names a version;
- ``Enabled``: every write, and every delete without a version id (a delete marker), makes a
  version with an id of its own and keeps the one it covers;
- ``Suspended``: writes and delete markers are the null version, replacing the earlier null
  version wherever it is; versions with ids stay.

The functions here run inside the service's units; `VersioningOperations` (a part of
`S3Service`) has the operations of their own: Put/GetBucketVersioning, ListObjectVersions.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from eventsim.errors import (
    InvalidArgument,
    InvalidRequest,
    MalformedXML,
    NotImplementedOperation,
)
from eventsim.services.base import ServiceContext
from eventsim.services.s3.errors import MethodNotAllowed, NoSuchKey, NoSuchVersion
from eventsim.services.s3.listing import after_prefix, key_encoder, max_keys_limit
from eventsim.services.s3.models import StoredObject
from eventsim.services.s3.objects import (
    NULL_VERSION,
    OWNER,
    http_date,
    load_object,
    require_bucket,
    timestamp,
)

__all__ = [
    "NULL_VERSION",
    "VersionStates",
    "VersioningOperations",
    "add_delete_marker",
    "check_version_id",
    "delete_version",
    "event_version",
    "latest_marker",
    "load_current",
    "load_source",
    "load_version",
    "new_version_id",
    "prepare_write",
    "set_version_tags",
]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
_VERSION_ID = re.compile(r"[A-Za-z0-9._]{32}")
_COLUMNS = "body, size, etag, last_modified, content_type, metadata, headers, tags"


def new_version_id() -> str:
    """A version id as S3 makes them: 32 characters of letters, digits, ``.`` and ``_``."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(32))


def check_version_id(version_id: str) -> None:
    """InvalidArgument unless ``version_id`` could be a version id (S3 tells a malformed id
    from one that names no version)."""
    if version_id != NULL_VERSION and not _VERSION_ID.fullmatch(version_id):
        raise InvalidArgument("Invalid version id specified", ArgumentName="versionId",
                              ArgumentValue=version_id)


class VersionStates:
    """Each bucket's versioning state, in memory (writes consult it on each put)."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}

    def load(self, rows: list[tuple[str, str]]) -> None:
        """Take the stored states, (bucket, state) pairs (at start)."""
        self._states = dict(rows)

    def get(self, bucket: str) -> str | None:
        """``Enabled``, ``Suspended``, or None for a bucket versioning never touched."""
        return self._states.get(bucket)

    def set(self, bucket: str, state: str) -> None:
        """A state has been stored (call after its unit committed)."""
        self._states[bucket] = state

    def forget(self, bucket: str) -> None:
        """The bucket is gone."""
        self._states.pop(bucket, None)


# -- inside units --------------------------------------------------------------------------


def prepare_write(conn: sqlite3.Connection, bucket: str, key: str, state: str | None) -> str:
    """Make room for a new current version of ``key``; its version id."""
    if state is None:
        return NULL_VERSION  # the write replaces the objects row, as it always has
    if state == "Enabled":
        _archive_current(conn, bucket, key)
        return new_version_id()
    _drop_null(conn, bucket, key)
    return NULL_VERSION


def add_delete_marker(
    conn: sqlite3.Connection, bucket: str, key: str, state: str, now: float,
) -> str:
    """A DeleteObject without a version id in a versioned bucket; the marker's version id."""
    if state == "Enabled":
        _archive_current(conn, bucket, key)
        version_id = new_version_id()
    else:
        _drop_null(conn, bucket, key)
        version_id = NULL_VERSION
    conn.execute(
        "INSERT INTO object_versions (bucket, key, version_id, delete_marker, last_modified) "
        "VALUES (?,?,?,1,?)", (bucket, key, version_id, now))
    return version_id


def delete_version(
    conn: sqlite3.Connection, bucket: str, key: str, version_id: str,
) -> bool | None:
    """Delete one version for good: None if there was no such version, else whether it was
    a delete marker. The next version down becomes current if this one was."""
    gone = conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
                        (bucket, key, version_id))
    if gone.rowcount:
        _promote(conn, bucket, key)
        return False
    row = conn.execute(
        "DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? "
        "RETURNING delete_marker", (bucket, key, version_id)).fetchone()
    if row is None:
        return None
    _promote(conn, bucket, key)
    return bool(row[0])


def set_version_tags(
    conn: sqlite3.Connection, bucket: str, key: str, version_id: str, tags: str,
) -> None:
    """Replace the tags of one version (current or not) of an object."""
    changed = conn.execute(
        "UPDATE objects SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?",
        (tags, bucket, key, version_id))
    if not changed.rowcount:
        conn.execute(
            "UPDATE object_versions SET tags = ? WHERE bucket = ? AND key = ? "
            "AND version_id = ? AND delete_marker = 0", (tags, bucket, key, version_id))


def latest_marker(conn: sqlite3.Connection, bucket: str, key: str) -> tuple[str, float] | None:
    """The version id and time of the delete marker that is the key's latest version, if
    one is (call when the key has no ``objects`` row)."""
    row = conn.execute(
        "SELECT version_id, delete_marker, last_modified FROM object_versions "
        "WHERE bucket = ? AND key = ? ORDER BY id DESC LIMIT 1", (bucket, key)).fetchone()
    if row is None or not row["delete_marker"]:
        return None
    return row["version_id"], row["last_modified"]


def load_version(
    conn: sqlite3.Connection, bucket: str, key: str, version_id: str, *, with_body: bool,
    method: str,
) -> tuple[StoredObject, bytes]:
    """One version of an object: NoSuchVersion if there is none with that id, MethodNotAllowed
    for a delete marker (it has nothing to read)."""
    check_version_id(version_id)
    columns = _COLUMNS if with_body else _COLUMNS.replace("body, ", "")
    row = conn.execute(
        f"SELECT {columns}, 0 AS delete_marker FROM objects "
        "WHERE bucket = ? AND key = ? AND version_id = ?", (bucket, key, version_id)).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {columns}, delete_marker FROM object_versions "
            "WHERE bucket = ? AND key = ? AND version_id = ?",
            (bucket, key, version_id)).fetchone()
    if row is None:
        require_bucket(conn, bucket)
        raise NoSuchVersion(key, version_id)
    if row["delete_marker"]:
        raise MethodNotAllowed(method, version_id,
                               http_date(timestamp(int(row["last_modified"]))) or "")
    obj = StoredObject(
        bucket=bucket, key=key, size=row["size"], etag=row["etag"],
        last_modified=row["last_modified"], content_type=row["content_type"],
        metadata=json.loads(row["metadata"]), headers=json.loads(row["headers"]),
        tags=row["tags"], version_id=version_id)
    return obj, (bytes(row["body"]) if with_body else b"")


def load_current(
    conn: sqlite3.Connection, bucket: str, key: str, version_id: str | None, *,
    with_body: bool, method: str,
) -> tuple[StoredObject, bytes]:
    """What GetObject and HeadObject read: the version named, or the current one (NoSuchKey,
    telling a delete marker, when there is none)."""
    if version_id is not None:
        return load_version(conn, bucket, key, version_id, with_body=with_body, method=method)
    try:
        return load_object(conn, bucket, key, with_body=with_body)
    except NoSuchKey:
        raise missing_key(conn, bucket, key) from None


def load_source(
    conn: sqlite3.Connection, bucket: str, key: str, version_id: str | None,
) -> tuple[StoredObject, bytes]:
    """A copy's source: the version named, or the current one."""
    try:
        return load_current(conn, bucket, key, version_id, with_body=True, method="GET")
    except MethodNotAllowed:
        raise InvalidRequest("The source of a copy request may not specifically refer to a "
                             "delete marker by version id.") from None


def event_version(version_id: str) -> str | None:
    """The ``versionId`` an event carries: none for the null version."""
    return None if version_id == NULL_VERSION else version_id


def missing_key(conn: sqlite3.Connection, bucket: str, key: str) -> NoSuchKey:
    """The NoSuchKey of a key without a current object: it tells the delete marker, if that
    is what the key's latest version is."""
    error = NoSuchKey(key)
    marker = latest_marker(conn, bucket, key)
    if marker is not None:
        error.headers = {"x-amz-delete-marker": "true", "x-amz-version-id": marker[0]}
    return error


def _archive_current(conn: sqlite3.Connection, bucket: str, key: str) -> None:
    """Move the key's current version, if any, among the noncurrent ones."""
    moved = conn.execute(
        f"INSERT INTO object_versions (bucket, key, version_id, {_COLUMNS}) "
        f"SELECT bucket, key, version_id, {_COLUMNS} FROM objects "
        "WHERE bucket = ? AND key = ?", (bucket, key))
    if moved.rowcount:
        conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))


def _drop_null(conn: sqlite3.Connection, bucket: str, key: str) -> None:
    """Make way for a new null version (suspended bucket): the old one goes, wherever it is;
    a current version with an id becomes noncurrent."""
    conn.execute("DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?",
                 (bucket, key, NULL_VERSION))
    conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
                 (bucket, key, NULL_VERSION))
    _archive_current(conn, bucket, key)


def _promote(conn: sqlite3.Connection, bucket: str, key: str) -> None:
    """If the key has no current object and its newest version is an object, make it
    current again."""
    if conn.execute("SELECT 1 FROM objects WHERE bucket = ? AND key = ?",
                    (bucket, key)).fetchone():
        return
    row = conn.execute(
        "SELECT id, delete_marker FROM object_versions WHERE bucket = ? AND key = ? "
        "ORDER BY id DESC LIMIT 1", (bucket, key)).fetchone()
    if row is None or row["delete_marker"]:
        return
    conn.execute(
        f"INSERT INTO objects (bucket, key, version_id, {_COLUMNS}) "
        f"SELECT bucket, key, version_id, {_COLUMNS} FROM object_versions WHERE id = ?",
        (row["id"],))
    conn.execute("DELETE FROM object_versions WHERE id = ?", (row["id"],))


# -- listing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Version:
    key: str
    version_id: str
    latest: bool
    marker: bool
    size: int
    etag: str
    last_modified: float
    storage_class: str | None


def _versions(conn: sqlite3.Connection, bucket: str, prefix: str) -> list[_Version]:
    """Every version under ``prefix``: by key, then newest first."""
    # Keys compare as UTF-8 bytes (SQLite's BINARY collation), as S3 lists them.
    where, params = "bucket = ? AND key >= ?", [bucket, prefix]
    if prefix:
        where += " AND key < ?"
        params.append(after_prefix(prefix))
    current = conn.execute(
        "SELECT key, version_id, size, etag, last_modified, "
        f"json_extract(headers, '$.StorageClass') AS storage_class FROM objects WHERE {where}",
        params).fetchall()
    older = conn.execute(
        "SELECT key, version_id, delete_marker, size, etag, last_modified, "
        "json_extract(headers, '$.StorageClass') AS storage_class FROM object_versions "
        f"WHERE {where} ORDER BY id DESC", params).fetchall()
    by_key: dict[str, list[_Version]] = {}
    for r in current:
        by_key.setdefault(r["key"], []).append(_Version(
            r["key"], r["version_id"], True, False, r["size"], r["etag"], r["last_modified"],
            r["storage_class"]))
    for r in older:
        versions = by_key.setdefault(r["key"], [])
        versions.append(_Version(
            r["key"], r["version_id"], not versions, bool(r["delete_marker"]), r["size"],
            r["etag"], r["last_modified"], r["storage_class"]))
    return [v for key in sorted(by_key, key=lambda k: k.encode()) for v in by_key[key]]


class VersioningOperations:
    """PutBucketVersioning, GetBucketVersioning, ListObjectVersions (a part of
    `S3Service`)."""

    _ctx: ServiceContext
    _versioning: VersionStates

    async def put_bucket_versioning(
        self, *, bucket: str, versioning_configuration: dict[str, Any], mfa: str | None = None,
    ) -> dict[str, Any]:
        """PutBucketVersioning: Enabled or Suspended (MFA delete is not implemented)."""
        state = versioning_configuration.get("Status")
        if mfa is not None or versioning_configuration.get("MFADelete") == "Enabled":
            raise NotImplementedOperation("eventsim does not implement MFA delete.")
        if state not in ("Enabled", "Suspended"):
            raise MalformedXML()

        def unit(conn: sqlite3.Connection) -> None:
            require_bucket(conn, bucket)
            conn.execute("UPDATE buckets SET versioning = ? WHERE name = ?", (state, bucket))

        await self._ctx.db.write(unit)
        self._versioning.set(bucket, state)
        return {}

    async def get_bucket_versioning(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketVersioning: no Status until versioning was first enabled."""
        def read(conn: sqlite3.Connection) -> str | None:
            require_bucket(conn, bucket)
            row = conn.execute("SELECT versioning FROM buckets WHERE name = ?",
                               (bucket,)).fetchone()
            return None if row is None else row["versioning"]

        state = await self._ctx.db.read(read)
        return {"Status": state} if state else {}

    async def list_object_versions(
        self, *, bucket: str, prefix: str | None = None, delimiter: str | None = None,
        key_marker: str | None = None, version_id_marker: str | None = None,
        max_keys: int | None = None, encoding_type: str | None = None,
        optional_object_attributes: list[str] | None = None,
    ) -> dict[str, Any]:
        """ListObjectVersions: every version and delete marker, by key and newest first."""
        if optional_object_attributes:
            raise NotImplementedOperation(
                "eventsim does not implement ListObjectVersions' OptionalObjectAttributes.")
        if version_id_marker is not None and not key_marker:
            raise InvalidArgument("A version-id marker cannot be specified without a key "
                                  "marker.", ArgumentName="version-id-marker",
                                  ArgumentValue=version_id_marker)
        encode = key_encoder(encoding_type)
        limit = max_keys_limit(max_keys)
        given = prefix or ""

        def read(conn: sqlite3.Connection) -> list[_Version]:
            require_bucket(conn, bucket)
            return _versions(conn, bucket, given)

        versions = await self._ctx.db.read(read)
        start = 0
        if key_marker:
            marker = key_marker.encode()
            start = next((i for i, v in enumerate(versions) if v.key.encode() > marker),
                         len(versions))
            if version_id_marker:
                at = next((i for i, v in enumerate(versions) if v.key == key_marker
                           and v.version_id == version_id_marker), None)
                if at is not None:
                    start = at + 1
        out_versions: list[dict[str, Any]] = []
        markers: list[dict[str, Any]] = []
        prefixes: list[str] = []
        count, truncated = 0, False
        last: tuple[str, str | None] | None = None
        i = start
        while i < len(versions):
            v = versions[i]
            if count == limit:
                truncated = True
                break
            if delimiter:
                cut = v.key.find(delimiter, len(given))
                if cut >= 0:
                    common = v.key[:cut + len(delimiter)]
                    prefixes.append(common)
                    count += 1
                    last = (common, None)
                    while i < len(versions) and versions[i].key.startswith(common):
                        i += 1
                    continue
            entry: dict[str, Any] = {"Key": encode(v.key), "VersionId": v.version_id,
                                     "IsLatest": v.latest,
                                     "LastModified": timestamp(v.last_modified),
                                     "Owner": dict(OWNER)}
            if v.marker:
                markers.append(entry)
            else:
                entry.update(ETag=v.etag, Size=v.size,
                             StorageClass=v.storage_class or "STANDARD")
                out_versions.append(entry)
            count += 1
            last = (v.key, v.version_id)
            i += 1
        result: dict[str, Any] = {
            "Name": bucket, "Prefix": encode(given), "KeyMarker": encode(key_marker or ""),
            "VersionIdMarker": version_id_marker or "", "MaxKeys": limit,
            "IsTruncated": truncated, "Versions": out_versions, "DeleteMarkers": markers,
        }
        if delimiter:
            result["Delimiter"] = encode(delimiter)
            result["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
        if encoding_type:
            result["EncodingType"] = encoding_type
        if truncated and last is not None:
            result["NextKeyMarker"] = encode(last[0])
            if last[1] is not None:
                result["NextVersionIdMarker"] = last[1]
        return result
