"""S3's error codes, as S3 names them."""

from __future__ import annotations

from eventsim.errors import AccessDenied, AwsError

__all__ = [
    "AccessControlListNotSupported",
    "BadRequest",
    "BucketAlreadyOwnedByYou",
    "BucketNotEmpty",
    "EntityTooSmall",
    "InvalidBucketName",
    "InvalidObjectState",
    "InvalidPart",
    "InvalidPartOrder",
    "InvalidRange",
    "InvalidStorageClass",
    "InvalidTag",
    "MalformedPolicy",
    "MethodNotAllowed",
    "NoSuchBucket",
    "NoSuchBucketPolicy",
    "NoSuchCORSConfiguration",
    "NoSuchKey",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchTagSet",
    "NoSuchUpload",
    "NoSuchVersion",
    "PreconditionFailed",
    "PublicPolicyBlocked",
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


# -- multipart uploads (messages as S3 writes them, Amazon S3 API Reference, Error responses) --


class NoSuchUpload(AwsError):
    code = "NoSuchUpload"
    status_code = 404
    sender_fault = True

    def __init__(self, upload_id: str) -> None:
        super().__init__(
            "The specified upload does not exist. The upload ID may be invalid, or the upload "
            "may have been aborted or completed.",
            UploadId=upload_id,
        )


class InvalidPart(AwsError):
    code = "InvalidPart"
    status_code = 400
    sender_fault = True

    def __init__(self, upload_id: str, part_number: int, etag: str) -> None:
        super().__init__(
            "One or more of the specified parts could not be found.  The part may not have "
            "been uploaded, or the specified entity tag may not match the part's entity tag.",
            UploadId=upload_id, PartNumber=str(part_number), ETag=etag,
        )


class InvalidPartOrder(AwsError):
    code = "InvalidPartOrder"
    status_code = 400
    sender_fault = True

    def __init__(self, upload_id: str) -> None:
        super().__init__(
            "The list of parts was not in ascending order. The parts list must be specified in "
            "order by part number.",
            UploadId=upload_id,
        )


class EntityTooSmall(AwsError):
    code = "EntityTooSmall"
    status_code = 400
    sender_fault = True

    def __init__(self, size: int, minimum: int, part_number: int, etag: str) -> None:
        super().__init__(
            "Your proposed upload is smaller than the minimum allowed object size.",
            ProposedSize=str(size), MinSizeAllowed=str(minimum), PartNumber=str(part_number),
            ETag=etag,
        )


# -- object tags ---------------------------------------------------------------------------


class InvalidTag(AwsError):
    code = "InvalidTag"
    status_code = 400
    sender_fault = True


class BadRequest(AwsError):
    """What S3 answers for more than 10 tags on an object."""

    code = "BadRequest"
    status_code = 400
    sender_fault = True


class AccessControlListNotSupported(AwsError):
    """A canned ACL other than private on a bucket with ACLs disabled (all of eventsim's)."""

    code = "AccessControlListNotSupported"
    status_code = 400
    sender_fault = True

    def __init__(self) -> None:
        super().__init__("The bucket does not allow ACLs")


class InvalidStorageClass(AwsError):
    code = "InvalidStorageClass"
    status_code = 400
    sender_fault = True

    def __init__(self, storage_class: str) -> None:
        super().__init__("The storage class you specified is not valid",
                         StorageClassRequested=storage_class)


class InvalidObjectState(AwsError):
    """A read of an object in an archive class that has not been restored."""

    code = "InvalidObjectState"
    status_code = 403
    sender_fault = True

    def __init__(self, storage_class: str) -> None:
        super().__init__("The operation is not valid for the object's storage class",
                         StorageClass=storage_class)


class NoSuchVersion(AwsError):
    """A version id, well formed, that names no version of the key."""

    code = "NoSuchVersion"
    status_code = 404
    sender_fault = True

    def __init__(self, key: str, version_id: str) -> None:
        super().__init__("The specified version does not exist.", Key=key,
                         VersionId=version_id)


class MethodNotAllowed(AwsError):
    """A read of a delete marker by its version id."""

    code = "MethodNotAllowed"
    status_code = 405
    sender_fault = True

    def __init__(self, method: str, version_id: str, last_modified: str) -> None:
        super().__init__("The specified method is not allowed against this resource.",
                         Method=method, ResourceType="DeleteMarker")
        self.headers = {"x-amz-delete-marker": "true", "x-amz-version-id": version_id,
                        "Last-Modified": last_modified}


# -- bucket settings (`eventsim.services.s3.bucket_settings`) --------------------------------


class NoSuchTagSet(AwsError):
    """GetBucketTagging of a bucket without tags."""

    code = "NoSuchTagSet"
    status_code = 404
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The TagSet does not exist", BucketName=bucket)


class NoSuchBucketPolicy(AwsError):
    code = "NoSuchBucketPolicy"
    status_code = 404
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The bucket policy does not exist", BucketName=bucket)


class MalformedPolicy(AwsError):
    code = "MalformedPolicy"
    status_code = 400
    sender_fault = True


class PublicPolicyBlocked(AccessDenied):
    """A public bucket policy put while the bucket's BlockPublicPolicy is on."""

    def __init__(self, caller_arn: str, bucket: str) -> None:
        super().__init__(
            f"User: {caller_arn} is not authorized to perform: s3:PutBucketPolicy on resource: "
            f'"arn:aws:s3:::{bucket}" because public policies are blocked by the '
            "BlockPublicPolicy block public access setting.")


class NoSuchCORSConfiguration(AwsError):
    code = "NoSuchCORSConfiguration"
    status_code = 404
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The CORS configuration does not exist", BucketName=bucket)


class NoSuchPublicAccessBlockConfiguration(AwsError):
    """GetPublicAccessBlock after DeletePublicAccessBlock."""

    code = "NoSuchPublicAccessBlockConfiguration"
    status_code = 404
    sender_fault = True

    def __init__(self, bucket: str) -> None:
        super().__init__("The public access block configuration was not found",
                         BucketName=bucket)
