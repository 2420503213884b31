"""boto3 against a running gateway with the real Kinesis service (json protocol)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

_numbers = itertools.count()


@pytest.fixture
def kinesis(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("kinesis")


@pytest.fixture
def stream(request: pytest.FixtureRequest) -> str:
    """A stream name of its own for each test (the module's simulator is shared)."""
    return f"{request.node.originalname[:60]}-{next(_numbers)}"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_botocore_speaks_json_to_kinesis_not_cbor(kinesis: Any) -> None:
    metadata = kinesis.meta.service_model.metadata
    assert metadata["protocol"] == "json"
    assert metadata.get("protocols", ["json"]) == ["json"]


def test_put_records_500_across_4_shards_land_on_their_md5_shard_in_order(
    kinesis: Any, stream: str,
) -> None:
    """Must show, through boto3: each record on the shard its MD5 hash selects, and GetRecords
    returns each shard's records in the order they were put."""
    kinesis.create_stream(StreamName=stream, ShardCount=4)
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]),
                             int(s["HashKeyRange"]["EndingHashKey"])) for s in shards}
    entries = [{"Data": f"payload {i}".encode(), "PartitionKey": f"user-{i}"}
               for i in range(500)]
    result = kinesis.put_records(StreamName=stream, Records=entries)
    assert result["FailedRecordCount"] == 0
    per_shard: dict[str, list[tuple[str, bytes, str]]] = {sid: [] for sid in ranges}
    for entry, placed in zip(entries, result["Records"], strict=True):
        md5 = int.from_bytes(hashlib.md5(entry["PartitionKey"].encode()).digest(), "big")
        start, end = ranges[placed["ShardId"]]
        assert start <= md5 <= end
        per_shard[placed["ShardId"]].append(
            (placed["SequenceNumber"], entry["Data"], entry["PartitionKey"]))
    for sid, wanted in per_shard.items():
        assert wanted, f"no record hashed onto {sid}"
        it = kinesis.get_shard_iterator(StreamName=stream, ShardId=sid,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got: list[dict[str, Any]] = []
        while True:
            page = kinesis.get_records(ShardIterator=it, Limit=50)
            got.extend(page["Records"])
            it = page["NextShardIterator"]
            if not page["Records"]:
                break
        assert [(r["SequenceNumber"], r["Data"], r["PartitionKey"]) for r in got] == wanted
        assert all(isinstance(r["ApproximateArrivalTimestamp"], dt.datetime) for r in got)


def test_put_record_returns_shard_and_sequence_number(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    put = kinesis.put_record(StreamName=stream, Data=b"\x00\xffbinary", PartitionKey="k",
                             ExplicitHashKey=str(2**128 - 1))
    assert put["ShardId"] == "shardId-000000000001"
    assert len(put["SequenceNumber"]) == 56
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=put["ShardId"],
                                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    StartingSequenceNumber=put["SequenceNumber"])
    records = kinesis.get_records(ShardIterator=it["ShardIterator"])["Records"]
    assert records[0]["Data"] == b"\x00\xffbinary"


def test_describe_stream_and_summary_have_aws_shape(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=3)
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE"
    assert description["HasMoreShards"] is False
    assert description["RetentionPeriodHours"] == 24
    assert isinstance(description["StreamCreationTimestamp"], dt.datetime)
    assert description["Shards"][1]["HashKeyRange"] == {
        "StartingHashKey": "113427455640312821154458202477256070485",
        "EndingHashKey": "226854911280625642308916404954512140969",
    }
    summary = kinesis.describe_stream_summary(StreamARN=description["StreamARN"])
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 3
    names = kinesis.list_streams()["StreamNames"]
    assert stream in names


def test_unknown_stream_is_resource_not_found_400(kinesis: Any) -> None:
    with pytest.raises(ClientError) as exc:
        kinesis.describe_stream(StreamName="no-such-stream")
    assert _error(exc) == ("ResourceNotFoundException", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Stream no-such-stream under account 000000000000 not found.")
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.put_record(StreamName="no-such-stream", Data=b"x", PartitionKey="k")


def test_existing_stream_is_resource_in_use(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.create_stream(StreamName=stream, ShardCount=1)


def test_oversized_record_is_validation_exception(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    with pytest.raises(ClientError) as exc:
        kinesis.put_record(StreamName=stream, Data=b"x" * (1024 * 1024 + 1), PartitionKey="k")
    assert _error(exc) == ("ValidationException", 400)
    assert "at 'data' failed to satisfy constraint" in exc.value.response["Error"]["Message"]


def test_bad_iterator_is_invalid_argument(kinesis: Any) -> None:
    with pytest.raises(ClientError) as exc:
        kinesis.get_records(ShardIterator="AAAAAAAAAAEAAAAA")
    assert _error(exc) == ("InvalidArgumentException", 400)


def test_retention_and_tags_through_boto3(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=168)
    with pytest.raises(ClientError) as exc:
        kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=100)
    assert _error(exc) == ("InvalidArgumentException", 400)
    kinesis.add_tags_to_stream(StreamName=stream, Tags={"team": "data"})
    assert kinesis.list_tags_for_stream(StreamName=stream)["Tags"] == [
        {"Key": "team", "Value": "data"}]
    kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["team"])
    assert kinesis.list_tags_for_stream(StreamName=stream)["Tags"] == []
    kinesis.delete_stream(StreamName=stream)
    assert stream not in kinesis.list_streams()["StreamNames"]


def test_at_timestamp_iterator_through_boto3(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    kinesis.put_record(StreamName=stream, Data=b"a", PartitionKey="k")
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                    ShardIteratorType="AT_TIMESTAMP", Timestamp=before)
    records = kinesis.get_records(ShardIterator=it["ShardIterator"])["Records"]
    assert [r["Data"] for r in records] == [b"a"]


def test_threaded_simulator_gives_blocking_access_to_the_service(
    threaded_sim: ThreadedSimulator, kinesis: Any, stream: str,
) -> None:
    threaded_sim.kinesis.create_stream(stream_name=stream, shard_count=1)
    put = kinesis.put_record(StreamName=stream, Data=b"from boto3", PartitionKey="k")
    it = threaded_sim.kinesis.get_shard_iterator(
        stream_name=stream, shard_id=put["ShardId"], shard_iterator_type="TRIM_HORIZON")
    got = threaded_sim.kinesis.get_records(shard_iterator=it["ShardIterator"])
    assert [r["Data"] for r in got["Records"]] == [b"from boto3"]


def test_resource_tags_and_limits_through_boto3(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
        "StreamARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"b": "2", "a": "1"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert kinesis.list_tags_for_stream(StreamName=stream)["Tags"] == [
        {"Key": "b", "Value": "2"}]
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] == 500
    assert limits["OpenShardCount"] >= 2
    assert limits["OnDemandStreamCountLimit"] == 50


def test_split_and_merge_through_boto3(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    kinesis.put_record(StreamName=stream, Data=b"before", PartitionKey="k",
                       ExplicitHashKey="0")
    kinesis.split_shard(StreamName=stream, ShardToSplit="shardId-000000000000",
                        NewStartingHashKey="1000")
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=it)
    assert [r["Data"] for r in page["Records"]] == [b"before"]
    assert "NextShardIterator" not in page
    assert [c["ShardId"] for c in page["ChildShards"]] == ["shardId-000000000002",
                                                          "shardId-000000000003"]
    kinesis.merge_shards(StreamName=stream, ShardToMerge="shardId-000000000002",
                         AdjacentShardToMerge="shardId-000000000003")
    open_shards = kinesis.list_shards(StreamName=stream,
                                      ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert [s["ShardId"] for s in open_shards] == ["shardId-000000000001",
                                                   "shardId-000000000004"]


def test_stream_encryption_through_boto3(kinesis: Any, stream: str) -> None:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS",
                                    KeyId="alias/aws/kinesis")
    put = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=put["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["EncryptionType"] == "KMS"
