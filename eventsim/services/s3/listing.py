"""ListObjects and ListObjectsV2: prefixes, delimiters, pages, and the two operations
(`ListingOperations`, a part of `S3Service`)."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from eventsim.errors import InvalidArgument
from eventsim.services.base import ServiceContext
from eventsim.services.s3.objects import OWNER, require_bucket, timestamp

__all__ = [
    "Bound",
    "Listing",
    "ListingOperations",
    "after_prefix",
    "content_entry",
    "decode_token",
    "encode_token",
    "key_encoder",
    "list_keys",
    "list_page",
    "max_keys_limit",
    "url_encode_key",
]


@dataclass(frozen=True)
class Bound:
    """Where a listing starts: at (inclusive) or after a string."""

    value: str
    inclusive: bool


@dataclass
class Listing:
    contents: list[sqlite3.Row] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    next: Bound | None = None
    """Where the next page starts."""


def after_prefix(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def list_keys(
    conn: sqlite3.Connection,
    bucket: str,
    *,
    prefix: str,
    delimiter: str | None,
    start: Bound | None,
    max_keys: int,
) -> Listing:
    """Walk the bucket's keys in UTF-8 binary order, as S3 lists them.

    Each key under `prefix` becomes either an entry of `contents` or, when `delimiter` occurs
    after the prefix, part of one common prefix. A listing is truncated when one more entry
    exists beyond `max_keys`.
    """
    listing = Listing()
    bound = start
    upper = after_prefix(prefix) if prefix else None
    page = max_keys + 1
    while True:
        where, params = "bucket = ?", [bucket]
        if prefix:
            where += " AND key >= ?"
            params.append(prefix)
        if upper is not None:
            where += " AND key < ?"
            params.append(upper)
        if bound is not None:
            where += " AND key >= ?" if bound.inclusive else " AND key > ?"
            params.append(bound.value)
        rows = conn.execute(
            f"SELECT key, size, etag, last_modified, json_extract(headers, '$.StorageClass') "
            f"AS storage_class FROM objects WHERE {where} "
            "ORDER BY key LIMIT ?",
            (*params, page),
        ).fetchall()
        for row in rows:
            if len(listing.contents) + len(listing.common_prefixes) >= max_keys:
                listing.truncated = True
                return listing
            key: str = row["key"]
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if delimiter and cut >= 0:
                common = key[: cut + len(delimiter)]
                listing.common_prefixes.append(common)
                # Resume after every key under this common prefix.
                bound = Bound(after_prefix(common), inclusive=True)
                listing.next = bound
                break
            listing.contents.append(row)
            bound = Bound(key, inclusive=False)
            listing.next = bound
        else:
            if len(rows) < page:
                return listing


def encode_token(bound: Bound) -> str:
    """An opaque ContinuationToken for ListObjectsV2."""
    raw = ("1" if bound.inclusive else "0") + bound.value
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_token(token: str) -> Bound | None:
    """The bound a token stands for, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw or raw[0] not in "01":
        return None
    return Bound(raw[1:], inclusive=raw[0] == "1")


def url_encode_key(key: str) -> str:
    """``EncodingType=url`` as S3 applies it to keys and prefixes in listings."""
    return quote(key, safe="/~")


def max_keys_limit(max_keys: int | None) -> int:
    """``max-keys`` as S3 applies it: 1,000 by default and at most."""
    if max_keys is None:
        return 1000
    if max_keys < 0:
        raise InvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647",
                              ArgumentName="maxKeys", ArgumentValue=str(max_keys))
    return min(max_keys, 1000)


def list_page(
    conn: sqlite3.Connection,
    bucket: str,
    prefix: str,
    delimiter: str | None,
    start: Bound | None,
    limit: int,
) -> Listing:
    """One page of keys under `prefix` (NoSuchBucket if the bucket is gone)."""
    require_bucket(conn, bucket)
    return list_keys(conn, bucket, prefix=prefix, delimiter=delimiter, start=start,
                     max_keys=limit)


def key_encoder(encoding_type: str | None) -> Any:
    """How keys appear in a listing: as they are, or URL-encoded (``encoding-type=url``)."""
    if encoding_type is None:
        return lambda value: value
    if encoding_type != "url":
        raise InvalidArgument("Invalid Encoding Method specified in Request",
                              ArgumentName="encoding-type", ArgumentValue=encoding_type)
    return url_encode_key


def content_entry(row: sqlite3.Row, encode: Any, with_owner: bool | None) -> dict[str, Any]:
    """One ``Contents`` entry of a listing."""
    item: dict[str, Any] = {
        "Key": encode(row["key"]),
        "LastModified": timestamp(row["last_modified"]),
        "ETag": row["etag"],
        "Size": row["size"],
        "StorageClass": row["storage_class"] or "STANDARD",
    }
    if with_owner:
        item["Owner"] = dict(OWNER)
    return item


class ListingOperations:
    """ListObjectsV2 and ListObjects (a part of `S3Service`)."""

    _ctx: ServiceContext

    async def list_objects_v2(
        self,
        *,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        max_keys: int | None = None,
        continuation_token: str | None = None,
        start_after: str | None = None,
        encoding_type: str | None = None,
        fetch_owner: bool | None = None,
    ) -> dict[str, Any]:
        """ListObjectsV2."""
        limit = max_keys_limit(max_keys)
        start: Bound | None = None
        if continuation_token is not None:
            start = decode_token(continuation_token)
            if start is None:
                raise InvalidArgument("The continuation token provided is incorrect",
                                      ArgumentName="continuation-token")
        elif start_after:
            start = Bound(start_after, inclusive=False)
        found = await self._ctx.db.read(
            lambda c: list_page(c, bucket, prefix or "", delimiter or None, start, limit)
        )
        encode = key_encoder(encoding_type)
        result: dict[str, Any] = {
            "IsTruncated": found.truncated,
            "Contents": [content_entry(r, encode, fetch_owner) for r in found.contents],
            "Name": bucket,
            "Prefix": encode(prefix or ""),
            "MaxKeys": limit,
            "CommonPrefixes": [{"Prefix": encode(p)} for p in found.common_prefixes],
            "KeyCount": len(found.contents) + len(found.common_prefixes),
        }
        if delimiter:
            result["Delimiter"] = encode(delimiter)
        if encoding_type:
            result["EncodingType"] = encoding_type
        if continuation_token is not None:
            result["ContinuationToken"] = continuation_token
        if start_after:
            result["StartAfter"] = encode(start_after)
        if found.truncated and found.next is not None:
            result["NextContinuationToken"] = encode_token(found.next)
        return result

    async def list_objects(
        self,
        *,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        encoding_type: str | None = None,
    ) -> dict[str, Any]:
        """ListObjects (version 1)."""
        limit = max_keys_limit(max_keys)
        start = None
        if marker:
            if delimiter and marker.endswith(delimiter):
                # A NextMarker that was a common prefix resumes after all of its keys.
                start = Bound(marker[:-1] + chr(ord(marker[-1]) + 1), inclusive=True)
            else:
                start = Bound(marker, inclusive=False)
        found = await self._ctx.db.read(
            lambda c: list_page(c, bucket, prefix or "", delimiter or None, start, limit)
        )
        encode = key_encoder(encoding_type)
        result: dict[str, Any] = {
            "IsTruncated": found.truncated,
            "Marker": encode(marker or ""),
            "Contents": [content_entry(r, encode, True) for r in found.contents],
            "Name": bucket,
            "Prefix": encode(prefix or ""),
            "MaxKeys": limit,
            "CommonPrefixes": [{"Prefix": encode(p)} for p in found.common_prefixes],
        }
        if delimiter:
            result["Delimiter"] = encode(delimiter)
            if found.truncated:
                last = (found.common_prefixes + [r["key"] for r in found.contents])
                result["NextMarker"] = encode(max(last)) if last else ""
        if encoding_type:
            result["EncodingType"] = encoding_type
        return result
