"""Which service and which operation a request is for."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from multidict import CIMultiDict

from eventsim.errors import NotImplementedOperation
from eventsim.gateway.routing import S3OperationRouter, ServiceNameResolver, s3_bucket_from_host
from eventsim.gateway.specs import KNOWN_SERVICES, load_service_model


def _auth(service: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc")


@pytest.fixture(scope="module")
def resolver() -> ServiceNameResolver:
    return ServiceNameResolver([load_service_model(name) for name in KNOWN_SERVICES])


@pytest.fixture(scope="module")
def router() -> S3OperationRouter:
    return S3OperationRouter(load_service_model("s3"))


@pytest.mark.parametrize(
    ("headers", "query", "service"),
    [
        pytest.param({"X-Amz-Target": "DynamoDB_20120810.PutItem",
                      "Authorization": _auth("dynamodb")}, "", "dynamodb", id="dynamodb"),
        pytest.param({"X-Amz-Target": "DynamoDBStreams_20120810.GetRecords",
                      "Authorization": _auth("dynamodb")}, "", "dynamodbstreams",
                     id="streams-share-the-signing-name"),
        pytest.param({"X-Amz-Target": "Kinesis_20131202.PutRecord"}, "", "kinesis",
                     id="kinesis"),
        pytest.param({"X-Amz-Target": "AmazonSQS.SendMessage"}, "", "sqs", id="sqs"),
        pytest.param({"Authorization": _auth("sns")}, "", "sns", id="sns-by-scope"),
        pytest.param({"Authorization": _auth("lambda")}, "", "lambda", id="lambda-by-scope"),
        pytest.param({"Authorization": _auth("s3")}, "", "s3", id="s3-by-scope"),
        pytest.param({"Authorization": "AWS test:signature"}, "", "s3", id="sigv2"),
        pytest.param({}, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101"
                         "%2Fus-east-1%2Fs3%2Faws4_request", "s3", id="presigned"),
        pytest.param({}, "", "s3", id="unsigned-is-s3"),
    ],
)
def test_resolve_service(resolver: ServiceNameResolver, headers: dict[str, str], query: str,
                         service: str) -> None:
    assert resolver.resolve(CIMultiDict(headers), query) == service


@pytest.mark.parametrize(
    ("host", "bucket"),
    [
        pytest.param("localhost:4566", None, id="localhost"),
        pytest.param("127.0.0.1:4566", None, id="ip"),
        pytest.param("[::1]:4566", None, id="ipv6"),
        pytest.param("s3.amazonaws.com", None, id="s3-global"),
        pytest.param("s3.us-west-2.amazonaws.com", None, id="s3-regional"),
        pytest.param("s3.localhost.localstack.cloud:4566", None, id="localstack-path-style"),
        pytest.param("uploads.localhost:4566", "uploads", id="dot-localhost"),
        pytest.param("uploads.s3.amazonaws.com", "uploads", id="aws-global"),
        pytest.param("my.dotted.bucket.s3.us-east-1.amazonaws.com", "my.dotted.bucket",
                     id="aws-regional-dotted"),
        pytest.param("uploads.s3-us-west-2.amazonaws.com", "uploads", id="aws-dash-region"),
        pytest.param("uploads.s3.localhost.localstack.cloud:4566", "uploads", id="localstack"),
        pytest.param("Uploads.S3.AmazonAWS.com", "uploads", id="case-insensitive"),
    ],
)
def test_s3_bucket_from_host(host: str, bucket: str | None) -> None:
    assert s3_bucket_from_host(host) == bucket


@pytest.mark.parametrize(
    ("method", "target", "headers", "operation", "labels"),
    [
        pytest.param("GET", "/", {}, "ListBuckets", {}, id="list-buckets"),
        pytest.param("PUT", "/b", {}, "CreateBucket", {"Bucket": "b"}, id="create-bucket"),
        pytest.param("PUT", "/b/", {}, "CreateBucket", {"Bucket": "b"}, id="trailing-slash"),
        pytest.param("HEAD", "/b", {}, "HeadBucket", {"Bucket": "b"}, id="head-bucket"),
        pytest.param("GET", "/b", {}, "ListObjects", {"Bucket": "b"}, id="list-v1"),
        pytest.param("GET", "/b?list-type=2&prefix=a", {}, "ListObjectsV2", {"Bucket": "b"},
                     id="list-v2"),
        pytest.param("GET", "/b?notification", {}, "GetBucketNotificationConfiguration",
                     {"Bucket": "b"}, id="current-operation-over-deprecated"),
        pytest.param("PUT", "/b?notification", {}, "PutBucketNotificationConfiguration",
                     {"Bucket": "b"}, id="put-notification"),
        pytest.param("POST", "/b?delete", {}, "DeleteObjects", {"Bucket": "b"},
                     id="delete-objects"),
        pytest.param("PUT", "/b/k%20ey/x", {}, "PutObject", {"Bucket": "b", "Key": "k%20ey/x"},
                     id="put-object"),
        pytest.param("PUT", "/b/k", {"x-amz-copy-source": "b/j"}, "CopyObject",
                     {"Bucket": "b", "Key": "k"}, id="copy-by-header"),
        pytest.param("PUT", "/b/k?partNumber=1&uploadId=u", {}, "UploadPart",
                     {"Bucket": "b", "Key": "k"}, id="upload-part"),
        pytest.param("PUT", "/b/k?partNumber=1&uploadId=u", {"x-amz-copy-source": "b/j"},
                     "UploadPartCopy", {"Bucket": "b", "Key": "k"}, id="upload-part-copy"),
        pytest.param("PUT", "/b/k?tagging", {}, "PutObjectTagging", {"Bucket": "b", "Key": "k"},
                     id="put-object-tagging"),
        pytest.param("GET", "/b/k?x-id=GetObject", {}, "GetObject", {"Bucket": "b", "Key": "k"},
                     id="x-id-ignored"),
        pytest.param("DELETE", "/b/k", {}, "DeleteObject", {"Bucket": "b", "Key": "k"},
                     id="delete-object"),
        pytest.param("GET", "/", {"Host": "b.localhost:4566"}, "ListObjects", {"Bucket": "b"},
                     id="virtual-host-bucket"),
        pytest.param("GET", "/?list-type=2", {"Host": "b.s3.amazonaws.com"}, "ListObjectsV2",
                     {"Bucket": "b"}, id="virtual-host-list-v2"),
        pytest.param("PUT", "/a/b", {"Host": "b.s3.localhost.localstack.cloud:4566"},
                     "PutObject", {"Bucket": "b", "Key": "a/b"}, id="virtual-host-key"),
    ],
)
def test_match_operation(router: S3OperationRouter, method: str, target: str,
                         headers: dict[str, str], operation: str,
                         labels: dict[str, str]) -> None:
    path, _, query = target.partition("?")
    found, found_labels = router.match(method, path, parse_qs(query, keep_blank_values=True),
                                       CIMultiDict(headers))
    assert (found.name, found_labels) == (operation, labels)


def test_match_operation_unknown_method(router: S3OperationRouter) -> None:
    with pytest.raises(NotImplementedOperation) as exc:
        router.match("PATCH", "/b/k", {}, CIMultiDict())
    assert exc.value.code == "NotImplemented"
    assert exc.value.status_code == 501
