"""CloudWatch Logs' error codes, with AWS's messages."""

from __future__ import annotations

from eventsim.errors import AwsError

__all__ = ["InvalidParameterException", "ResourceNotFoundException"]


class InvalidParameterException(AwsError):
    """A parameter is wrong: its value, or how it goes with another."""

    code = "InvalidParameterException"
    status_code = 400
    sender_fault = True


class ResourceNotFoundException(AwsError):
    """No such log group or log stream."""

    code = "ResourceNotFoundException"
    status_code = 400
    sender_fault = True

    @classmethod
    def group(cls) -> ResourceNotFoundException:
        return cls("The specified log group does not exist.")

    @classmethod
    def stream(cls) -> ResourceNotFoundException:
        return cls("The specified log stream does not exist.")
