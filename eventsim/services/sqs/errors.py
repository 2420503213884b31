"""SQS's error codes.

SQS speaks the json protocol with the ``awsQueryCompatible`` trait, so every error has two
names: ``code`` is the error shape's name (what the json body's ``__type`` carries and what
botocore names the exception class after, ``QueueDoesNotExist``), and ``query_code`` is the code
the old query protocol used (``AWS.SimpleQueueService.NonExistentQueue``), which AWS sends in the
``x-amzn-query-error`` header and botocore reports as ``Error.Code``. The pairs follow the AWS
SDK for Go's ``service/sqs`` error constants.
"""

from __future__ import annotations

from typing import ClassVar

from eventsim.errors import AwsError

__all__ = [
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidBatchEntryId",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "MessageNotInflight",
    "MissingParameter",
    "PurgeQueueInProgress",
    "QueueDeletedRecently",
    "QueueDoesNotExist",
    "QueueNameExists",
    "ReceiptHandleIsInvalid",
    "ResourceNotFoundException",
    "SqsError",
    "TooManyEntriesInBatchRequest",
]


class SqsError(AwsError):
    """An SQS error: a sender fault with HTTP status 400 unless a subclass says otherwise."""

    query_code: ClassVar[str] = "InternalError"
    status_code = 400
    sender_fault = True


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"

    def __init__(self) -> None:
        super().__init__("The specified queue does not exist.")


class QueueDeletedRecently(SqsError):
    code = "QueueDeletedRecently"
    query_code = "AWS.SimpleQueueService.QueueDeletedRecently"

    def __init__(self) -> None:
        super().__init__(
            "You must wait 60 seconds after deleting a queue before you can create another "
            "with the same name."
        )


class QueueNameExists(SqsError):
    code = "QueueNameExists"
    query_code = "QueueAlreadyExists"

    def __init__(self, attribute: str) -> None:
        super().__init__(
            "A queue already exists with the same name and a different value for attribute "
            f"{attribute}"
        )


class InvalidAttributeName(SqsError):
    code = "InvalidAttributeName"
    query_code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = "InvalidAttributeValue"
    query_code = "InvalidAttributeValue"


class InvalidParameterValue(SqsError):
    """Not a shape of the service model: botocore raises a plain ClientError for it."""

    code = "InvalidParameterValue"
    query_code = "InvalidParameterValue"


class MissingParameter(SqsError):
    code = "MissingParameter"
    query_code = "MissingParameter"

    def __init__(self, parameter: str) -> None:
        super().__init__(f"The request must contain the parameter {parameter}.")


class InvalidMessageContents(SqsError):
    code = "InvalidMessageContents"
    query_code = "InvalidMessageContents"

    def __init__(self) -> None:
        super().__init__(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
            "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
        )


class ReceiptHandleIsInvalid(SqsError):
    code = "ReceiptHandleIsInvalid"
    query_code = "ReceiptHandleIsInvalid"

    def __init__(self, handle: str) -> None:
        super().__init__(f'The input receipt handle "{handle}" is not a valid receipt handle.')


class MessageNotInflight(SqsError):
    code = "MessageNotInflight"
    query_code = "AWS.SimpleQueueService.MessageNotInflight"

    def __init__(self) -> None:
        super().__init__("The specified message isn't in flight.")


class PurgeQueueInProgress(SqsError):
    code = "PurgeQueueInProgress"
    query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status_code = 403

    def __init__(self, queue: str) -> None:
        super().__init__(f"Only one PurgeQueue operation on {queue} is allowed every 60 seconds.")


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"

    def __init__(self, entry: str) -> None:
        super().__init__(f"There should be at least one {entry} in the request.")


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"

    def __init__(self, count: int) -> None:
        super().__init__(f"Maximum number of entries per request are 10. You have sent {count}.")


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"Id {entry_id} repeated.")


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"

    def __init__(self) -> None:
        super().__init__(
            "A batch entry id can only contain alphanumeric characters, hyphens and "
            "underscores. It can be at most 80 letters long."
        )


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"

    def __init__(self, limit: int, size: int) -> None:
        super().__init__(
            f"Batch requests cannot be longer than {limit} bytes. You have sent {size} bytes."
        )


class ResourceNotFoundException(SqsError):
    """A message move task's queue (or the task) that does not exist."""

    code = "ResourceNotFoundException"
    query_code = "ResourceNotFoundException"
