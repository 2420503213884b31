"""S3 over rest-xml: botocore's serializer -> our parser, our serializer -> botocore's parser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.errors import MalformedXML, NotImplementedOperation
from eventsim.gateway.protocols import HttpRequest
from eventsim.gateway.protocols.s3 import S3_NAMESPACE
from eventsim.services.s3.errors import NoSuchBucket, NoSuchKey
from eventsim.tracing import RequestIds

IDS = RequestIds("0123456789ABCDEF", "host-id")

WHEN = dt.datetime(2024, 5, 17, 12, 30, 45, 123000, tzinfo=dt.UTC)
ETAG = '"5d41402abc4b2a76b9719d911017c592"'
OWNER = {"DisplayName": "eventsim", "ID": "75aa57f09aa0c8caeab4f8c24e99d10f"}
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail"


def _without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_create_bucket_roundtrip(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("CreateBucket", {"Bucket": "uploads"},
                                         {"Location": "/uploads"})
    assert parsed.operation.name == "CreateBucket"
    assert parsed.params == {"Bucket": "uploads"}
    assert response["Location"] == "/uploads"


def test_create_bucket_with_configuration_roundtrip(s3_roundtrip: Any) -> None:
    parsed, _ = s3_roundtrip.call(
        "CreateBucket",
        {"Bucket": "uploads", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
         "ACL": "private"},
    )
    assert parsed.params == {
        "Bucket": "uploads",
        "ACL": "private",
        "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
    }


def test_delete_bucket_roundtrip(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("DeleteBucket", {"Bucket": "uploads"})
    assert (parsed.operation.name, parsed.params) == ("DeleteBucket", {"Bucket": "uploads"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_head_bucket_roundtrip(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("HeadBucket", {"Bucket": "uploads"},
                                         {"BucketRegion": "us-east-1"})
    assert parsed.operation.name == "HeadBucket"
    assert response["BucketRegion"] == "us-east-1"


def test_list_buckets_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"Buckets": [{"Name": "a-bucket", "CreationDate": WHEN},
                          {"Name": "b-bucket", "CreationDate": WHEN.timestamp()}],
              "Owner": OWNER}
    parsed, response = s3_roundtrip.call("ListBuckets", {}, answer)
    assert parsed.operation.name == "ListBuckets"
    assert response["Buckets"] == [{"Name": "a-bucket", "CreationDate": WHEN},
                                   {"Name": "b-bucket", "CreationDate": WHEN}]
    assert response["Owner"] == OWNER
    body = s3_roundtrip.serializer.serialize_response(
        parsed.operation, answer, s3_roundtrip.requests[-1], IDS).body.decode()
    assert f'<ListAllMyBucketsResult xmlns="{S3_NAMESPACE}">' in body
    assert "<Buckets><Bucket><Name>a-bucket</Name>" in body
    assert "<CreationDate>2024-05-17T12:30:45.123Z</CreationDate>" in body


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("cats/cat.jpg", id="plain"),
        pytest.param("with space/and+plus", id="space-plus"),
        pytest.param("percent%20not%2Fdecoded twice", id="percent"),
        pytest.param("ünïcödé/日本語.txt", id="unicode"),
        pytest.param("/leading/slash//double", id="slashes"),
        pytest.param("a?b&c=d#e", id="query-chars"),
    ],
)
def test_put_object_roundtrip_keeps_key(s3_roundtrip: Any, key: str) -> None:
    parsed, response = s3_roundtrip.call(
        "PutObject", {"Bucket": "uploads", "Key": key, "Body": b"hello"}, {"ETag": ETAG}
    )
    assert parsed.operation.name == "PutObject"
    assert parsed.params["Key"] == key
    assert parsed.params["Body"] == b"hello"
    assert response["ETag"] == ETAG


def test_put_object_roundtrip_headers_and_metadata(s3_roundtrip: Any) -> None:
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    parsed, _ = s3_roundtrip.call(
        "PutObject",
        {"Bucket": "uploads", "Key": "k", "Body": b"hello", "ContentType": "text/plain",
         "CacheControl": "max-age=60", "ContentDisposition": "inline",
         "ContentEncoding": "gzip", "ContentLanguage": "en", "Expires": expires,
         "Metadata": {"Colour": "blue", "x-y": "1"}},
        {"ETag": ETAG},
    )
    params = parsed.params
    assert params["ContentType"] == "text/plain"
    assert params["CacheControl"] == "max-age=60"
    assert params["ContentDisposition"] == "inline"
    assert params["ContentEncoding"] == "gzip"
    assert params["ContentLanguage"] == "en"
    assert params["Expires"] == expires
    assert params["Metadata"] == {"colour": "blue", "x-y": "1"}
    # boto3 protects the upload with a CRC32, which the parser has already verified.
    assert params["ChecksumAlgorithm"] == "CRC32"
    assert params["ChecksumCRC32"] == "NhCmhg=="


def test_put_object_roundtrip_empty_body(s3_roundtrip: Any) -> None:
    parsed, _ = s3_roundtrip.call("PutObject", {"Bucket": "uploads", "Key": "empty"},
                                  {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})
    assert parsed.params["Body"] == b""


def test_put_object_roundtrip_aws_chunked(roundtrip_factory: Any) -> None:
    # Over HTTPS botocore streams uploads as aws-chunked with the CRC32 in a trailer.
    roundtrip = roundtrip_factory("s3", endpoint_url="https://localhost:4566",
                                  s3={"addressing_style": "path"})
    parsed, _ = roundtrip.call(
        "PutObject",
        {"Bucket": "uploads", "Key": "k", "Body": b"hello", "ContentEncoding": "gzip"},
        {"ETag": ETAG},
    )
    sent = roundtrip.requests[-1]
    assert sent.headers["Content-Encoding"] == "gzip,aws-chunked"
    assert sent.body.endswith(b"0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n")
    assert parsed.params["Body"] == b"hello"
    assert parsed.params["ContentEncoding"] == "gzip"
    assert parsed.params["ChecksumCRC32"] == "NhCmhg=="


def test_get_object_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"Body": b"hello", "ContentLength": 5, "ContentType": "text/plain", "ETag": ETAG,
              "LastModified": WHEN, "Metadata": {"colour": "blue"}, "AcceptRanges": "bytes",
              "CacheControl": "max-age=60"}
    parsed, response = s3_roundtrip.call("GetObject", {"Bucket": "uploads", "Key": "a b"}, answer)
    assert parsed.operation.name == "GetObject"
    assert parsed.params["Key"] == "a b"
    assert response["Body"].read() == b"hello"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ContentLength"] == 5
    assert response["ContentType"] == "text/plain"
    assert response["ETag"] == ETAG
    assert response["LastModified"] == WHEN.replace(microsecond=0)
    assert response["Metadata"] == {"colour": "blue"}
    assert response["CacheControl"] == "max-age=60"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["last-modified"] == "Fri, 17 May 2024 12:30:45 GMT"
    assert headers["x-amz-request-id"]
    assert headers["x-amz-id-2"]


def test_get_object_ranged_roundtrip_is_206(s3_roundtrip: Any) -> None:
    answer = {"Body": b"el", "ContentLength": 2, "ContentRange": "bytes 1-2/5", "ETag": ETAG,
              "LastModified": WHEN}
    parsed, response = s3_roundtrip.call(
        "GetObject", {"Bucket": "uploads", "Key": "k", "Range": "bytes=1-2"}, answer)
    assert parsed.params["Range"] == "bytes=1-2"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert response["ContentRange"] == "bytes 1-2/5"
    assert response["Body"].read() == b"el"


def test_head_object_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"ContentLength": 5, "ContentType": "text/plain", "ETag": ETAG,
              "LastModified": WHEN, "Metadata": {"colour": "blue"}}
    parsed, response = s3_roundtrip.call("HeadObject", {"Bucket": "uploads", "Key": "k"}, answer)
    assert parsed.operation.name == "HeadObject"
    assert response["ContentLength"] == 5
    assert response["Metadata"] == {"colour": "blue"}


def test_delete_object_roundtrip_is_204(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("DeleteObject", {"Bucket": "uploads", "Key": "k"})
    assert parsed.operation.name == "DeleteObject"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"Deleted": [{"Key": "a"}, {"Key": "b c"}],
              "Errors": [{"Key": "d", "Code": "AccessDenied", "Message": "Access Denied"}]}
    parsed, response = s3_roundtrip.call(
        "DeleteObjects",
        {"Bucket": "uploads", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b c"}],
                                         "Quiet": False}},
        answer,
    )
    assert parsed.operation.name == "DeleteObjects"
    assert parsed.params["Delete"] == {"Objects": [{"Key": "a"}, {"Key": "b c"}], "Quiet": False}
    assert response["Deleted"] == answer["Deleted"]
    assert response["Errors"] == answer["Errors"]


def test_copy_object_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"CopyObjectResult": {"ETag": ETAG, "LastModified": WHEN}}
    parsed, response = s3_roundtrip.call(
        "CopyObject",
        {"Bucket": "thumbs", "Key": "copy of k", "CopySource": {"Bucket": "uploads", "Key": "a b"},
         "MetadataDirective": "REPLACE", "Metadata": {"k": "v"}, "ContentType": "image/png"},
        answer,
    )
    assert parsed.operation.name == "CopyObject"
    assert parsed.params["CopySource"] == "uploads/a%20b"
    assert parsed.params["MetadataDirective"] == "REPLACE"
    assert parsed.params["Metadata"] == {"k": "v"}
    assert response["CopyObjectResult"] == {"ETag": ETAG, "LastModified": WHEN}


def test_list_objects_v2_roundtrip(s3_roundtrip: Any) -> None:
    answer = {
        "IsTruncated": True, "Name": "uploads", "Prefix": "a%20b", "Delimiter": "/",
        "MaxKeys": 2, "KeyCount": 2, "EncodingType": "url", "NextContinuationToken": "tok",
        "Contents": [{"Key": "a%20b/1%2B1", "LastModified": WHEN, "ETag": ETAG, "Size": 5,
                      "StorageClass": "STANDARD"}],
        "CommonPrefixes": [{"Prefix": "a%20b/sub/"}],
    }
    parsed, response = s3_roundtrip.call(
        "ListObjectsV2", {"Bucket": "uploads", "Prefix": "a b", "Delimiter": "/", "MaxKeys": 2},
        answer,
    )
    assert parsed.operation.name == "ListObjectsV2"
    # botocore asks for url-encoded keys and decodes them again.
    assert parsed.params == {"Bucket": "uploads", "Prefix": "a b", "Delimiter": "/",
                             "MaxKeys": 2, "EncodingType": "url"}
    assert response["Contents"][0]["Key"] == "a b/1+1"
    assert response["CommonPrefixes"] == [{"Prefix": "a b/sub/"}]
    assert response["Prefix"] == "a b"
    assert response["IsTruncated"] is True
    assert response["KeyCount"] == 2
    assert response["NextContinuationToken"] == "tok"
    body = s3_roundtrip.serializer.serialize_response(
        parsed.operation, answer, s3_roundtrip.requests[-1], IDS).body.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'
                           f'<ListBucketResult xmlns="{S3_NAMESPACE}">')


def test_list_objects_roundtrip(s3_roundtrip: Any) -> None:
    answer = {"IsTruncated": False, "Name": "uploads", "Prefix": "", "Marker": "", "MaxKeys": 1000,
              "Contents": [{"Key": "k", "LastModified": WHEN, "ETag": ETAG, "Size": 5,
                            "StorageClass": "STANDARD", "Owner": OWNER}]}
    parsed, response = s3_roundtrip.call("ListObjects", {"Bucket": "uploads", "Marker": "j"},
                                         answer)
    assert parsed.operation.name == "ListObjects"
    assert parsed.params["Marker"] == "j"
    assert response["Contents"][0]["Owner"] == OWNER
    assert response["Contents"][0]["LastModified"] == WHEN


NOTIFICATION = {
    "LambdaFunctionConfigurations": [{
        "Id": "thumbs",
        "LambdaFunctionArn": FUNCTION,
        "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"},
                                           {"Name": "suffix", "Value": ".jpg"}]}},
    }],
    "QueueConfigurations": [{"Id": "q", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                             "Events": ["s3:ObjectRemoved:*"]}],
}


def test_put_bucket_notification_configuration_roundtrip(s3_roundtrip: Any) -> None:
    parsed, _ = s3_roundtrip.call(
        "PutBucketNotificationConfiguration",
        {"Bucket": "uploads", "NotificationConfiguration": NOTIFICATION},
    )
    assert parsed.operation.name == "PutBucketNotificationConfiguration"
    assert parsed.params["NotificationConfiguration"] == NOTIFICATION


def test_get_bucket_notification_configuration_roundtrip(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("GetBucketNotificationConfiguration",
                                         {"Bucket": "uploads"}, NOTIFICATION)
    assert parsed.operation.name == "GetBucketNotificationConfiguration"
    assert _without_metadata(response) == NOTIFICATION
    body = s3_roundtrip.serializer.serialize_response(
        parsed.operation, NOTIFICATION, s3_roundtrip.requests[-1], IDS).body.decode()
    assert f'<NotificationConfiguration xmlns="{S3_NAMESPACE}">' in body
    assert "<CloudFunctionConfiguration><Id>thumbs</Id>" in body
    assert "<CloudFunction>" + FUNCTION + "</CloudFunction>" in body
    assert "<Filter><S3Key><FilterRule><Name>prefix</Name>" in body


def test_get_bucket_notification_configuration_roundtrip_empty(s3_roundtrip: Any) -> None:
    parsed, response = s3_roundtrip.call("GetBucketNotificationConfiguration",
                                         {"Bucket": "uploads"}, {})
    assert _without_metadata(response) == {}
    body = s3_roundtrip.serializer.serialize_response(
        parsed.operation, {}, s3_roundtrip.requests[-1], IDS).body.decode()
    assert body.endswith(f'<NotificationConfiguration xmlns="{S3_NAMESPACE}"/>')


def test_error_roundtrip_carries_code_message_and_fields(s3_roundtrip: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3_roundtrip.call("GetObject", {"Bucket": "nope", "Key": "k"}, NoSuchBucket("nope"))
    error = exc.value.response["Error"]
    assert error == {"Code": "NoSuchBucket", "Message": "The specified bucket does not exist",
                     "BucketName": "nope"}
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert exc.value.response["ResponseMetadata"]["RequestId"] == "0123456789ABCDEF"


def test_error_roundtrip_head_has_no_body(s3_roundtrip: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3_roundtrip.call("HeadObject", {"Bucket": "uploads", "Key": "k"}, NoSuchKey("k"))
    # What botocore reports for S3's body-less 404, as with AWS.
    assert exc.value.response["Error"]["Code"] == "404"
    assert s3_roundtrip.serializer.serialize_error(
        NoSuchKey("k"), None, s3_roundtrip.requests[-1], IDS).body == b""


def test_error_roundtrip_not_implemented(s3_roundtrip: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3_roundtrip.call("GetBucketTagging", {"Bucket": "uploads"},
                          NotImplementedOperation("eventsim does not implement it"))
    assert exc.value.response["Error"]["Code"] == "NotImplemented"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


@pytest.mark.parametrize(
    "body",
    [pytest.param(b"this is not xml", id="not-xml"),
     pytest.param(b"<Foo><TopicConfiguration/></Foo>", id="wrong-root"),
     pytest.param(b"<NotificationConfiguration><QueueConfiguration>", id="unclosed")],
)
def test_put_bucket_notification_configuration_malformed_xml(s3_roundtrip: Any,
                                                             body: bytes) -> None:
    request = HttpRequest("PUT", "/uploads", "notification", {"Host": "localhost"}, body)
    with pytest.raises(MalformedXML):
        s3_roundtrip.parser.parse(request)
