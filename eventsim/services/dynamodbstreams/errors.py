"""DynamoDB Streams' error codes, with AWS's messages."""

from __future__ import annotations

from eventsim.errors import AwsError

__all__ = ["ExpiredIteratorException", "TrimmedDataAccessException"]


class ExpiredIteratorException(AwsError):
    """A shard iterator is valid for 15 minutes after GetShardIterator or GetRecords made it."""

    code = "ExpiredIteratorException"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Shard iterator has expired")


class TrimmedDataAccessException(AwsError):
    """The position is older than the stream's 24-hour retention."""

    code = "TrimmedDataAccessException"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__(
            "The operation attempted to read past the oldest stream record in a shard."
        )
