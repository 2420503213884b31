"""Lambda's error codes."""

from __future__ import annotations

from eventsim.errors import (
    AwsError,
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)

__all__ = [
    "AliasNotFound",
    "FunctionAlreadyExists",
    "FunctionNotFound",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "PreconditionFailedException",
    "RequestTooLargeException",
]


class FunctionNotFound(ResourceNotFoundException):
    def __init__(self, arn: str) -> None:
        super().__init__(f"Function not found: {arn}", Type="User")


class AliasNotFound(ResourceNotFoundException):
    def __init__(self, arn: str) -> None:
        super().__init__(f"Cannot find alias arn: {arn}", Type="User")


class FunctionAlreadyExists(ResourceConflictException):
    def __init__(self, name: str) -> None:
        super().__init__(f"Function already exist: {name}", Type="User")


class RequestTooLargeException(AwsError):
    code = "RequestTooLargeException"
    status_code = 413
    sender_fault = True


class InvalidRequestContentException(AwsError):
    code = "InvalidRequestContentException"
    status_code = 400
    sender_fault = True


class PreconditionFailedException(AwsError):
    """A RevisionId that is no longer the function's."""

    code = "PreconditionFailedException"
    status_code = 412
    sender_fault = True

    def __init__(self) -> None:
        super().__init__(
            "The Revision Id provided does not match the latest Revision Id. Call the "
            "GetFunction/GetAlias API to retrieve the latest Revision Id", Type="User",
        )
