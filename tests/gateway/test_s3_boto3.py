"""boto3 and the AWS CLI against a running gateway with the real S3 service."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import botocore.config  # type: ignore[import-untyped]
import pytest
from botocore.awsrequest import AWSPreparedRequest  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim import SimulatorConfig
from eventsim.testing import ThreadedSimulator, boto3_client

KEYS = [
    pytest.param("cats/cat.jpg", id="plain"),
    pytest.param("with space/and+plus", id="space-plus"),
    pytest.param("100% done/%2F", id="percent"),
    pytest.param("ünïcödé/日本語.txt", id="unicode"),
    pytest.param("/leading//double/../dots/./", id="slashes-and-dots"),
]


def _raw(url: str, method: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


# -- objects -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_put_object_then_get_object_keeps_key_and_body(s3: Any, bucket: str, key: str) -> None:
    put = s3.put_object(Bucket=bucket, Key=key, Body=b"hello", ContentType="text/plain",
                        Metadata={"Colour": "blue"})
    assert put["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"colour": "blue"}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_put_object_returns_verified_checksum(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    assert put["ChecksumCRC32"] == "NhCmhg=="


def test_head_object_headers(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello", CacheControl="max-age=60")
    head = s3.head_object(Bucket=bucket, Key="k")
    headers = head["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-length"] == "5"
    assert headers["etag"] == '"5d41402abc4b2a76b9719d911017c592"'
    # RFC 1123, as S3 sends it.
    parsed = dt.datetime.strptime(headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(parsed.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert headers["cache-control"] == "max-age=60"
    assert headers["x-amz-request-id"]
    assert headers["x-amz-id-2"]


def test_put_object_empty_body(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentLength"] == 0


def test_get_object_range_is_partial_content(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    got = s3.get_object(Bucket=bucket, Key="k", Range="bytes=1-3")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == "bytes 1-3/5"
    assert got["Body"].read() == b"ell"


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a b+c", Body=b"hello", Metadata={"k": "v"})
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket,
                                                                   "Key": "a b+c"})
    assert copied["CopyObjectResult"]["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    assert s3.get_object(Bucket=bucket, Key="copy")["Metadata"] == {"k": "v"}


def test_delete_object_and_delete_objects(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    deleted = s3.delete_object(Bucket=bucket, Key="a")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}, {"Key": "c"}]})
    assert result["Deleted"] == [{"Key": "b"}, {"Key": "c"}]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_list_objects_v2_encoding_type_url(s3: Any, bucket: str) -> None:
    keys = ["dir one/a+b.txt", "dir one/sub/c%d.txt", "top\u00e9.txt"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = s3.list_objects_v2(Bucket=bucket, Delimiter="/", Prefix="dir one/")
    assert [o["Key"] for o in listed["Contents"]] == ["dir one/a+b.txt"]
    assert listed["CommonPrefixes"] == [{"Prefix": "dir one/sub/"}]
    assert listed["Prefix"] == "dir one/"
    paginator = s3.get_paginator("list_objects_v2")
    pages = list(paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}))
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == sorted(keys)


def test_list_objects_v1(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    listed = s3.list_objects(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["a"]
    assert listed["Contents"][0]["Owner"]["DisplayName"]


def test_list_buckets_includes_bucket(s3: Any, bucket: str) -> None:
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert bucket in names


def test_head_bucket_and_delete_bucket(s3: Any, bucket: str) -> None:
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket)
    assert exc.value.response["Error"]["Code"] == "404"


def test_upload_fileobj_non_seekable_and_download_fileobj(s3: Any, bucket: str) -> None:
    class Stream(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            return self._data.readinto(buffer)

    payload = os.urandom(300_000)
    s3.upload_fileobj(Stream(payload), bucket, "streamed.bin")
    out = io.BytesIO()
    s3.download_fileobj(bucket, "streamed.bin", out)
    assert out.getvalue() == payload


# -- errors --------------------------------------------------------------------------------


def test_get_object_no_such_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"
    assert exc.value.response["Error"]["BucketName"] == "no-such-bucket-here"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_get_object_no_such_key(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="missing")
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"
    assert exc.value.response["Error"]["Key"] == "missing"


def test_head_object_missing_is_bare_404(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="missing")
    assert exc.value.response["Error"]["Code"] == "404"


def test_put_object_checksum_mismatch_is_bad_digest(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumCRC32="AAAAAA==")
    assert exc.value.response["Error"]["Code"] == "BadDigest"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_put_object_content_md5_mismatch_is_bad_digest(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"hello",
                      ContentMD5="eV8yArF8trw9S3cdjGyerw==")  # MD5 of "other"
    assert exc.value.response["Error"]["Code"] == "BadDigest"


def test_put_object_malformed_content_md5_is_invalid_digest(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ContentMD5="nope")
    assert exc.value.response["Error"]["Code"] == "InvalidDigest"


def test_unimplemented_operation_is_not_implemented(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert exc.value.response["Error"] == {
        "Code": "NotImplemented",
        "Message": "eventsim does not implement s3 operation GetBucketWebsite yet",
    }
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_unimplemented_parameter_is_not_implemented(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert exc.value.response["Error"]["Code"] == "NotImplemented"
    assert "ObjectLockLegalHoldStatus" in exc.value.response["Error"]["Message"]


def test_unmatched_request_is_not_implemented(threaded_sim: ThreadedSimulator,
                                              bucket: str) -> None:
    status, body = _raw(f"{threaded_sim.url}/{bucket}/k", "PATCH", b"x")
    assert status == 501
    assert b"<Code>NotImplemented</Code>" in body


# -- notifications -------------------------------------------------------------------------


def test_put_bucket_notification_configuration_then_get(s3: Any, bucket: str) -> None:
    config = {"QueueConfigurations": [{
        "Id": "uploads", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:uploads",
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
    }]}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                             SkipDestinationValidation=True)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["QueueConfigurations"][0]["QueueArn"] == config["QueueConfigurations"][0][
        "QueueArn"]
    assert got["QueueConfigurations"][0]["Events"] == ["s3:ObjectCreated:*"]


def test_put_bucket_notification_configuration_overlapping_filters_is_invalid_argument(
    s3: Any, bucket: str
) -> None:
    def queue(name: str, prefix: str) -> dict[str, Any]:
        return {"QueueArn": f"arn:aws:sqs:us-east-1:000000000000:{name}",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}}

    # images/ and images/cats/ overlap: a key under images/cats/ would match both.
    config = {"QueueConfigurations": [queue("a", "images/"), queue("b", "images/cats/")]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=config, SkipDestinationValidation=True)
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "overlap" in exc.value.response["Error"]["Message"]
    assert s3.get_bucket_notification_configuration(Bucket=bucket).keys() == {
        "ResponseMetadata"}


@pytest.mark.parametrize(
    "body",
    [pytest.param(b"garbage", id="not-xml"),
     pytest.param(b"<NotificationConfiguration><QueueConfiguration>", id="truncated")],
)
def test_put_bucket_notification_configuration_garbage_is_malformed_xml(
    threaded_sim: ThreadedSimulator, bucket: str, body: bytes
) -> None:
    status, answer = _raw(f"{threaded_sim.url}/{bucket}?notification", "PUT", body)
    assert status == 400
    assert b"<Code>MalformedXML</Code>" in answer


# -- addressing and framing ----------------------------------------------------------------


def _rewrite_to(url: str) -> Any:
    """A before-send hook that sends to `url` while keeping the Host header botocore chose."""
    target = urlsplit(url)

    def hook(request: AWSPreparedRequest, **_: Any) -> None:
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))

    return hook


def test_virtual_host_addressing(threaded_sim: ThreadedSimulator, bucket_name: str) -> None:
    # *.localhost does not resolve everywhere: connect to 127.0.0.1, keep the virtual Host.
    port = urlsplit(threaded_sim.url).port
    client = boto3_client(
        "s3", f"http://localhost:{port}",
        config=botocore.config.Config(s3={"addressing_style": "virtual"},
                                      retries={"max_attempts": 1}),
    )
    hosts: list[str] = []
    client.meta.events.register("before-send", _rewrite_to(threaded_sim.url))
    client.meta.events.register("before-send", lambda request, **_: hosts.append(
        request.headers["Host"]))
    client.create_bucket(Bucket=bucket_name)
    client.put_object(Bucket=bucket_name, Key="a b/c+d", Body=b"hello")
    assert client.get_object(Bucket=bucket_name, Key="a b/c+d")["Body"].read() == b"hello"
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket_name)["Contents"]] == [
        "a b/c+d"]
    assert set(hosts) == {f"{bucket_name}.localhost:{port}"}


@pytest.fixture
def chunked_s3(threaded_sim: ThreadedSimulator) -> Iterator[tuple[Any, list[AWSPreparedRequest]]]:
    """A client that streams uploads as aws-chunked (botocore does over HTTPS), sent to the
    plain-HTTP gateway."""
    port = urlsplit(threaded_sim.url).port
    client = boto3_client("s3", f"https://127.0.0.1:{port}")
    sent: list[AWSPreparedRequest] = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request))
    client.meta.events.register("before-send", _rewrite_to(threaded_sim.url))
    yield client, sent


def test_aws_chunked_upload(chunked_s3: tuple[Any, list[AWSPreparedRequest]],
                            bucket: str) -> None:
    client, sent = chunked_s3
    payload = os.urandom(100_000)
    put = client.put_object(Bucket=bucket, Key="chunked", Body=payload, ContentEncoding="gzip")
    assert sent[-1].headers["Content-Encoding"] == b"gzip,aws-chunked"
    assert sent[-1].headers["X-Amz-Content-SHA256"] == b"STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert put["ChecksumCRC32"]
    got = client.get_object(Bucket=bucket, Key="chunked")
    assert got["Body"].read() == payload
    # aws-chunked is framing: S3 keeps only the object's own encoding.
    assert got["ContentEncoding"] == "gzip"


def test_aws_chunked_upload_bad_trailer_checksum_is_bad_digest(
    chunked_s3: tuple[Any, list[AWSPreparedRequest]], bucket: str
) -> None:
    client, _ = chunked_s3

    def corrupt(request: AWSPreparedRequest, **_: Any) -> None:
        body = request.body.read()
        request.body = body.replace(b"hello", b"jello")

    client.meta.events.register_first("before-send", corrupt)
    with pytest.raises(ClientError) as exc:
        client.put_object(Bucket=bucket, Key="k", Body=b"hello")
    assert exc.value.response["Error"]["Code"] == "BadDigest"


def test_trace_header_links_write_to_invocation(threaded_sim: ThreadedSimulator, s3: Any,
                                                bucket: str) -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
    s3.meta.events.register("before-send", lambda request, **_: request.headers.__setitem__(
        "X-Amzn-Trace-Id", trace))
    s3.put_object(Bucket=bucket, Key="traced", Body=b"x")
    rows = threaded_sim.run(threaded_sim.sim.db.read(lambda c: c.execute(
        "SELECT trace_id, span_id, kind, resource FROM trace_events WHERE resource = ?",
        (f"arn:aws:s3:::{bucket}/traced",)).fetchall()))
    assert [tuple(r) for r in rows] == [("1-5759e988-bd862e3fe1be46a994272793",
                                         "53995c3f42cd8ad8", "s3:PutObject",
                                         f"arn:aws:s3:::{bucket}/traced")]


# -- the AWS CLI ---------------------------------------------------------------------------


def _aws(threaded_sim: ThreadedSimulator, home: Path, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    aws = Path(sys.executable).with_name("aws")
    done = subprocess.run(
        [str(aws), "--endpoint-url", threaded_sim.url, *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_aws_cli_cp_ls_and_notification(threaded_sim: ThreadedSimulator, s3: Any, bucket: str,
                                        tmp_path: Path) -> None:
    source = tmp_path / "cat one.jpg"
    source.write_bytes(b"\xff\xd8 not really a jpeg")
    _aws(threaded_sim, tmp_path, "s3", "cp", str(source), f"s3://{bucket}/uploads/cat one.jpg")
    listing = _aws(threaded_sim, tmp_path, "s3", "ls", f"s3://{bucket}/uploads/")
    assert "cat one.jpg" in listing
    back = tmp_path / "back.jpg"
    _aws(threaded_sim, tmp_path, "s3", "cp", f"s3://{bucket}/uploads/cat one.jpg", str(back))
    assert back.read_bytes() == source.read_bytes()

    config = {"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                                       "Events": ["s3:ObjectCreated:*"]}]}
    _aws(threaded_sim, tmp_path, "s3api", "put-bucket-notification-configuration",
         "--bucket", bucket, "--notification-configuration", json.dumps(config),
         "--skip-destination-validation")
    got = json.loads(_aws(threaded_sim, tmp_path, "s3api",
                          "get-bucket-notification-configuration", "--bucket", bucket))
    assert got["QueueConfigurations"][0]["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:q"


def test_get_bucket_location_is_none_in_us_east_1(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


def test_get_bucket_location_names_another_region() -> None:
    with ThreadedSimulator(SimulatorConfig(region="eu-west-1")) as sim:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="located",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert s3.get_bucket_location(Bucket="located")["LocationConstraint"] == "eu-west-1"


def test_get_bucket_location_of_a_missing_bucket_is_no_such_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_location(Bucket="no-such-located-bucket")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"
