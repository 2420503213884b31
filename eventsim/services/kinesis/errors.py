"""Kinesis's error codes, as Kinesis names them, with its messages.

Kinesis speaks the json protocol: every client error answers HTTP 400, whatever the code
(``ResourceNotFoundException`` included, unlike Lambda's 404).

    AwsError
    ├── ResourceNotFoundException
    │   ├── StreamNotFound              Stream <name> under account <acct> not found.
    │   └── ShardNotFound               Shard <id> in stream <name> under account <acct> does
    │                                   not exist
    ├── ResourceInUseException
    ├── InvalidArgumentException
    ├── LimitExceededException
    ├── ExpiredIteratorException
    ├── ProvisionedThroughputExceededException   a shard's write limit, when enforced
    └── ValidationException             (eventsim.errors) member constraints, as AWS words them
"""

from __future__ import annotations

from eventsim.errors import AwsError

__all__ = [
    "ExpiredIteratorException",
    "InvalidArgumentException",
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ShardNotFound",
    "StreamNotFound",
    "rate_exceeded_message",
]


class ResourceNotFoundException(AwsError):
    code = "ResourceNotFoundException"
    status_code = 400
    sender_fault = True


class StreamNotFound(ResourceNotFoundException):
    def __init__(self, stream: str, account_id: str) -> None:
        super().__init__(f"Stream {stream} under account {account_id} not found.")


class ShardNotFound(ResourceNotFoundException):
    def __init__(self, shard_id: str, stream: str, account_id: str) -> None:
        super().__init__(
            f"Shard {shard_id} in stream {stream} under account {account_id} does not exist"
        )


class ResourceInUseException(AwsError):
    code = "ResourceInUseException"
    status_code = 400
    sender_fault = True


class InvalidArgumentException(AwsError):
    code = "InvalidArgumentException"
    status_code = 400
    sender_fault = True


class LimitExceededException(AwsError):
    code = "LimitExceededException"
    status_code = 400
    sender_fault = True


class ExpiredIteratorException(AwsError):
    code = "ExpiredIteratorException"
    status_code = 400
    sender_fault = True


class ProvisionedThroughputExceededException(AwsError):
    code = "ProvisionedThroughputExceededException"
    status_code = 400
    sender_fault = True


def rate_exceeded_message(shard_id: str, stream: str, account_id: str) -> str:
    """AWS's words when a shard's write throughput is exceeded."""
    return f"Rate exceeded for shard {shard_id} in stream {stream} under account {account_id}."
