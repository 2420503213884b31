"""aws-chunked bodies and the integrity checks S3 makes on uploads."""

from __future__ import annotations

import base64
import hashlib

import pytest
from multidict import CIMultiDict

from eventsim.errors import InvalidRequest
from eventsim.gateway import checksums
from eventsim.gateway.checksums import (
    checksum,
    decode_aws_chunked,
    verify_checksums,
    verify_content_md5,
    verify_content_sha256,
)
from eventsim.gateway.errors import (
    BadDigest,
    IncompleteBody,
    InvalidDigest,
    XAmzContentSHA256Mismatch,
)

CHECK_INPUT = b"123456789"


@pytest.mark.parametrize(
    ("algorithm", "value"),
    [
        # The standard check values of each CRC ("123456789").
        pytest.param("crc32", 0xCBF43926, id="crc32"),
        pytest.param("crc32c", 0xE3069283, id="crc32c"),
        pytest.param("crc64nvme", 0xAE8B14860A799888, id="crc64nvme"),
    ],
)
def test_checksum_crc_check_values(algorithm: str, value: int) -> None:
    size = 8 if algorithm == "crc64nvme" else 4
    assert checksum(algorithm, CHECK_INPUT) == base64.b64encode(
        value.to_bytes(size, "big")).decode()


def test_checksum_pure_python_crcs_match_their_check_values() -> None:
    assert checksums._crc32c_python(CHECK_INPUT) == 0xE3069283
    assert checksums._crc64nvme_python(CHECK_INPUT) == 0xAE8B14860A799888


def test_checksum_sha256_is_base64_digest() -> None:
    assert checksum("SHA256", b"hello") == base64.b64encode(
        hashlib.sha256(b"hello").digest()).decode()


def test_decode_aws_chunked_unsigned_with_trailer() -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
    assert decode_aws_chunked(body) == (b"hello world", {"x-amz-checksum-crc32": "DUoRhQ=="})


def test_decode_aws_chunked_signed_chunks() -> None:
    signature = "a" * 64
    body = (f"5;chunk-signature={signature}\r\nhello\r\n"
            f"0;chunk-signature={signature}\r\n\r\n").encode()
    assert decode_aws_chunked(body) == (b"hello", {})


def test_decode_aws_chunked_trailer_signature_is_a_trailer() -> None:
    body = (b"3\r\nabc\r\n0\r\nx-amz-checksum-sha256:x\r\n"
            b"x-amz-trailer-signature:abc\r\n\r\n")
    assert decode_aws_chunked(body)[1] == {"x-amz-checksum-sha256": "x",
                                           "x-amz-trailer-signature": "abc"}


@pytest.mark.parametrize(
    "body",
    [pytest.param(b"5\r\nhel", id="short-chunk"), pytest.param(b"5\r\nhello", id="no-end"),
     pytest.param(b"", id="empty")],
)
def test_decode_aws_chunked_truncated(body: bytes) -> None:
    with pytest.raises(IncompleteBody):
        decode_aws_chunked(body)


def test_decode_aws_chunked_bad_size() -> None:
    with pytest.raises(InvalidRequest):
        decode_aws_chunked(b"zz\r\nhello\r\n0\r\n\r\n")


def test_verify_checksums_returns_verified_values() -> None:
    headers = CIMultiDict({"x-amz-checksum-crc32": checksum("crc32", b"hello"),
                           "x-amz-sdk-checksum-algorithm": "CRC32"})
    assert verify_checksums(headers, {}, b"hello") == {"crc32": "NhCmhg=="}


def test_verify_checksums_trailer() -> None:
    headers = CIMultiDict({"x-amz-trailer": "x-amz-checksum-crc32c",
                           "x-amz-sdk-checksum-algorithm": "CRC32C"})
    trailers = {"x-amz-checksum-crc32c": checksum("crc32c", b"hello")}
    assert verify_checksums(headers, trailers, b"hello") == {
        "crc32c": checksum("crc32c", b"hello")}


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"])
def test_verify_checksums_mismatch_is_bad_digest(algorithm: str) -> None:
    headers = CIMultiDict({f"x-amz-checksum-{algorithm}": checksum(algorithm, b"other")})
    with pytest.raises(BadDigest) as exc:
        verify_checksums(headers, {}, b"hello")
    assert exc.value.message == (
        f"The {algorithm.upper()} you specified did not match the calculated checksum.")


def test_verify_checksums_malformed_value_is_invalid_request() -> None:
    with pytest.raises(InvalidRequest) as exc:
        verify_checksums(CIMultiDict({"x-amz-checksum-crc32": "not base64!"}), {}, b"hello")
    assert exc.value.message == "Value for x-amz-checksum-crc32 header is invalid."


def test_verify_checksums_announced_algorithm_without_checksum() -> None:
    with pytest.raises(InvalidRequest):
        verify_checksums(CIMultiDict({"x-amz-sdk-checksum-algorithm": "CRC32"}), {}, b"hello")


def test_verify_content_md5() -> None:
    good = base64.b64encode(hashlib.md5(b"hello").digest()).decode()
    verify_content_md5(good, b"hello")
    with pytest.raises(BadDigest):
        verify_content_md5(good, b"other")
    with pytest.raises(InvalidDigest) as exc:
        verify_content_md5("abc", b"hello")
    assert exc.value.fields == {"Content-MD5": "abc"}


def test_verify_content_sha256() -> None:
    verify_content_sha256(hashlib.sha256(b"hello").hexdigest(), b"hello")
    verify_content_sha256("UNSIGNED-PAYLOAD", b"hello")
    verify_content_sha256("STREAMING-UNSIGNED-PAYLOAD-TRAILER", b"hello")
    with pytest.raises(XAmzContentSHA256Mismatch) as exc:
        verify_content_sha256(hashlib.sha256(b"other").hexdigest(), b"hello")
    assert exc.value.code == "XAmzContentSHA256Mismatch"
