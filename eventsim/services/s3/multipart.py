"""Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
CompleteMultipartUpload, AbortMultipartUpload, ListParts and ListMultipartUploads.

An upload and its parts live in their own tables until CompleteMultipartUpload turns the parts
it lists into one object, in one transaction with the ``s3:ObjectCreated:CompleteMultipartUpload``
events it causes (as PutObject does with its own), and deletes the upload. The rules are S3's
(Amazon S3 User Guide, "Uploading and copying objects using multipart upload"): part numbers
1 to 10,000; every part but the last at least 5 MiB; the parts listed in ascending order, each
with the ETag its UploadPart answered; the object's ETag the MD5 of the parts' MD5 digests,
followed by ``-`` and the number of parts.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import re
import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from eventsim.errors import InvalidArgument, MalformedXML
from eventsim.ids import random_bytes
from eventsim.services.base import Pending, ServiceContext, record_traced_write
from eventsim.services.s3.errors import (
    EntityTooSmall,
    InvalidPart,
    InvalidPartOrder,
    NoSuchUpload,
    PreconditionFailed,
)
from eventsim.services.s3.models import compute_etag
from eventsim.services.s3.objects import (
    INLINE_BODY_BYTES,
    OWNER,
    parse_copy_source,
    quoted_etag,
    require_bucket,
    store_object,
    timestamp,
    validate_key,
    written_headers,
)
from eventsim.services.s3.tagging import parse_tagging
from eventsim.services.s3.versioning import (
    VersionStates,
    check_version_id,
    event_version,
    load_source,
    prepare_write,
)
from eventsim.services.s3.write_options import check_acl, class_headers, encryption_headers
from eventsim.tracing import Cause, current_request

if TYPE_CHECKING:
    import datetime as dt

    from eventsim.services.s3.notifier import Notifier

__all__ = ["MAX_PARTS", "MIN_PART_SIZE", "MultipartOperations", "multipart_etag"]

MIN_PART_SIZE = 5 * 1024 * 1024
"""Bytes every part but the last must have."""
MAX_PARTS = 10_000
"""The largest part number (and the most parts an upload may have)."""
_MAX_LISTED = 1000
"""What ListParts and ListMultipartUploads answer at most, and by default."""


def multipart_etag(part_etags: list[str]) -> str:
    """The ETag of an object made of parts with these (quoted) ETags."""
    digests = b"".join(bytes.fromhex(etag.strip('"')) for etag in part_etags)
    return f'"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{len(part_etags)}"'


@dataclasses.dataclass(frozen=True, slots=True)
class _Upload:
    upload_id: str
    content_type: str | None
    metadata: dict[str, str]
    headers: dict[str, str]
    tags: str


def _new_upload_id() -> str:
    # S3's upload ids are long opaque URL-safe strings.
    return base64.urlsafe_b64encode(random_bytes(48)).decode("ascii").rstrip("=")


def _require_upload(conn: sqlite3.Connection, bucket: str, key: str, upload_id: str) -> _Upload:
    require_bucket(conn, bucket)
    row = conn.execute(
        "SELECT content_type, metadata, headers, tags FROM multipart_uploads "
        "WHERE upload_id = ? AND bucket = ? AND key = ?", (upload_id, bucket, key),
    ).fetchone()
    if row is None:
        raise NoSuchUpload(upload_id)
    return _Upload(upload_id, row["content_type"], json.loads(row["metadata"]),
                   json.loads(row["headers"]), row["tags"])


def _store_part(conn: sqlite3.Connection, upload_id: str, part_number: int, body: bytes,
                etag: str, now: float) -> None:
    conn.execute(
        "INSERT INTO multipart_parts (upload_id, part_number, body, size, etag, last_modified) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT (upload_id, part_number) DO UPDATE SET "
        "body = excluded.body, size = excluded.size, etag = excluded.etag, "
        "last_modified = excluded.last_modified",
        (upload_id, part_number, body, len(body), etag, now),
    )


_COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


def _copy_range(text: str, size: int) -> slice:
    """The bytes of an ``x-amz-copy-source-range``, as S3 checks it: one inclusive range,
    inside the source."""
    match = _COPY_RANGE.fullmatch(text.strip())
    if match is None:
        raise InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where "
            "first and last are the zero-based offsets of the first and last bytes to copy",
            ArgumentName="x-amz-copy-source-range", ArgumentValue=text,
        )
    first, last = int(match[1]), int(match[2])
    if first > last or last >= size:
        raise InvalidArgument(f"Range specified is not valid for source object of size: {size}",
                              ArgumentName="x-amz-copy-source-range", ArgumentValue=text)
    return slice(first, last + 1)


def _check_part_number(part_number: int) -> None:
    if not 1 <= part_number <= MAX_PARTS:
        raise InvalidArgument(
            f"Part number must be an integer between 1 and {MAX_PARTS}, inclusive",
            ArgumentName="partNumber", ArgumentValue=str(part_number),
        )


def _max_listed(value: int | None, name: str) -> int:
    if value is None:
        return _MAX_LISTED
    if value < 0:
        raise InvalidArgument(f"Argument {name} must be an integer between 0 and 2147483647",
                              ArgumentName=name, ArgumentValue=str(value))
    return min(value, _MAX_LISTED)


class MultipartOperations:
    """S3's multipart upload operations (a part of `S3Service`)."""

    _ctx: ServiceContext
    _notifier: Notifier
    _versioning: VersionStates

    async def create_multipart_upload(
        self,
        *,
        bucket: str,
        key: str,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        expires: dt.datetime | str | None = None,
        website_redirect_location: str | None = None,
        tagging: str | None = None,
        acl: str | None = None,
        server_side_encryption: str | None = None,
        ssekms_key_id: str | None = None,
        storage_class: str | None = None,
    ) -> dict[str, Any]:
        """CreateMultipartUpload: the object's type, metadata, headers, tags, encryption and
        storage class are given here and taken by the object its completion makes."""
        validate_key(key)
        tags = parse_tagging(tagging)
        check_acl(acl)
        upload_id = _new_upload_id()
        now = self._ctx.clock.time()
        encryption = encryption_headers(server_side_encryption, ssekms_key_id)
        headers = written_headers(cache_control, content_disposition, content_encoding,
                                  content_language, expires, website_redirect_location)
        headers = {**headers, **encryption, **class_headers(storage_class)}
        meta = {k.lower(): v for k, v in (metadata or {}).items()}

        def unit(conn: sqlite3.Connection) -> None:
            require_bucket(conn, bucket)
            conn.execute(
                "INSERT INTO multipart_uploads (upload_id, bucket, key, initiated, content_type, "
                "metadata, headers, tags) VALUES (?,?,?,?,?,?,?,?)",
                (upload_id, bucket, key, now, content_type, json.dumps(meta),
                 json.dumps(headers), tags),
            )

        await self._ctx.db.write(unit)
        return {"Bucket": bucket, "Key": key, "UploadId": upload_id, **encryption}

    async def upload_part(
        self, *, bucket: str, key: str, upload_id: str, part_number: int, body: bytes = b"",
    ) -> dict[str, Any]:
        """UploadPart; a part uploaded again under the same number replaces the first."""
        _check_part_number(part_number)
        etag = compute_etag(body)
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> None:
            _require_upload(conn, bucket, key, upload_id)
            _store_part(conn, upload_id, part_number, body, etag, now)

        # A big part commits on the database's thread, so the loop goes on serving.
        await self._ctx.db.write(unit, heavy=len(body) > INLINE_BODY_BYTES)
        return {"ETag": etag}

    async def upload_part_copy(
        self,
        *,
        bucket: str,
        key: str,
        upload_id: str,
        part_number: int,
        copy_source: str | dict[str, str],
        copy_source_range: str | None = None,
        copy_source_if_match: str | None = None,
        copy_source_if_none_match: str | None = None,
    ) -> dict[str, Any]:
        """UploadPartCopy: a part made of an object's bytes (all of them, or the inclusive
        ``bytes=first-last`` of ``copy_source_range``), if the source's ETag is as the
        conditions say (boto3's managed copy sends the one it saw with HeadObject)."""
        _check_part_number(part_number)
        src_bucket, src_key, src_version = parse_copy_source(copy_source)
        if src_version is not None:
            check_version_id(src_version)
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> tuple[str, str]:
            _require_upload(conn, bucket, key, upload_id)
            source, body = load_source(conn, src_bucket, src_key, src_version)
            if copy_source_if_match is not None and quoted_etag(copy_source_if_match) \
                    != source.etag:
                raise PreconditionFailed("x-amz-copy-source-If-Match")
            if copy_source_if_none_match is not None and quoted_etag(
                    copy_source_if_none_match) == source.etag:
                raise PreconditionFailed("x-amz-copy-source-If-None-Match")
            if copy_source_range is not None:
                body = body[_copy_range(copy_source_range, len(body))]
            etag = compute_etag(body)
            _store_part(conn, upload_id, part_number, body, etag, now)
            return etag, source.version_id

        # The source is read and the part written on the database's thread: both may be big.
        etag, source_version = await self._ctx.db.write(unit, heavy=True)
        result: dict[str, Any] = {
            "CopyPartResult": {"ETag": etag, "LastModified": timestamp(now)}}
        if self._versioning.get(src_bucket) is not None:
            result["CopySourceVersionId"] = source_version
        return result

    async def complete_multipart_upload(
        self,
        *,
        bucket: str,
        key: str,
        upload_id: str,
        multipart_upload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CompleteMultipartUpload: the listed parts, in order, become the object; parts not
        listed are discarded with the upload. Notifies
        ``s3:ObjectCreated:CompleteMultipartUpload``."""
        listed = [(part.get("PartNumber"), part.get("ETag"))
                  for part in (multipart_upload or {}).get("Parts") or []]
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectCreated:CompleteMultipartUpload {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())

        versioning = self._versioning.get(bucket)

        def unit(conn: sqlite3.Connection) -> tuple[str, str]:
            upload = _require_upload(conn, bucket, key, upload_id)
            if not listed:
                raise MalformedXML()
            stored = {row["part_number"]: (row["etag"], row["size"]) for row in conn.execute(
                "SELECT part_number, etag, size FROM multipart_parts WHERE upload_id = ?",
                (upload_id,))}
            numbers = [number for number, _ in listed]
            if any(not isinstance(n, int) for n in numbers) or any(
                    a >= b for a, b in itertools.pairwise(numbers)):
                raise InvalidPartOrder(upload_id)
            for number, etag in listed:
                found = stored.get(number)
                if found is None or etag is None or quoted_etag(etag) != found[0]:
                    raise InvalidPart(upload_id, number, etag or "")
            for number in numbers[:-1]:
                if stored[number][1] < MIN_PART_SIZE:
                    raise EntityTooSmall(stored[number][1], MIN_PART_SIZE, number,
                                         stored[number][0])
            # All the upload's parts, by number (a list of up to 10,000 numbers would not fit
            # the statement's parameters everywhere); those not listed are dropped here.
            wanted = set(numbers)
            body = b"".join(row["body"] for row in conn.execute(
                "SELECT part_number, body FROM multipart_parts WHERE upload_id = ? "
                "ORDER BY part_number", (upload_id,)) if row["part_number"] in wanted)
            etag = multipart_etag([stored[number][0] for number in numbers])
            conn.execute("DELETE FROM multipart_uploads WHERE upload_id = ?", (upload_id,))
            version_id = prepare_write(conn, bucket, key, versioning)
            store_object(conn, bucket, key, body, etag, now, upload.content_type,
                         upload.metadata, upload.headers, tags=upload.tags,
                         version_id=version_id)
            self._notifier.notify(conn, pending, "ObjectCreated:CompleteMultipartUpload",
                                  bucket, key, len(body), etag, now, cause,
                                  version_id=event_version(version_id))
            record_traced_write(conn, cause, "s3:CompleteMultipartUpload",
                                f"arn:aws:s3:::{bucket}/{key}", now)
            return etag, version_id

        # The parts are read and the object written on the database's thread: they are big.
        etag, version_id = await self._ctx.db.write(unit, heavy=True)
        pending.hand_over(self._ctx)
        result: dict[str, Any] = {
            "Location": f"https://{bucket}.s3.{self._ctx.region}.amazonaws.com/"
                        f"{quote(key, safe='/')}",
            "Bucket": bucket, "Key": key, "ETag": etag,
        }
        if versioning is not None:
            result["VersionId"] = version_id
        return result

    async def abort_multipart_upload(
        self, *, bucket: str, key: str, upload_id: str,
    ) -> dict[str, Any]:
        """AbortMultipartUpload: the upload and its parts are deleted."""

        def unit(conn: sqlite3.Connection) -> None:
            _require_upload(conn, bucket, key, upload_id)
            conn.execute("DELETE FROM multipart_uploads WHERE upload_id = ?", (upload_id,))

        await self._ctx.db.write(unit)
        return {}

    async def list_parts(
        self,
        *,
        bucket: str,
        key: str,
        upload_id: str,
        max_parts: int | None = None,
        part_number_marker: int | None = None,
    ) -> dict[str, Any]:
        """ListParts: the upload's parts by number, after ``part_number_marker``."""
        limit = _max_listed(max_parts, "max-parts")
        after = part_number_marker or 0

        def read(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            _require_upload(conn, bucket, key, upload_id)
            return conn.execute(
                "SELECT part_number, etag, size, last_modified FROM multipart_parts "
                "WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
                (upload_id, after, limit + 1)).fetchall()

        rows = await self._ctx.db.read(read)
        truncated = len(rows) > limit
        rows = rows[:limit]
        result: dict[str, Any] = {
            "Bucket": bucket, "Key": key, "UploadId": upload_id,
            "PartNumberMarker": after, "MaxParts": limit, "IsTruncated": truncated,
            "Parts": [{"PartNumber": row["part_number"], "ETag": row["etag"],
                       "Size": row["size"], "LastModified": timestamp(row["last_modified"])}
                      for row in rows],
            "Initiator": OWNER, "Owner": OWNER, "StorageClass": "STANDARD",
        }
        if rows:
            result["NextPartNumberMarker"] = rows[-1]["part_number"]
        return result

    async def list_multipart_uploads(
        self,
        *,
        bucket: str,
        prefix: str | None = None,
        max_uploads: int | None = None,
        key_marker: str | None = None,
        upload_id_marker: str | None = None,
    ) -> dict[str, Any]:
        """ListMultipartUploads: uploads in progress, by key and then by when they began."""
        limit = _max_listed(max_uploads, "max-uploads")
        like = (prefix or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

        def read(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            require_bucket(conn, bucket)
            where, params = ["bucket = ?", "key LIKE ? ESCAPE '\\'"], [bucket, like + "%"]
            if key_marker:
                if upload_id_marker:
                    # Uploads of the marker key that began after the marker's upload.
                    where.append("(key > ? OR (key = ? AND (initiated, upload_id) > "
                                 "(SELECT initiated, upload_id FROM multipart_uploads "
                                 "WHERE upload_id = ?)))")
                    params += [key_marker, key_marker, upload_id_marker]
                else:
                    where.append("key > ?")
                    params.append(key_marker)
            return conn.execute(
                f"SELECT key, upload_id, initiated FROM multipart_uploads WHERE "
                f"{' AND '.join(where)} ORDER BY key, initiated, upload_id LIMIT ?",
                (*params, limit + 1)).fetchall()

        rows = await self._ctx.db.read(read)
        truncated = len(rows) > limit
        rows = rows[:limit]
        result: dict[str, Any] = {
            "Bucket": bucket, "KeyMarker": key_marker or "",
            "UploadIdMarker": upload_id_marker or "", "MaxUploads": limit,
            "IsTruncated": truncated,
            "Uploads": [{"Key": row["key"], "UploadId": row["upload_id"],
                         "Initiated": timestamp(row["initiated"]), "StorageClass": "STANDARD",
                         "Owner": OWNER, "Initiator": OWNER} for row in rows],
        }
        # The prefix only when one was asked for; the next markers, to go on from, only when
        # the list is truncated (the API reference's ListMultipartUploadsOutput).
        if prefix:
            result["Prefix"] = prefix
        if truncated and rows:
            result["NextKeyMarker"] = rows[-1]["key"]
            result["NextUploadIdMarker"] = rows[-1]["upload_id"]
        return result
