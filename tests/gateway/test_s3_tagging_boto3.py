"""S3 object tags through boto3 against a running gateway: PutObject's Tagging, CopyObject's
tagging directive, tags given at CreateMultipartUpload, PutObjectTagging, GetObjectTagging and
DeleteObjectTagging, S3's limits, and the ObjectTagging events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "lambda_handlers"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function"


def _tags(s3: Any, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def _tag_set(**tags: str) -> dict[str, Any]:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def test_put_object_with_tagging_stores_the_url_encoded_tags(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="stage=raw&owner=two%20words")
    assert _tags(s3, bucket, "k") == {"stage": "raw", "owner": "two words"}
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2


def test_an_object_without_tags_has_an_empty_tag_set_and_no_tag_count(s3: Any,
                                                                      bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert _tags(s3, bucket, "k") == {}
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")


def test_put_object_tagging_replaces_the_tags_and_delete_removes_them(s3: Any,
                                                                     bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=_tag_set(b="2", c="3"))
    assert _tags(s3, bucket, "k") == {"b": "2", "c": "3"}
    deleted = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _tags(s3, bucket, "k") == {}


def test_a_new_put_of_the_key_drops_its_tags(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"again")
    assert _tags(s3, bucket, "k") == {}


def test_copy_object_keeps_the_source_tags_unless_told_to_replace_them(s3: Any,
                                                                      bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="kept", CopySource=f"{bucket}/src")
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=f"{bucket}/src",
                   TaggingDirective="REPLACE", Tagging="b=2")
    assert _tags(s3, bucket, "kept") == {"a": "1"}
    assert _tags(s3, bucket, "replaced") == {"b": "2"}


def test_tags_given_at_create_multipart_upload_end_up_on_the_object(s3: Any,
                                                                   bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", Tagging="a=1")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert _tags(s3, bucket, "k") == {"a": "1"}


@pytest.mark.parametrize("tag_set, code, message", [
    pytest.param({"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]},
                 "BadRequest", "Object tags cannot be greater than 10", id="eleven-tags"),
    pytest.param(_tag_set(**{"aws:owner": "me"}), "InvalidTag",
                 "Your TagKey cannot be prefixed with aws:", id="aws-prefix"),
    pytest.param({"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
                 "InvalidTag", "Cannot provide multiple Tags with the same key", id="duplicate"),
    pytest.param(_tag_set(**{"k" * 129: "v"}), "InvalidTag",
                 "The TagKey you have provided is too long, max 128", id="long-key"),
    pytest.param(_tag_set(k="v" * 257), "InvalidTag",
                 "The TagValue you have provided is too long, max 256", id="long-value"),
])
def test_tags_beyond_s3s_limits_are_refused_and_the_old_ones_kept(
    s3: Any, bucket: str, tag_set: dict[str, Any], code: str, message: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="kept=yes")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set)
    assert exc.value.response["Error"]["Code"] == code
    assert exc.value.response["Error"]["Message"] == message
    assert _tags(s3, bucket, "k") == {"kept": "yes"}


def test_tagging_a_missing_key_is_no_such_key(s3: Any, bucket: str) -> None:
    for call in (lambda: s3.get_object_tagging(Bucket=bucket, Key="missing"),
                 lambda: s3.put_object_tagging(Bucket=bucket, Key="missing",
                                               Tagging=_tag_set(a="1")),
                 lambda: s3.delete_object_tagging(Bucket=bucket, Key="missing")):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "NoSuchKey"


def test_changing_tags_notifies_object_tagging_events_without_size_or_sequencer(
    threaded_sim: ThreadedSimulator, s3: Any, bucket: str,
) -> None:
    threaded_sim.functions.create_function(name=bucket, handler="app.echo", code_dir=HANDLERS)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": f"{FUNCTION_ARN}:{bucket}", "Events": ["s3:ObjectTagging:*"]}]})
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=_tag_set(a="1"))
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    threaded_sim.settle()
    records = [r for i in threaded_sim.invocations.list(function=bucket)
               for r in i.event["Records"]]
    assert sorted(r["eventName"] for r in records) == ["ObjectTagging:Delete",
                                                       "ObjectTagging:Put"]
    for record in records:
        assert record["eventVersion"] == "2.3"
        assert record["s3"]["object"]["key"] == "k"
        assert record["s3"]["object"]["eTag"] == etag.strip('"')
        assert "size" not in record["s3"]["object"]
        assert "sequencer" not in record["s3"]["object"]
