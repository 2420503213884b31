"""S3's error codes, as S3 names them."""

from __future__ import annotations

from eventsim.errors import AwsError

__all__ = [
    "BucketAlreadyOwnedByYou",
    "BucketNotEmpty",
    "InvalidBucketName",
    "InvalidRange",
    "NoSuchBucket",
    "NoSuchKey",
    "PreconditionFailed",
]


class NoSuchBucket(AwsError):
    code = "NoSuchBucket"
    status_code = 404
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The specified bucket does not exist", BucketName=bucket)


class NoSuchKey(AwsError):
    code = "NoSuchKey"
    status_code = 404
    sender_fault = True

    def __init__(self, key: str) -> None:
        super().__init__("The specified key does not exist.", Key=key)


class BucketAlreadyOwnedByYou(AwsError):
    code = "BucketAlreadyOwnedByYou"
    status_code = 409
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__(
            "Your previous request to create the named bucket succeeded and you already own it.",
            BucketName=bucket,
        )


class BucketNotEmpty(AwsError):
    code = "BucketNotEmpty"
    status_code = 409
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The bucket you tried to delete is not empty", BucketName=bucket)


class InvalidBucketName(AwsError):
    code = "InvalidBucketName"
    status_code = 400
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The specified bucket is not valid.", BucketName=bucket)


class InvalidRange(AwsError):
    code = "InvalidRange"
    status_code = 416
    sender_fault = True

    def __init__(self, size: int, requested: str) -> None:
        super().__init__(
            "The requested range is not satisfiable",
            RangeRequested=requested,
            ActualObjectSize=str(size),
        )


class PreconditionFailed(AwsError):
    code = "PreconditionFailed"
    status_code = 412
    sender_fault = True

    def __init__(self, condition: str) -> None:
        super().__init__(
            "At least one of the pre-conditions you specified did not hold", Condition=condition
        )


class KeyTooLongError(AwsError):
    code = "KeyTooLongError"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Your key is too long")


class NotModified(AwsError):
    """Not an error to S3, but botocore reports a 304 as one (code "304")."""

    code = "NotModified"
    status_code = 304
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("Not Modified")


class IllegalLocationConstraintException(AwsError):
    code = "IllegalLocationConstraintException"
    status_code = 400
    sender_fault = True

    def __init__(self, constraint: str) -> None:
        super().__init__(
            f"The {constraint} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )


class InvalidLocationConstraint(AwsError):
    code = "InvalidLocationConstraint"
    status_code = 400
    sender_fault = True

    def __init__(self, constraint: str) -> None:
        super().__init__("The specified location-constraint is not valid",
                         LocationConstraint=constraint)
