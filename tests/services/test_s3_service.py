"""The S3 service through the Python API: the one implementation every surface calls."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        await simulator.s3.create_bucket(bucket="bkt")
        yield simulator


async def _codes(coro) -> str:
    with pytest.raises(AwsError) as exc:
        await coro
    return exc.value.code


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    ["ab", "UPPER", "has_underscore", "-start", "end-", "a..b", "192.168.1.1", "xn--x",
     "x" * 64, "bucket-s3alias"],
)
async def test_invalid_bucket_names_are_rejected(sim: Simulator, name: str) -> None:
    assert await _codes(sim.s3.create_bucket(bucket=name)) == "InvalidBucketName"


@pytest.mark.asyncio
async def test_missing_bucket_is_no_such_bucket(sim: Simulator) -> None:
    assert await _codes(sim.s3.put_object(bucket="nope", key="k", body=b"")) == "NoSuchBucket"
    assert await _codes(sim.s3.get_object(bucket="nope", key="k")) == "NoSuchBucket"
    assert await _codes(sim.s3.list_objects_v2(bucket="nope")) == "NoSuchBucket"


@pytest.mark.asyncio
async def test_missing_key_is_no_such_key(sim: Simulator) -> None:
    assert await _codes(sim.s3.get_object(bucket="bkt", key="nope")) == "NoSuchKey"


@pytest.mark.asyncio
async def test_etag_is_quoted_md5_of_the_body(sim: Simulator) -> None:
    result = await sim.s3.put_object(bucket="bkt", key="k", body=b"hello")
    assert result["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'


@pytest.mark.asyncio
async def test_get_object_returns_body_metadata_and_content_type(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"hello", content_type="text/plain",
                            metadata={"Owner": "me"})
    got = await sim.s3.get_object(bucket="bkt", key="k")
    assert got["Body"] == b"hello"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "me"}
    assert got["ContentLength"] == 5


@pytest.mark.asyncio
async def test_content_type_defaults_to_binary_octet_stream(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"x")
    assert (await sim.s3.head_object(bucket="bkt", key="k"))["ContentType"] == "binary/octet-stream"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("header", "body", "content_range"),
    [
        ("bytes=0-3", b"0123", "bytes 0-3/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ],
)
async def test_get_object_with_range(sim: Simulator, header: str, body: bytes,
                                     content_range: str) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"0123456789")
    got = await sim.s3.get_object(bucket="bkt", key="k", range=header)
    assert got["Body"] == body
    assert got["ContentRange"] == content_range


@pytest.mark.asyncio
async def test_unsatisfiable_range_is_invalid_range(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"0123456789")
    unsatisfiable = sim.s3.get_object(bucket="bkt", key="k", range="bytes=10-")
    assert await _codes(unsatisfiable) == "InvalidRange"


@pytest.mark.asyncio
async def test_list_objects_v2_with_prefix_delimiter_and_pages(sim: Simulator) -> None:
    keys = ["a/1", "a/2", "b/1", "b/sub/1", "c", "d"]
    for key in keys:
        await sim.s3.put_object(bucket="bkt", key=key, body=b"")
    top = await sim.s3.list_objects_v2(bucket="bkt", delimiter="/")
    assert [c["Key"] for c in top["Contents"]] == ["c", "d"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/"]
    assert top["KeyCount"] == 4
    under_b = await sim.s3.list_objects_v2(bucket="bkt", prefix="b/", delimiter="/")
    assert [c["Key"] for c in under_b["Contents"]] == ["b/1"]
    assert [p["Prefix"] for p in under_b["CommonPrefixes"]] == ["b/sub/"]
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"continuation_token": token} if token else {}
        page = await sim.s3.list_objects_v2(bucket="bkt", max_keys=2, **kwargs)
        seen += [c["Key"] for c in page["Contents"]]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert seen == keys


@pytest.mark.asyncio
async def test_paging_over_common_prefixes_does_not_repeat_them(sim: Simulator) -> None:
    for key in ["a/1", "a/2", "b/1", "c/1", "d"]:
        await sim.s3.put_object(bucket="bkt", key=key, body=b"")
    entries: list[str] = []
    token = None
    while True:
        kwargs = {"continuation_token": token} if token else {}
        page = await sim.s3.list_objects_v2(bucket="bkt", delimiter="/", max_keys=1, **kwargs)
        entries += [p["Prefix"] for p in page["CommonPrefixes"]]
        entries += [c["Key"] for c in page["Contents"]]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert entries == ["a/", "b/", "c/", "d"]


@pytest.mark.asyncio
async def test_start_after_skips_keys(sim: Simulator) -> None:
    for key in ["a", "b", "c"]:
        await sim.s3.put_object(bucket="bkt", key=key, body=b"")
    page = await sim.s3.list_objects_v2(bucket="bkt", start_after="a")
    assert [c["Key"] for c in page["Contents"]] == ["b", "c"]


@pytest.mark.asyncio
async def test_copy_object_copies_body_and_metadata(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="src", body=b"data", metadata={"k": "v"})
    await sim.s3.copy_object(bucket="bkt", key="dst", copy_source="bkt/src")
    got = await sim.s3.get_object(bucket="bkt", key="dst")
    assert got["Body"] == b"data"
    assert got["Metadata"] == {"k": "v"}


@pytest.mark.asyncio
async def test_copy_onto_itself_without_replace_is_invalid(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"x")
    onto_itself = sim.s3.copy_object(bucket="bkt", key="k", copy_source="bkt/k")
    assert await _codes(onto_itself) == "InvalidRequest"


@pytest.mark.asyncio
async def test_delete_bucket_refuses_when_not_empty(sim: Simulator) -> None:
    await sim.s3.put_object(bucket="bkt", key="k", body=b"x")
    assert await _codes(sim.s3.delete_bucket(bucket="bkt")) == "BucketNotEmpty"
    await sim.s3.delete_object(bucket="bkt", key="k")
    await sim.s3.delete_bucket(bucket="bkt")
    assert await _codes(sim.s3.head_bucket(bucket="bkt")) == "NoSuchBucket"


@pytest.mark.asyncio
async def test_notification_configuration_round_trips(sim: Simulator) -> None:
    fn = await sim.functions.create_function(
        name="f", handler="app.handler", code_dir=__import__("pathlib").Path(__file__).parent
    )
    config = {"LambdaFunctionConfigurations": [{
        "Id": "thumbs", "LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}},
    }]}
    await sim.s3.put_bucket_notification_configuration(
        bucket="bkt", notification_configuration=config
    )
    got = await sim.s3.get_bucket_notification_configuration(bucket="bkt")
    [lambda_config] = got["LambdaFunctionConfigurations"]
    assert lambda_config["Id"] == "thumbs"
    assert lambda_config["Filter"]["Key"]["FilterRules"] == [{"Name": "Suffix", "Value": ".jpg"}]


@pytest.mark.asyncio
async def test_notification_to_unknown_function_is_rejected(sim: Simulator) -> None:
    config = {"LambdaFunctionConfigurations": [{
        "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:ghost",
        "Events": ["s3:ObjectCreated:*"],
    }]}
    code = await _codes(sim.s3.put_bucket_notification_configuration(
        bucket="bkt", notification_configuration=config))
    assert code == "InvalidArgument"


@pytest.mark.asyncio
async def test_objects_and_configuration_survive_a_restart(tmp_path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "s.db"))
    async with Simulator(config) as first:
        await first.s3.create_bucket(bucket="kept")
        await first.s3.put_object(bucket="kept", key="k", body=b"still here")
    async with Simulator(config) as second:
        got = await second.s3.get_object(bucket="kept", key="k")
        assert got["Body"] == b"still here"


@pytest.mark.asyncio
async def test_get_object_large_body_is_read_whole(sim: Simulator) -> None:
    body = bytes(range(256)) * 8192  # 2 MiB: read on the database's thread
    await sim.s3.put_object(bucket="bkt", key="big", body=body)
    got = await sim.s3.get_object(bucket="bkt", key="big")
    assert got["Body"] == body
    ranged = await sim.s3.get_object(bucket="bkt", key="big", range="bytes=1048576-1048579")
    assert ranged["Body"] == body[1048576:1048580]


@pytest.mark.asyncio
async def test_concurrent_puts_of_one_key_leave_the_last_body(sim: Simulator) -> None:
    # They share a transaction and their rows one statement: still the last put wins.
    import asyncio

    await asyncio.gather(*(sim.s3.put_object(bucket="bkt", key="same", body=f"v{n}".encode())
                           for n in range(40)))
    got = await sim.s3.get_object(bucket="bkt", key="same")
    assert got["Body"] == b"v39"


@pytest.mark.asyncio
async def test_concurrent_tagged_and_untagged_puts_of_one_key_leave_the_last(
    sim: Simulator,
) -> None:
    import asyncio

    # Untagged first and last in the shared transaction, tagged ones between: the last,
    # untagged, must win over the tagged ones before it.
    await asyncio.gather(*(
        sim.s3.put_object(bucket="bkt", key="same", body=f"v{n}".encode(),
                          tagging=f"n={n}" if n % 2 and n > 1 else None)
        for n in range(41)))
    got = await sim.s3.get_object(bucket="bkt", key="same")
    assert got["Body"] == b"v40"
    assert (await sim.s3.get_object_tagging(bucket="bkt", key="same"))["TagSet"] == []
