"""Errors the gateway itself answers, and the turn from any exception into an `AwsError`.

Services raise `AwsError`s; the gateway adds the few codes that belong to the wire (bad digests,
truncated bodies) and reports anything unexpected as the service's internal error, with the
traceback in the log and never a crashed server.
"""

from __future__ import annotations

import logging

from eventsim.errors import AwsError, InternalFailure

__all__ = [
    "BadDigest",
    "IncompleteBody",
    "InternalError",
    "InvalidDigest",
    "XAmzContentSHA256Mismatch",
    "to_aws_error",
]

LOG = logging.getLogger(__name__)


class InternalError(AwsError):
    """S3's name for its own failure (other services say ``InternalFailure``)."""

    code = "InternalError"
    status_code = 500

    def __init__(self, message: str = "We encountered an internal error. Please try again.",
                 **fields: str) -> None:
        super().__init__(message, **fields)


class BadDigest(AwsError):
    """The body does not match the ``Content-MD5`` or ``x-amz-checksum-*`` sent with it."""

    code = "BadDigest"
    status_code = 400
    sender_fault = True


class InvalidDigest(AwsError):
    """The ``Content-MD5`` header is not a base64 MD5 digest."""

    code = "InvalidDigest"
    status_code = 400
    sender_fault = True

    def __init__(self, content_md5: str) -> None:
        # The XML element is "Content-MD5", which is no Python identifier.
        super().__init__("The Content-MD5 you specified was invalid.",
                         **{"Content-MD5": content_md5})


class XAmzContentSHA256Mismatch(AwsError):
    """The body does not match the SHA-256 the request was signed with."""

    code = "XAmzContentSHA256Mismatch"
    status_code = 400
    sender_fault = True

    def __init__(self, client: str, computed: str) -> None:
        super().__init__(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ClientComputedContentSHA256=client,
            S3ComputedContentSHA256=computed,
        )


class IncompleteBody(AwsError):
    """The body ended before what its framing (aws-chunked, decoded length) announced."""

    code = "IncompleteBody"
    status_code = 400
    sender_fault = True

    def __init__(self, message: str = "The request body terminated unexpectedly") -> None:
        super().__init__(message)


def to_aws_error(exc: BaseException, service: str) -> AwsError:
    """`exc` itself when it is an `AwsError`; otherwise the service's internal error, logged
    with its traceback (it is our bug, not the caller's)."""
    if isinstance(exc, AwsError):
        return exc
    LOG.error("internal error while serving a %s request", service, exc_info=exc)
    if service == "s3":
        return InternalError()
    return InternalFailure("The request processing has failed because of an unknown error, "
                           "exception or failure.")
