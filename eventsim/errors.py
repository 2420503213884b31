"""Errors raised by eventsim.

The tree::

    EventsimError                       root of everything eventsim raises on purpose
    ├── AwsError                        an AWS API error: code, HTTP status, sender fault
    │   ├── ValidationException, InvalidArgument, MalformedXML, NotImplemented, ...
    │   ├── (per-service codes live in services/<service>/errors.py)
    │   └── InternalFailure             our bug, reported the way AWS reports its own
    ├── ConfigError                     a bad scenario, definitions file or setting
    └── SimulatorStateError             a lifecycle mistake (start twice, use after close)

Services raise `AwsError` subclasses named after the AWS code; every surface (gateway,
scenario runner, pytest helpers, console) reports the same `code` and message. Only
`gateway/errors.py` turns them into wire errors.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AccessDenied",
    "AwsError",
    "ConfigError",
    "EventsimError",
    "InternalFailure",
    "InvalidArgument",
    "InvalidParameterValueException",
    "InvalidRequest",
    "MalformedXML",
    "NotImplementedOperation",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "SimulatorStateError",
    "TooManyRequestsException",
    "ValidationException",
]


class EventsimError(Exception):
    """Root of every error eventsim raises on purpose."""


class SimulatorStateError(EventsimError, RuntimeError):
    """A lifecycle mistake: starting twice, using a closed simulator."""


class ConfigError(EventsimError):
    """A user-written file or setting is wrong. The message names where."""


class AwsError(EventsimError):
    """An error with AWS's own code, HTTP status and fault side.

    Subclasses set the three class attributes; instances carry the message and, where the
    wire format has them, extra fields (S3 adds `BucketName`, `Key`, `ArgumentName`...).
    """

    code: ClassVar[str] = "InternalFailure"
    status_code: ClassVar[int] = 500
    sender_fault: ClassVar[bool] = False

    def __init__(self, message: str = "", **fields: str) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.headers: dict[str, str] = {}
        """Headers the error's response carries besides the protocol's own (S3 tells a
        delete marker's version this way)."""

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


class InternalFailure(AwsError):
    """Our bug, not the caller's. Wrap the cause with `raise InternalFailure(...) from exc`."""

    code = "InternalFailure"
    status_code = 500


class NotImplementedOperation(AwsError):
    """An operation or feature eventsim does not simulate. AWS's code for it is `NotImplemented`."""

    code = "NotImplemented"
    status_code = 501
    sender_fault = True


class ValidationException(AwsError):
    code = "ValidationException"
    status_code = 400
    sender_fault = True


class InvalidArgument(AwsError):
    code = "InvalidArgument"
    status_code = 400
    sender_fault = True


class InvalidRequest(AwsError):
    code = "InvalidRequest"
    status_code = 400
    sender_fault = True


class MalformedXML(AwsError):
    code = "MalformedXML"
    status_code = 400
    sender_fault = True

    def __init__(
        self,
        message: str = (
            "The XML you provided was not well-formed or did not validate against our "
            "published schema"
        ),
        **fields: str,
    ) -> None:
        super().__init__(message, **fields)


class AccessDenied(AwsError):
    code = "AccessDenied"
    status_code = 403
    sender_fault = True


class ResourceNotFoundException(AwsError):
    code = "ResourceNotFoundException"
    status_code = 404
    sender_fault = True


class ResourceConflictException(AwsError):
    code = "ResourceConflictException"
    status_code = 409
    sender_fault = True


class InvalidParameterValueException(AwsError):
    code = "InvalidParameterValueException"
    status_code = 400
    sender_fault = True


class TooManyRequestsException(AwsError):
    code = "TooManyRequestsException"
    status_code = 429
    sender_fault = True
