"""Kinesis: one sequence of boto3 calls against moto's server and eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP status.
Where they do not, moto is wrong and the step says what AWS does (with the doc it follows);
eventsim's answer is then held to AWS's behaviour instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

MIB = 1024 * 1024

Step = tuple[str, Callable[[Any], Any]]


def _iterator(k: Any, stream: str = "s") -> str:
    got = k.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                               ShardIteratorType="TRIM_HORIZON")
    return str(got["ShardIterator"])


def _arn(k: Any, stream: str = "s") -> str:
    summary = k.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    return str(summary["StreamARN"])


STEPS: list[Step] = [
    ("create_stream", lambda k: k.create_stream(StreamName="s", ShardCount=2)),
    ("create_existing_stream", lambda k: k.create_stream(StreamName="s", ShardCount=2)),
    ("create_on_demand_stream", lambda k: k.create_stream(
        StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})),
    ("describe_stream", lambda k: k.describe_stream(StreamName="s")),
    ("describe_stream_with_limit", lambda k: k.describe_stream(StreamName="s", Limit=1)),
    ("describe_stream_summary", lambda k: k.describe_stream_summary(StreamName="s")),
    ("list_streams", lambda k: k.list_streams()),
    ("list_shards", lambda k: k.list_shards(StreamName="s")),
    ("put_record", lambda k: k.put_record(StreamName="s", Data=b"x", PartitionKey="k")),
    ("put_records", lambda k: k.put_records(StreamName="s", Records=[
        {"Data": b"x", "PartitionKey": f"k{i}"} for i in range(10)])),
    ("put_records_over_500", lambda k: k.put_records(
        StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)),
    ("put_record_over_1_mib", lambda k: k.put_record(
        StreamName="s", Data=b"x" * (MIB + 1), PartitionKey="k")),
    ("put_records_over_5_mib", lambda k: k.put_records(
        StreamName="s", Records=[{"Data": b"x" * (MIB - 10), "PartitionKey": "k"}] * 6)),
    ("put_record_hash_key_out_of_range", lambda k: k.put_record(
        StreamName="s", Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128))),
    ("put_record_unknown_stream", lambda k: k.put_record(
        StreamName="nope", Data=b"x", PartitionKey="k")),
    ("get_shard_iterator", lambda k: k.get_shard_iterator(
        StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")),
    ("get_shard_iterator_unknown_shard", lambda k: k.get_shard_iterator(
        StreamName="s", ShardId="shardId-000000000009", ShardIteratorType="TRIM_HORIZON")),
    ("get_shard_iterator_unknown_stream", lambda k: k.get_shard_iterator(
        StreamName="nope", ShardId="shardId-000000000000", ShardIteratorType="LATEST")),
    ("get_records", lambda k: k.get_records(ShardIterator=_iterator(k))),
    ("get_records_bad_iterator", lambda k: k.get_records(ShardIterator="AAAAAAAAAAEAAAAA")),
    ("increase_retention", lambda k: k.increase_stream_retention_period(
        StreamName="s", RetentionPeriodHours=48)),
    ("increase_retention_past_8760", lambda k: k.increase_stream_retention_period(
        StreamName="s", RetentionPeriodHours=10000)),
    ("decrease_retention_upwards", lambda k: k.decrease_stream_retention_period(
        StreamName="s", RetentionPeriodHours=100)),
    ("add_tags", lambda k: k.add_tags_to_stream(StreamName="s", Tags={"a": "1"})),
    ("list_tags", lambda k: k.list_tags_for_stream(StreamName="s")),
    ("remove_tags", lambda k: k.remove_tags_from_stream(StreamName="s", TagKeys=["a"])),
    ("tag_resource", lambda k: k.tag_resource(ResourceARN=_arn(k), Tags={"b": "2"})),
    ("list_tags_for_resource", lambda k: k.list_tags_for_resource(ResourceARN=_arn(k))),
    ("untag_resource", lambda k: k.untag_resource(ResourceARN=_arn(k), TagKeys=["b"])),
    ("describe_limits", lambda k: k.describe_limits()),
    ("start_stream_encryption", lambda k: k.start_stream_encryption(
        StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")),
    ("describe_encrypted_stream_summary", lambda k: k.describe_stream_summary(StreamName="s")),
    ("put_record_on_encrypted_stream", lambda k: k.put_record(
        StreamName="s", Data=b"x", PartitionKey="k")),
    ("stop_stream_encryption", lambda k: k.stop_stream_encryption(
        StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")),
    ("split_shard", lambda k: k.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                                            NewStartingHashKey="1000")),
    ("split_closed_shard", lambda k: k.split_shard(
        StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey="100")),
    ("list_shards_after_split", lambda k: k.list_shards(StreamName="s")),
    ("merge_shards", lambda k: k.merge_shards(StreamName="s", ShardToMerge="shardId-000000000002",
                                              AdjacentShardToMerge="shardId-000000000003")),
    ("delete_stream", lambda k: k.delete_stream(StreamName="s")),
    ("delete_deleted_stream", lambda k: k.delete_stream(StreamName="s")),
    ("describe_deleted_stream", lambda k: k.describe_stream(StreamName="s")),
]

_TAGS_BY_ARN = (
    "AWS tags a stream by its ARN with TagResource, UntagResource and ListTagsForResource "
    "(https://docs.aws.amazon.com/kinesis/latest/APIReference/API_TagResource.html); moto's "
    "server fails them with a 500"
)

# Where moto is wrong, what AWS does; eventsim's outcome must be this one.
MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "tag_resource": (_TAGS_BY_ARN, lambda got: got == ("ok", {})),
    "untag_resource": (_TAGS_BY_ARN, lambda got: got == ("ok", {})),
    "list_tags_for_resource": (
        _TAGS_BY_ARN, lambda got: got == ("ok", {"Tags": [{"Key": "str", "Value": "str"}]})),
    "describe_stream": (
        "AWS's StreamDescription carries StreamModeDetails (API_StreamDescription: "
        "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescription.html); "
        "moto leaves it out",
        lambda got: got[0] == "ok"
        and got[1]["StreamDescription"]["StreamModeDetails"] == {"StreamMode": "str"},
    ),
    "describe_encrypted_stream_summary": (
        "as describe_stream_summary (ConsumerCount); KeyId is there on both sides",
        lambda got: got[0] == "ok"
        and got[1]["StreamDescriptionSummary"]["KeyId"] == "str"
        and "ConsumerCount" in got[1]["StreamDescriptionSummary"],
    ),
    "put_record_on_encrypted_stream": (
        "AWS's PutRecord answers EncryptionType KMS for a record put on an encrypted stream "
        "(API_PutRecord, Response Elements: https://docs.aws.amazon.com/kinesis/latest/"
        "APIReference/API_PutRecord.html); moto leaves it out",
        lambda got: got == ("ok", {"EncryptionType": "str", "SequenceNumber": "str",
                                   "ShardId": "str"}),
    ),
    "describe_stream_with_limit": (
        "as describe_stream",
        lambda got: got[0] == "ok" and "StreamModeDetails" in got[1]["StreamDescription"],
    ),
    "describe_stream_summary": (
        "AWS reports ConsumerCount in StreamDescriptionSummary (API_StreamDescriptionSummary: "
        "https://docs.aws.amazon.com/kinesis/latest/APIReference/"
        "API_StreamDescriptionSummary.html, the CLI's describe-stream-summary example shows "
        "\"ConsumerCount\": 0); moto leaves it out",
        lambda got: got[0] == "ok"
        and got[1]["StreamDescriptionSummary"]["ConsumerCount"] == "int",
    ),
    "put_record_over_1_mib": (
        "AWS rejects data over 1 MiB with ValidationException (\"Value 'java.nio."
        "HeapByteBuffer[pos=0 lim=1048954 cap=1048954]' at 'data' failed to satisfy "
        "constraint: Member must have length less than or equal to 1048576\", as reported in "
        "awslabs/kinesis-aggregation#30; limits: https://docs.aws.amazon.com/streams/latest/"
        "dev/service-sizes-and-limits.html); moto stores the record",
        lambda got: got == ("error", ("ValidationException", 400)),
    ),
    "put_records_over_5_mib": (
        "AWS takes up to 10 MiB in a PutRecords request since large-record support (botocore's "
        "kinesis model, PutRecords: \"up to a limit of 10 MiB for the entire request\"; "
        "https://docs.aws.amazon.com/streams/latest/dev/large-records.html); moto still "
        "refuses more than 5 MB",
        lambda got: got[0] == "ok",
    ),
    "get_records_bad_iterator": (
        "AWS answers an iterator it did not issue with InvalidArgumentException (API_GetRecords "
        "errors: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html); "
        "moto fails with a 500",
        lambda got: got == ("error", ("InvalidArgumentException", 400)),
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    return run_steps(*clients("kinesis"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_like_moto_or_like_aws_where_moto_is_wrong(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)
