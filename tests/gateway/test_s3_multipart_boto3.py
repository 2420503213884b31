"""S3 multipart upload through boto3 against a running gateway, as AWS does it.

CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
ListParts and ListMultipartUploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html);
boto3's managed transfer over its multipart threshold; and the ObjectCreated:CompleteMultipartUpload
notification a completed upload sends.

Parts are tiny wherever the 5 MiB minimum is not the point: the last part of an upload may be any
size, so a single small part is a whole upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "lambda_handlers"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function"
MIB = 1024 * 1024
BIG = b"a" * (5 * MIB)  # the smallest part allowed before the last one


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def _multipart_etag(*parts: bytes) -> str:
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _start(s3: Any, bucket: str, key: str = "k", **kwargs: Any) -> str:
    return str(s3.create_multipart_upload(Bucket=bucket, Key=key, **kwargs)["UploadId"])


def _part(s3: Any, bucket: str, upload_id: str, number: int, body: bytes,
          key: str = "k") -> str:
    got = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                         Body=body)
    return str(got["ETag"])


def _complete(s3: Any, bucket: str, upload_id: str, parts: list[tuple[int, str]],
              key: str = "k") -> Any:
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]})


def _upload(s3: Any, bucket: str, key: str, *parts: bytes, **create: Any) -> Any:
    """A whole upload of `parts`, numbered from 1: CompleteMultipartUpload's answer."""
    upload_id = _start(s3, bucket, key, **create)
    etags = [_part(s3, bucket, upload_id, n, body, key) for n, body in enumerate(parts, 1)]
    return _complete(s3, bucket, upload_id, list(enumerate(etags, 1)), key)


# -- CreateMultipartUpload -----------------------------------------------------------------


def test_create_multipart_upload_answers_bucket_key_and_upload_id(s3: Any, bucket: str) -> None:
    got = s3.create_multipart_upload(Bucket=bucket, Key="dir/a b+c.bin")
    assert got["Bucket"] == bucket
    assert got["Key"] == "dir/a b+c.bin"
    assert isinstance(got["UploadId"], str) and got["UploadId"]


def test_create_multipart_upload_gives_each_upload_its_own_id(s3: Any, bucket: str) -> None:
    assert _start(s3, bucket) != _start(s3, bucket)


def test_create_multipart_upload_into_a_missing_bucket_is_no_such_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket="no-such-multipart-bucket", Key="k")
    assert _error(exc) == ("NoSuchBucket", 404)


# -- UploadPart ----------------------------------------------------------------------------


def test_upload_part_answers_the_quoted_md5_of_the_part(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    assert _part(s3, bucket, upload_id, 1, b"hello") == '"5d41402abc4b2a76b9719d911017c592"'


@pytest.mark.parametrize("number", [pytest.param(1, id="1"), pytest.param(10000, id="10000")])
def test_upload_part_takes_part_numbers_1_to_10000(s3: Any, bucket: str, number: int) -> None:
    upload_id = _start(s3, bucket)
    assert _part(s3, bucket, upload_id, number, b"x") == _etag(b"x")
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert [p["PartNumber"] for p in parts] == [number]


@pytest.mark.parametrize("number", [pytest.param(0, id="0"), pytest.param(10001, id="10001")])
def test_upload_part_number_out_of_range_is_invalid_argument(s3: Any, bucket: str,
                                                             number: int) -> None:
    upload_id = _start(s3, bucket)
    with pytest.raises(ClientError) as exc:
        _part(s3, bucket, upload_id, number, b"x")
    assert _error(exc) == ("InvalidArgument", 400)


def test_upload_part_of_an_unknown_upload_is_no_such_upload(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        _part(s3, bucket, "no-such-upload", 1, b"x")
    assert _error(exc) == ("NoSuchUpload", 404)


def test_upload_part_again_replaces_the_part(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    first = _part(s3, bucket, upload_id, 1, b"first try")
    second = _part(s3, bucket, upload_id, 1, b"second")
    [part] = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert (part["ETag"], part["Size"]) == (second, len(b"second"))
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(1, first)])
    assert _error(exc) == ("InvalidPart", 400)
    _complete(s3, bucket, upload_id, [(1, second)])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


# -- CompleteMultipartUpload ---------------------------------------------------------------


def test_complete_joins_the_parts_and_the_etag_is_the_md5_of_their_digests(
    s3: Any, bucket: str
) -> None:
    done = _upload(s3, bucket, "joined", BIG, b"tail")
    expected = _multipart_etag(BIG, b"tail")
    assert (done["Bucket"], done["Key"], done["ETag"]) == (bucket, "joined", expected)
    assert isinstance(done["Location"], str) and done["Location"]
    got = s3.get_object(Bucket=bucket, Key="joined")
    assert got["Body"].read() == BIG + b"tail"
    assert got["ETag"] == expected
    head = s3.head_object(Bucket=bucket, Key="joined")
    assert head["ContentLength"] == len(BIG) + 4
    assert head["ETag"] == expected


def test_complete_keeps_the_content_type_and_metadata_given_at_create(
    s3: Any, bucket: str
) -> None:
    _upload(s3, bucket, "typed", b"{}", ContentType="application/json",
            Metadata={"Colour": "blue"})
    head = s3.head_object(Bucket=bucket, Key="typed")
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"colour": "blue"}


def test_complete_with_a_single_one_byte_part(s3: Any, bucket: str) -> None:
    done = _upload(s3, bucket, "one-byte", b"z")
    assert done["ETag"] == _multipart_etag(b"z")
    assert done["ETag"].endswith('-1"')
    got = s3.get_object(Bucket=bucket, Key="one-byte")
    assert (got["Body"].read(), got["ContentLength"]) == (b"z", 1)


def test_complete_keeps_only_the_listed_parts_in_order(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    first = _part(s3, bucket, upload_id, 1, BIG)
    _part(s3, bucket, upload_id, 2, b"left out")
    third = _part(s3, bucket, upload_id, 3, b"last")
    done = _complete(s3, bucket, upload_id, [(1, first), (3, third)])
    assert done["ETag"] == _multipart_etag(BIG, b"last")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == BIG + b"last"


def test_complete_with_parts_out_of_order_is_invalid_part_order(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    first = _part(s3, bucket, upload_id, 1, BIG)
    second = _part(s3, bucket, upload_id, 2, BIG)
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(2, second), (1, first)])
    assert _error(exc) == ("InvalidPartOrder", 400)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_complete_with_a_part_never_uploaded_is_invalid_part(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    first = _part(s3, bucket, upload_id, 1, BIG)
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(1, first), (2, _etag(b"never sent"))])
    assert _error(exc) == ("InvalidPart", 400)


def test_complete_with_an_etag_that_does_not_match_is_invalid_part(s3: Any,
                                                                   bucket: str) -> None:
    upload_id = _start(s3, bucket)
    _part(s3, bucket, upload_id, 1, b"x")
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(1, _etag(b"something else"))])
    assert _error(exc) == ("InvalidPart", 400)


def test_complete_with_a_part_under_5_mib_before_the_last_is_entity_too_small(
    s3: Any, bucket: str
) -> None:
    upload_id = _start(s3, bucket)
    first = _part(s3, bucket, upload_id, 1, BIG[:-1])
    last = _part(s3, bucket, upload_id, 2, b"tail")
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(1, first), (2, last)])
    assert _error(exc) == ("EntityTooSmall", 400)


def test_complete_of_an_unknown_upload_is_no_such_upload(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, "no-such-upload", [(1, _etag(b"x"))])
    assert _error(exc) == ("NoSuchUpload", 404)


def test_complete_of_an_aborted_upload_is_no_such_upload(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    etag = _part(s3, bucket, upload_id, 1, b"x")
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [(1, etag)])
    assert _error(exc) == ("NoSuchUpload", 404)


def test_complete_with_no_parts_is_malformed_xml(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    _part(s3, bucket, upload_id, 1, b"x")
    with pytest.raises(ClientError) as exc:
        _complete(s3, bucket, upload_id, [])
    assert _error(exc) == ("MalformedXML", 400)


def test_a_completed_upload_is_gone(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    _complete(s3, bucket, upload_id, [(1, _part(s3, bucket, upload_id, 1, b"x"))])
    with pytest.raises(ClientError) as listed:
        s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert _error(listed) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as uploaded:
        _part(s3, bucket, upload_id, 2, b"y")
    assert _error(uploaded) == ("NoSuchUpload", 404)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


# -- AbortMultipartUpload ------------------------------------------------------------------


def test_abort_answers_204_and_the_upload_is_gone(s3: Any, bucket: str) -> None:
    upload_id = _start(s3, bucket)
    _part(s3, bucket, upload_id, 1, b"x")
    aborted = s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    assert aborted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert _error(exc) == ("NoSuchUpload", 404)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_abort_of_an_unknown_upload_is_no_such_upload(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="no-such-upload")
    assert _error(exc) == ("NoSuchUpload", 404)


# -- ListParts and ListMultipartUploads ----------------------------------------------------


def test_list_parts_sorted_by_part_number_with_etag_size_and_last_modified(
    s3: Any, bucket: str
) -> None:
    upload_id = _start(s3, bucket)
    bodies = {3: b"three", 1: b"one", 2: b"two!"}
    for number, body in bodies.items():
        _part(s3, bucket, upload_id, number, body)
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [
        (n, _etag(bodies[n]), len(bodies[n])) for n in (1, 2, 3)]
    assert all(isinstance(p["LastModified"], dt.datetime) for p in parts)


def test_list_parts_of_an_unknown_upload_is_no_such_upload(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="k", UploadId="no-such-upload")
    assert _error(exc) == ("NoSuchUpload", 404)


def test_list_multipart_uploads_lists_only_uploads_in_progress(s3: Any, bucket: str) -> None:
    in_progress = _start(s3, bucket, "in-progress")
    _part(s3, bucket, in_progress, 1, b"x", key="in-progress")
    completed = _start(s3, bucket, "completed")
    _complete(s3, bucket, completed,
              [(1, _part(s3, bucket, completed, 1, b"x", key="completed"))], key="completed")
    aborted = _start(s3, bucket, "aborted")
    s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=aborted)
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("in-progress", in_progress)]
    assert isinstance(uploads[0]["Initiated"], dt.datetime)


# -- boto3's managed transfer --------------------------------------------------------------

TRANSFER = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB)


def test_upload_file_over_the_multipart_threshold_round_trips(s3: Any, bucket: str,
                                                              tmp_path: Path) -> None:
    payload = os.urandom(12 * MIB)
    source = tmp_path / "big.bin"
    source.write_bytes(payload)
    s3.upload_file(str(source), bucket, "big.bin", Config=TRANSFER)
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == payload
    assert got["ETag"] == _multipart_etag(payload[:8 * MIB], payload[8 * MIB:])
    assert got["ETag"].endswith('-2"')
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_upload_fileobj_over_the_multipart_threshold_round_trips(s3: Any, bucket: str) -> None:
    payload = os.urandom(12 * MIB)
    s3.upload_fileobj(io.BytesIO(payload), bucket, "big.bin", Config=TRANSFER)
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == payload
    assert got["ETag"].endswith('-2"')
    out = io.BytesIO()
    s3.download_fileobj(bucket, "big.bin", out, Config=TRANSFER)
    assert out.getvalue() == payload


# -- UploadPartCopy -----------------------------------------------------------------------


def test_upload_part_copy_takes_the_whole_source_or_an_inclusive_range(s3: Any,
                                                                       bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    whole = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"})
    assert whole["CopyPartResult"]["ETag"] == _etag(b"0123456789")
    ranged = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload, PartNumber=1,
                                 CopySource=f"{bucket}/source", CopySourceRange="bytes=2-4")
    assert ranged["CopyPartResult"]["ETag"] == _etag(b"234")
    s3.complete_multipart_upload(Bucket=bucket, Key="copy", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": ranged["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"234"


@pytest.mark.parametrize("copy_range, message", [
    ("0-4", "must be of the form bytes=first-last"),
    ("bytes=4-2", "not valid for source object of size: 10"),
    ("bytes=0-10", "not valid for source object of size: 10"),
])
def test_upload_part_copy_refuses_a_bad_range_as_invalid_argument(
    s3: Any, bucket: str, copy_range: str, message: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload, PartNumber=1,
                            CopySource=f"{bucket}/source", CopySourceRange=copy_range)
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    assert message in exc.value.response["Error"]["Message"]


def test_upload_part_copy_of_a_missing_source_is_no_such_key(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload, PartNumber=1,
                            CopySource=f"{bucket}/missing")
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"


def test_upload_part_copy_of_a_changed_source_is_precondition_failed(s3: Any,
                                                                      bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"first")
    seen = s3.head_object(Bucket=bucket, Key="source")["ETag"]
    s3.put_object(Bucket=bucket, Key="source", Body=b"changed since")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload, PartNumber=1,
                            CopySource=f"{bucket}/source", CopySourceIfMatch=seen)
    assert _error(exc) == ("PreconditionFailed", 412)


def test_managed_copy_over_the_multipart_threshold_copies_by_parts(s3: Any, bucket: str) -> None:
    payload = os.urandom(12 * MIB)
    s3.put_object(Bucket=bucket, Key="big", Body=payload)
    s3.copy({"Bucket": bucket, "Key": "big"}, bucket, "big-copy", Config=TRANSFER)
    got = s3.get_object(Bucket=bucket, Key="big-copy")
    assert got["Body"].read() == payload
    assert got["ETag"] == _multipart_etag(payload[:8 * MIB], payload[8 * MIB:])


# -- notifications -------------------------------------------------------------------------


def _notify_function(threaded_sim: ThreadedSimulator, s3: Any, bucket: str,
                     events: list[str]) -> str:
    """A function of the bucket's name, invoked by the bucket for `events`; its name."""
    threaded_sim.functions.create_function(name=bucket, handler="app.echo", code_dir=HANDLERS)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": f"{FUNCTION_ARN}:{bucket}", "Events": events}]})
    return bucket


def _records(threaded_sim: ThreadedSimulator, function: str) -> list[dict[str, Any]]:
    threaded_sim.settle()
    invocations = threaded_sim.invocations.list(function=function)
    return [r for i in invocations for r in i.event["Records"]]


@pytest.mark.parametrize("event", [
    pytest.param("s3:ObjectCreated:*", id="wildcard"),
    pytest.param("s3:ObjectCreated:CompleteMultipartUpload", id="complete-multipart-upload"),
])
def test_completed_upload_notifies_once_with_its_size_and_multipart_etag(
    threaded_sim: ThreadedSimulator, s3: Any, bucket: str, event: str
) -> None:
    function = _notify_function(threaded_sim, s3, bucket, [event])
    upload_id = _start(s3, bucket, "in/big.bin")
    first = _part(s3, bucket, upload_id, 1, BIG, key="in/big.bin")
    last = _part(s3, bucket, upload_id, 2, b"tail", key="in/big.bin")
    assert _records(threaded_sim, function) == []  # create and parts: no event
    _complete(s3, bucket, upload_id, [(1, first), (2, last)], key="in/big.bin")
    [record] = _records(threaded_sim, function)
    assert record["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    assert record["s3"]["bucket"]["name"] == bucket
    obj = record["s3"]["object"]
    assert obj["key"] == "in/big.bin"
    assert obj["size"] == len(BIG) + 4
    assert obj["eTag"] == _multipart_etag(BIG, b"tail").strip('"')


def test_put_only_configuration_does_not_fire_on_complete_multipart_upload(
    threaded_sim: ThreadedSimulator, s3: Any, bucket: str
) -> None:
    function = _notify_function(threaded_sim, s3, bucket, ["s3:ObjectCreated:Put"])
    _upload(s3, bucket, "multipart.bin", b"z")
    assert _records(threaded_sim, function) == []
    s3.put_object(Bucket=bucket, Key="put.bin", Body=b"z")
    assert [r["eventName"] for r in _records(threaded_sim, function)] == ["ObjectCreated:Put"]


def test_complete_multipart_upload_configuration_does_not_fire_on_put(
    threaded_sim: ThreadedSimulator, s3: Any, bucket: str
) -> None:
    function = _notify_function(threaded_sim, s3, bucket,
                                ["s3:ObjectCreated:CompleteMultipartUpload"])
    s3.put_object(Bucket=bucket, Key="put.bin", Body=b"z")
    assert _records(threaded_sim, function) == []
