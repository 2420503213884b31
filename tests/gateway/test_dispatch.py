"""From a parsed operation to the service method that implements it."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim.errors import NotImplementedOperation
from eventsim.gateway.dispatch import OperationDispatcher
from eventsim.gateway.specs import load_service_model


class FakeS3:
    """Just enough of an S3 service to dispatch to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def put_object(self, *, bucket: str, key: str, body: bytes = b"",
                         content_type: str | None = None) -> dict[str, Any]:
        self.calls.append(("put_object", {"bucket": bucket, "key": key, "body": body,
                                          "content_type": content_type}))
        return {"ETag": '"etag"'}

    async def delete_bucket(self, *, bucket: str) -> None:
        self.calls.append(("delete_bucket", {"bucket": bucket}))

    async def list_buckets(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("list_buckets", kwargs))
        return {"Buckets": []}


@pytest.fixture
def service() -> FakeS3:
    return FakeS3()


@pytest.fixture
def dispatcher(service: FakeS3) -> OperationDispatcher:
    return OperationDispatcher(service, load_service_model("s3"))


def _operation(name: str) -> Any:
    return load_service_model("s3").operation_model(name)


@pytest.mark.asyncio
async def test_call_passes_snake_case_keywords(dispatcher: OperationDispatcher,
                                               service: FakeS3) -> None:
    result = await dispatcher.call(_operation("PutObject"), {
        "Bucket": "b", "Key": "k", "Body": b"x", "ContentType": "text/plain"})
    assert result == {"ETag": '"etag"'}
    assert service.calls == [("put_object", {"bucket": "b", "key": "k", "body": b"x",
                                             "content_type": "text/plain"})]


@pytest.mark.asyncio
async def test_call_drops_parameters_the_gateway_handled(dispatcher: OperationDispatcher,
                                                         service: FakeS3) -> None:
    result = await dispatcher.call(_operation("PutObject"), {
        "Bucket": "b", "Key": "k", "Body": b"x", "ContentLength": 1, "ContentMD5": "abc",
        "ChecksumAlgorithm": "CRC32", "ChecksumCRC32": "jO5OXA==",
        "ExpectedBucketOwner": "000000000000", "RequestPayer": "requester"})
    assert service.calls[0][1]["key"] == "k"
    # S3 returns the checksum it verified on the write that carried it.
    assert result == {"ETag": '"etag"', "ChecksumCRC32": "jO5OXA=="}


@pytest.mark.asyncio
async def test_call_unsupported_parameter_is_not_implemented(
    dispatcher: OperationDispatcher, service: FakeS3
) -> None:
    with pytest.raises(NotImplementedOperation) as exc:
        await dispatcher.call(_operation("PutObject"),
                              {"Bucket": "b", "Key": "k", "Tagging": "a=b"})
    assert exc.value.message == (
        "eventsim does not implement the Tagging parameter of s3 operation PutObject yet")
    assert service.calls == []


@pytest.mark.asyncio
async def test_call_missing_operation_is_not_implemented(
    dispatcher: OperationDispatcher,
) -> None:
    assert not dispatcher.implements("GetBucketTagging")
    with pytest.raises(NotImplementedOperation) as exc:
        await dispatcher.call(_operation("GetBucketTagging"), {"Bucket": "b"})
    assert exc.value.message == "eventsim does not implement s3 operation GetBucketTagging yet"
    assert exc.value.status_code == 501


@pytest.mark.asyncio
async def test_call_none_result_is_empty_output(dispatcher: OperationDispatcher) -> None:
    assert await dispatcher.call(_operation("DeleteBucket"), {"Bucket": "b"}) == {}


@pytest.mark.asyncio
async def test_call_var_keyword_method_takes_every_member(
    dispatcher: OperationDispatcher, service: FakeS3
) -> None:
    await dispatcher.call(_operation("ListBuckets"), {"MaxBuckets": 5, "Prefix": "a"})
    assert service.calls == [("list_buckets", {"max_buckets": 5, "prefix": "a"})]
