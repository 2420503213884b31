"""Request body framing and integrity: aws-chunked decoding and checksum verification.

Current SDKs protect uploads with a checksum (boto3: CRC32 by default). A body of known length
carries it in a header (``x-amz-checksum-crc32: <base64>``); a streamed body is sent as
``Content-Encoding: aws-chunked`` with the checksum in a trailer after the last chunk::

    5\\r\\nhello\\r\\n0\\r\\nx-amz-checksum-crc32:NhCmhg==\\r\\n\\r\\n

(``STREAMING-UNSIGNED-PAYLOAD-TRAILER``; signed streams add ``;chunk-signature=...`` to each
size line, which is accepted and not checked, like every signature here). See
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html.

CRC32C and CRC64NVME use ``awscrt`` when it is installed and a pure-Python table otherwise
(fine for test-sized bodies; SDKs only send them when asked or when they have awscrt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import zlib
from collections.abc import Callable, Mapping

from eventsim.errors import InvalidRequest
from eventsim.gateway.errors import (
    BadDigest,
    IncompleteBody,
    InvalidDigest,
    XAmzContentSHA256Mismatch,
)

__all__ = [
    "ALGORITHMS",
    "checksum",
    "decode_aws_chunked",
    "verify_checksums",
    "verify_content_md5",
    "verify_content_sha256",
]

LOG = logging.getLogger(__name__)

CHECKSUM_HEADER_PREFIX = "x-amz-checksum-"


def _reflected_table(poly: int) -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _reflected_table(0x82F63B78)
_CRC64NVME_TABLE = _reflected_table(0x9A6C9329AC4BC9B5)
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _crc32c_python(data: bytes) -> int:
    crc = _MASK32
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK32


def _crc64nvme_python(data: bytes) -> int:
    crc = _MASK64
    table = _CRC64NVME_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK64


try:
    from awscrt import checksums as _crt  # type: ignore[import-not-found, unused-ignore]

    def _crc32c(data: bytes) -> int:
        return int(_crt.crc32c(data))

    def _crc64nvme(data: bytes) -> int:
        return int(_crt.crc64nvme(data))

except ImportError:
    _crc32c = _crc32c_python
    _crc64nvme = _crc64nvme_python


ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "crc32": lambda data: zlib.crc32(data).to_bytes(4, "big"),
    "crc32c": lambda data: _crc32c(data).to_bytes(4, "big"),
    "crc64nvme": lambda data: _crc64nvme(data).to_bytes(8, "big"),
    "sha1": lambda data: hashlib.sha1(data).digest(),
    "sha256": lambda data: hashlib.sha256(data).digest(),
    "sha512": lambda data: hashlib.sha512(data).digest(),
    "md5": lambda data: hashlib.md5(data).digest(),
}
"""Checksums eventsim verifies, by the suffix of their ``x-amz-checksum-`` header. Others
(the xxhash family) are accepted unverified."""

_CHECKSUM_HEADERS = tuple((name, CHECKSUM_HEADER_PREFIX + name) for name in ALGORITHMS)

_DIGEST_SIZES = {"crc32": 4, "crc32c": 4, "crc64nvme": 8, "sha1": 20, "sha256": 32,
                 "sha512": 64, "md5": 16}


def checksum(algorithm: str, data: bytes) -> str:
    """The base64 checksum of `data`, as its ``x-amz-checksum-<algorithm>`` header carries it."""
    return base64.b64encode(ALGORITHMS[algorithm.lower()](data)).decode("ascii")


def decode_aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """The payload of an aws-chunked body and its trailers (lower-cased names)."""
    chunks: list[bytes] = []
    position = 0
    end = len(body)
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            raise IncompleteBody()
        size_text = body[position:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise InvalidRequest("Invalid chunk size in the aws-chunked body.") from None
        position = line_end + 2
        if size == 0:
            break
        if position + size + 2 > end:
            raise IncompleteBody()
        chunks.append(body[position : position + size])
        position += size
        if body[position : position + 2] != b"\r\n":
            raise InvalidRequest("A chunk of the aws-chunked body does not end with CRLF.")
        position += 2
    trailers: dict[str, str] = {}
    for line in body[position:].split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep:
            trailers[name.strip().lower()] = value.strip()
    return b"".join(chunks), trailers


def verify_checksums(
    headers: Mapping[str, str], trailers: Mapping[str, str], body: bytes
) -> dict[str, str]:
    """Check every ``x-amz-checksum-*`` header and trailer against `body`.

    `trailers` has lower-cased names (`decode_aws_chunked` makes them so). Returns the
    verified values by algorithm (``{"crc32": "NhCmhg=="}``). Raises ``BadDigest``
    on a mismatch and ``InvalidRequest`` on a value that is not a digest of its algorithm or an
    ``x-amz-sdk-checksum-algorithm`` with no checksum to go with it.
    """
    sent: dict[str, str] = {}
    for algorithm, header in _CHECKSUM_HEADERS:
        value = headers.get(header)
        if value is None and trailers:
            value = trailers.get(header)
        if value is not None:
            sent[algorithm] = value.strip()
    announced = headers.get("x-amz-sdk-checksum-algorithm")
    if announced and announced.lower() not in sent and not headers.get("x-amz-trailer"):
        raise InvalidRequest(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or "
            "x-amz-trailer headers were found."
        )
    verified: dict[str, str] = {}
    for algorithm, value in sent.items():
        compute = ALGORITHMS[algorithm]
        try:
            digest = base64.b64decode(value, validate=True)
        except binascii.Error:
            digest = b""
        if len(digest) != _DIGEST_SIZES[algorithm]:
            raise InvalidRequest(
                f"Value for {CHECKSUM_HEADER_PREFIX}{algorithm} header is invalid."
            )
        if not hmac.compare_digest(digest, compute(body)):
            raise BadDigest(
                f"The {algorithm.upper()} you specified did not match the calculated checksum."
            )
        verified[algorithm] = value
    return verified


def verify_content_md5(value: str, body: bytes) -> None:
    """Check a ``Content-MD5`` header: ``InvalidDigest`` if malformed, ``BadDigest`` if wrong."""
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 16:
        raise InvalidDigest(value)
    computed = hashlib.md5(body).digest()
    if not hmac.compare_digest(digest, computed):
        raise BadDigest(
            "The Content-MD5 you specified did not match what we received.",
            ExpectedDigest=digest.hex(),
            CalculatedDigest=base64.b64encode(computed).decode("ascii"),
        )


def verify_content_sha256(value: str, body: bytes) -> None:
    """Check an ``x-amz-content-sha256`` that is a hex digest (not ``UNSIGNED-PAYLOAD`` or a
    ``STREAMING-...`` marker) against the body it signed."""
    if len(value) != 64:
        return
    computed = hashlib.sha256(body).hexdigest()
    if computed != value.lower():
        raise XAmzContentSHA256Mismatch(value, computed)
