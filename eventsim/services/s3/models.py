"""S3's rules on names, ranges and ETags."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

from eventsim.services.s3.errors import InvalidBucketName, InvalidRange

__all__ = ["ByteRange", "StoredObject", "compute_etag", "parse_range", "validate_bucket_name"]

_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def validate_bucket_name(name: str) -> None:
    """Raise `InvalidBucketName` unless `name` follows S3's general-purpose bucket rules."""
    if (
        not _BUCKET_CHARS.match(name)
        or ".." in name
        or name.startswith(_RESERVED_PREFIXES)
        or name.endswith(_RESERVED_SUFFIXES)
        or _is_ip_address(name)
    ):
        raise InvalidBucketName(name)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def compute_etag(body: bytes) -> str:
    """The ETag of a single-part upload: the hex MD5 of the bytes, in double quotes."""
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> ByteRange | None:
    """Interpret a Range header against an object of `size` bytes.

    Returns None when S3 would ignore the header and send the whole object (a syntactically
    invalid or multi-range header); raises `InvalidRange` when the range can't be satisfied.
    """
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            raise InvalidRange(size, header)
        return ByteRange(max(0, size - length), size - 1) if size else None
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size:
        raise InvalidRange(size, header)
    if end < start:
        return None
    return ByteRange(start, min(end, size - 1))


@dataclass(frozen=True)
class StoredObject:
    """An object as the store keeps it (without the body)."""

    bucket: str
    key: str
    size: int
    etag: str
    last_modified: float
    content_type: str | None
    metadata: dict[str, str]
    headers: dict[str, str]
    tags: str = "{}"
    """As `eventsim.services.s3.tagging` stores them (JSON)."""
    version_id: str = "null"
    """S3's version id; ``null`` for the null version (`eventsim.services.s3.versioning`)."""
