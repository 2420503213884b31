"""SNS's error codes, as SNS names them (botocore's sns model and AWS's API reference)."""

from __future__ import annotations

from eventsim.errors import AwsError

__all__ = [
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "FilterPolicyLimitExceeded",
    "InvalidBatchEntryId",
    "InvalidParameter",
    "NotFound",
    "ParameterValueInvalid",
    "ResourceNotFound",
    "SubscriptionNotFound",
    "TagLimitExceeded",
    "TooManyEntriesInBatchRequest",
    "TopicNotFound",
]


class InvalidParameter(AwsError):
    code = "InvalidParameter"
    status_code = 400
    sender_fault = True


class ParameterValueInvalid(AwsError):
    """botocore's InvalidParameterValueException: a bad message attribute."""

    code = "ParameterValueInvalid"
    status_code = 400
    sender_fault = True


class FilterPolicyLimitExceeded(AwsError):
    code = "FilterPolicyLimitExceeded"
    status_code = 403
    sender_fault = True

    def __init__(self) -> None:
        super().__init__(
            "Indicates that the number of filter polices in your Amazon Web Services account "
            "exceeds the limit. To add more filter polices, submit an Amazon SNS Limit Increase "
            "case in the Amazon Web Services Support Center.")


class NotFound(AwsError):
    code = "NotFound"
    status_code = 404
    sender_fault = True


class TopicNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Topic does not exist")


class SubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Subscription does not exist")


class ResourceNotFound(AwsError):
    """Tagging operations on a resource that does not exist."""

    code = "ResourceNotFound"
    status_code = 404
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Resource does not exist")


class TagLimitExceeded(AwsError):
    code = "TagLimitExceeded"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Could not complete request: tag quota of per resource exceeded")


class TooManyEntriesInBatchRequest(AwsError):
    code = "TooManyEntriesInBatchRequest"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("The batch request contains more entries than permissible.")


class EmptyBatchRequest(AwsError):
    code = "EmptyBatchRequest"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("The batch request doesn't contain any entries.")


class BatchEntryIdsNotDistinct(AwsError):
    code = "BatchEntryIdsNotDistinct"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Two or more batch entries in the request have the same Id.")


class InvalidBatchEntryId(AwsError):
    code = "InvalidBatchEntryId"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__(
            "The Id of a batch entry in a batch request doesn't abide by the specification.")


class BatchRequestTooLong(AwsError):
    code = "BatchRequestTooLong"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__(
            "The length of all the messages put together is more than the limit.")
