"""What a write may ask of S3 besides bytes, through boto3 against a running gateway: the
server-side encryption and storage class an object keeps and reports, canned ACLs on buckets
whose ACLs are off (as every bucket made since April 2023), and GetObject's response-header
overrides."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

KEY_ARN = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _error(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call()
    response = exc.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def _one_part_upload(s3: Any, bucket: str, **create: Any) -> Any:
    """Key "k" written by a multipart upload of one part; CreateMultipartUpload's answer."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", **create)
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload["UploadId"], PartNumber=1,
                          Body=b"x")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    return upload


def test_a_put_asking_for_encryption_is_answered_and_read_back_with_it(s3: Any,
                                                                      bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"


def test_a_kms_key_is_kept_with_the_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=KEY_ARN)
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", KEY_ARN)


@pytest.mark.parametrize("arguments, message", [
    pytest.param({"ServerSideEncryption": "rot13"},
                 "The encryption method specified is not supported", id="unknown-method"),
    pytest.param({"ServerSideEncryption": "AES256", "SSEKMSKeyId": KEY_ARN},
                 "Server Side Encryption with KMS managed key requires HTTP header "
                 "x-amz-server-side-encryption : aws:kms", id="key-without-kms"),
])
def test_an_encryption_s3_cannot_do_is_invalid_argument(s3: Any, bucket: str,
                                                         arguments: dict[str, str],
                                                         message: str) -> None:
    assert _error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", **arguments)) == (
        "InvalidArgument", 400, message)


def test_a_copy_keeps_the_source_encryption_unless_it_names_one(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=KEY_ARN)
    s3.copy_object(Bucket=bucket, Key="kept", CopySource=f"{bucket}/src")
    s3.copy_object(Bucket=bucket, Key="changed", CopySource=f"{bucket}/src",
                   ServerSideEncryption="AES256")
    kept = s3.head_object(Bucket=bucket, Key="kept")
    changed = s3.head_object(Bucket=bucket, Key="changed")
    assert (kept["ServerSideEncryption"], kept["SSEKMSKeyId"]) == ("aws:kms", KEY_ARN)
    assert changed["ServerSideEncryption"] == "AES256"
    assert "SSEKMSKeyId" not in changed


def test_the_encryption_asked_at_create_multipart_upload_is_the_objects(s3: Any,
                                                                        bucket: str) -> None:
    upload = _one_part_upload(s3, bucket, ServerSideEncryption="AES256")
    assert upload["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize("acl", ["private", "bucket-owner-full-control"])
def test_the_canned_acls_that_change_nothing_are_accepted(s3: Any, bucket: str,
                                                          acl: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL=acl)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k", ACL=acl)
    s3.create_multipart_upload(Bucket=bucket, Key="m", ACL=acl)
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"x"


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
def test_an_acl_granting_access_is_refused_as_a_bucket_without_acls_does(
    s3: Any, bucket: str, acl: str,
) -> None:
    refused = ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    assert _error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL=acl)) == refused
    assert _error(lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", ACL=acl)) == refused
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")  # nothing was written


def test_get_object_response_overrides_set_the_answers_headers(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b", ContentType="text/csv")
    got = s3.get_object(Bucket=bucket, Key="report.csv", ResponseContentType="text/plain",
                        ResponseContentDisposition='attachment; filename="r.csv"',
                        ResponseCacheControl="no-cache")
    assert got["ContentType"] == "text/plain"
    assert got["ContentDisposition"] == 'attachment; filename="r.csv"'
    assert got["CacheControl"] == "no-cache"
    assert s3.head_object(Bucket=bucket, Key="report.csv")["ContentType"] == "text/csv"


def test_a_presigned_download_link_carries_its_content_disposition(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "report.csv",
        "ResponseContentDisposition": "attachment; filename=report.csv"})
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
        assert response.read() == b"a,b"


def test_an_object_keeps_its_storage_class_and_listings_show_it(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="standard", Body=b"x", StorageClass="STANDARD")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    assert s3.get_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="standard")
    listed = {o["Key"]: o["StorageClass"]
              for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "standard": "STANDARD"}


def test_an_archived_object_cannot_be_read_or_copied_but_can_be_headed(s3: Any,
                                                                      bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "GLACIER"
    state = ("InvalidObjectState", 403, "The operation is not valid for the object's storage "
             "class")
    assert _error(lambda: s3.get_object(Bucket=bucket, Key="cold")) == state
    assert _error(lambda: s3.copy_object(Bucket=bucket, Key="warm",
                                         CopySource=f"{bucket}/cold")) == state


def test_a_copy_is_standard_unless_it_names_a_class(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/ia")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="copy")
    # Changing only the class is a copy onto itself that S3 allows.
    s3.copy_object(Bucket=bucket, Key="ia", CopySource=f"{bucket}/ia",
                   StorageClass="ONEZONE_IA")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "ONEZONE_IA"


def test_a_storage_class_a_general_purpose_bucket_lacks_is_invalid(s3: Any,
                                                                  bucket: str) -> None:
    assert _error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                                        StorageClass="EXPRESS_ONEZONE")) == (
        "InvalidStorageClass", 400, "The storage class you specified is not valid")


def test_the_class_asked_at_create_multipart_upload_is_the_objects(s3: Any,
                                                                   bucket: str) -> None:
    _one_part_upload(s3, bucket, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="k")["StorageClass"] == "STANDARD_IA"
