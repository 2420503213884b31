"""Rows of the objects table, and the S3 rules for reading and writing them.

Plain functions over a connection, called inside the service's units; the service methods
in `eventsim.services.s3.service` decide what to do, these do it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any
from urllib.parse import unquote

from eventsim.errors import InvalidArgument
from eventsim.services.s3.errors import (
    KeyTooLongError,
    NoSuchBucket,
    NoSuchKey,
    NotModified,
    PreconditionFailed,
)
from eventsim.services.s3.models import StoredObject
from eventsim.store.bulk import RowBuffer

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "INLINE_BODY_BYTES",
    "NO_TAGS",
    "NULL_VERSION",
    "OWNER",
    "OWNER_PRINCIPAL",
    "describe",
    "http_date",
    "load_object",
    "object_size",
    "parse_copy_source",
    "quoted_etag",
    "require_bucket",
    "store_object",
    "stored_headers",
    "timestamp",
    "validate_key",
    "written_headers",
]

DEFAULT_CONTENT_TYPE = "binary/octet-stream"
OWNER = {
    "DisplayName": "eventsim",
    "ID": "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
}
OWNER_PRINCIPAL = "A3NL1KOZZKEXAMPLE"
NO_TAGS = "{}"
"""The stored tags of an object without any (`eventsim.services.s3.tagging`)."""
NULL_VERSION = "null"
"""The version id of S3's null version (`eventsim.services.s3.versioning`)."""
INLINE_BODY_BYTES = 1 << 20
"""Bodies up to this size are read on the event loop's thread (see `eventsim.store`)."""


def timestamp(epoch: float) -> dt.datetime:
    """A stored epoch time as S3 reports it: to the millisecond (XML; headers show seconds)."""
    return dt.datetime.fromtimestamp(round(epoch, 3), tz=dt.UTC)


def store_object(
    conn: sqlite3.Connection,
    bucket: str,
    key: str,
    body: bytes,
    etag: str,
    now: float,
    content_type: str | None,
    metadata: dict[str, str],
    headers: dict[str, str],
    rows: RowBuffer | None = None,
    *,
    tags: str = NO_TAGS,
    version_id: str = NULL_VERSION,
) -> None:
    """Write an object row, inside the unit that makes the write (through ``rows`` in a
    buffered unit: see `eventsim.store.database`). ``tags``: as `eventsim.services.s3.tagging`
    stores them; ``version_id``: the new version's, in a versioned bucket (its writes are
    unbuffered, after `versioning.prepare_write`)."""
    meta = json.dumps({k.lower(): v for k, v in metadata.items()}) if metadata else "{}"
    values: tuple[Any, ...] = (bucket, key, body, len(body), etag, now, content_type, meta,
                               json.dumps(headers) if headers else "{}")
    # Most objects have no tags and no version id: their rows leave those columns to their
    # defaults, and a burst of puts binds nine values a row, not eleven.
    head, width, statement = _INSERT_HEAD, 9, _INSERT
    if tags != NO_TAGS or version_id != NULL_VERSION:
        values += (tags, version_id)
        head, width, statement = _INSERT_FULL_HEAD, 11, _INSERT_FULL
    try:
        if rows is None:
            conn.execute(statement, values)
            return
        fact = ("bucket", bucket)
        if not rows.knows(fact):
            # A buffered row is inserted after the unit returns, too late for the foreign key
            # to fail the right put: the first put into a bucket in a transaction asks.
            require_bucket(conn, bucket)
            rows.learn(fact)
        rows.insert(head, width, values)
    except sqlite3.IntegrityError:
        # The foreign key on objects.bucket is the existence check.
        raise NoSuchBucket(bucket) from None


_INSERT_HEAD = ("INSERT OR REPLACE INTO objects (bucket, key, body, size, etag, last_modified, "
                "content_type, metadata, headers)")
_INSERT = f"{_INSERT_HEAD} VALUES (?,?,?,?,?,?,?,?,?)"
_INSERT_FULL_HEAD = _INSERT_HEAD[:-1] + ", tags, version_id)"
_INSERT_FULL = f"{_INSERT_FULL_HEAD} VALUES (?,?,?,?,?,?,?,?,?,?,?)"


def validate_key(key: str) -> None:
    """A key S3 accepts: not empty, at most 1,024 bytes of UTF-8."""
    if not key:
        raise InvalidArgument("Key must not be empty", ArgumentName="key")
    if len(key.encode("utf-8")) > 1024:
        raise KeyTooLongError()


def require_bucket(conn: sqlite3.Connection, bucket: str) -> None:
    """Raise NoSuchBucket unless the bucket exists."""
    if conn.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone() is None:
        raise NoSuchBucket(bucket)


def object_size(conn: sqlite3.Connection, bucket: str, key: str) -> int | None:
    """The object's size in bytes, or None when there is no such object."""
    row = conn.execute(
        "SELECT size FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
    ).fetchone()
    return None if row is None else int(row["size"])


def load_object(
    conn: sqlite3.Connection, bucket: str, key: str, *, with_body: bool
) -> tuple[StoredObject, bytes]:
    """An object's row (and its body, when asked): NoSuchBucket or NoSuchKey if absent."""
    columns = "size, etag, last_modified, content_type, metadata, headers, tags, version_id"
    if with_body:
        columns += ", body"
    row = conn.execute(
        f"SELECT {columns} FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
    ).fetchone()
    if row is None:
        require_bucket(conn, bucket)
        raise NoSuchKey(key)
    obj = StoredObject(
        bucket=bucket, key=key, size=row["size"], etag=row["etag"],
        last_modified=row["last_modified"], content_type=row["content_type"],
        metadata=json.loads(row["metadata"]), headers=json.loads(row["headers"]),
        tags=row["tags"], version_id=row["version_id"],
    )
    return obj, (bytes(row["body"]) if with_body else b"")


def describe(obj: StoredObject, if_match: str | None, if_none_match: str | None) -> dict[str, Any]:
    """The GetObject/HeadObject output for an object, its conditions checked."""
    if if_match is not None and quoted_etag(if_match) != obj.etag and if_match != "*":
        raise PreconditionFailed("If-Match")
    if if_none_match is not None and (
        quoted_etag(if_none_match) == obj.etag or if_none_match == "*"
    ):
        raise NotModified()
    result: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "LastModified": timestamp(int(obj.last_modified)),
        "ContentLength": obj.size,
        "ETag": obj.etag,
        "ContentType": obj.content_type or DEFAULT_CONTENT_TYPE,
        "Metadata": dict(obj.metadata),
    }
    result.update(obj.headers)
    return result


def quoted_etag(etag: str) -> str:
    """An ETag as S3 writes it, in double quotes."""
    etag = etag.strip()
    return etag if etag.startswith('"') else f'"{etag}"'


def stored_headers(**values: str | None) -> dict[str, str]:
    """The headers given (those not None), as stored with the object."""
    return {k: v for k, v in values.items() if v is not None}


def written_headers(
    cache_control: str | None, content_disposition: str | None, content_encoding: str | None,
    content_language: str | None, expires: dt.datetime | str | None,
    website_redirect_location: str | None,
) -> dict[str, str]:
    """The stored headers a write (PutObject, CreateMultipartUpload) gives its object."""
    if (cache_control is None and content_disposition is None and content_encoding is None
            and content_language is None and expires is None
            and website_redirect_location is None):
        # Most puts carry none: skip building and filtering six Nones (this runs on the
        # event loop for every put).
        return {}
    return stored_headers(
        CacheControl=cache_control, ContentDisposition=content_disposition,
        ContentEncoding=content_encoding, ContentLanguage=content_language,
        Expires=http_date(expires), WebsiteRedirectLocation=website_redirect_location,
    )


def http_date(value: dt.datetime | str | None) -> str | None:
    """An ``Expires`` value as an HTTP date (text is kept as sent)."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def parse_copy_source(copy_source: str | dict[str, str]) -> tuple[str, str, str | None]:
    """``x-amz-copy-source`` as (bucket, key, version id or None)."""
    if isinstance(copy_source, dict):
        return copy_source["Bucket"], copy_source["Key"], copy_source.get("VersionId")
    source, _, version_id = copy_source.partition("?versionId=")
    source = unquote(source).lstrip("/")
    src_bucket, _, src_key = source.partition("/")
    if not src_bucket or not src_key:
        raise InvalidArgument("Invalid copy source object key", ArgumentName="x-amz-copy-source",
                              ArgumentValue=copy_source)
    return src_bucket, src_key, unquote(version_id) or None
