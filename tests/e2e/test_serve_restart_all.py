"""`eventsim serve` stopped with SIGKILL and started again on the same state: every resource of
every service is still there, as boto3 sees it.

One account's worth of state, made through boto3: a bucket with an object, a topic with a
filtered queue subscription, queues with a waiting message, a table with a stream and items,
and a Kinesis stream with records. The server is killed (no clean shutdown, so nothing can be
saved on the way out) and restarted; then boto3 reads it all back, and the engine still works
on it (a publish after the restart fans out through the subscription made before it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client

pytestmark = pytest.mark.slow


def _clients(server: ServeProcess) -> dict[str, Any]:
    names = ("s3", "sns", "sqs", "dynamodb", "dynamodbstreams", "kinesis")
    return {name: boto3_client(name, server.url) for name in names}


def _drain(sqs: Any, url: str) -> list[str]:
    bodies: list[str] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return bodies
        bodies.extend(m["Body"] for m in batch)


def test_every_resource_survives_a_killed_server(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "state")
    server.start()
    try:
        c = _clients(server)
        c["s3"].create_bucket(Bucket="docs")
        c["s3"].put_object(Bucket="docs", Key="a.txt", Body=b"alpha", Metadata={"k": "v"})

        topic = c["sns"].create_topic(Name="events", Attributes={"DisplayName": "Events"})[
            "TopicArn"]
        queue = c["sqs"].create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = c["sqs"].get_queue_attributes(
            QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        subscription = c["sns"].subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True,
            Attributes={"RawMessageDelivery": "true",
                        "FilterPolicy": json.dumps({"kind": ["keep"]})},
        )["SubscriptionArn"]
        waiting = c["sqs"].create_queue(QueueName="waiting")["QueueUrl"]
        c["sqs"].send_message(QueueUrl=waiting, MessageBody="still here")

        c["dynamodb"].create_table(
            TableName="pets",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        c["dynamodb"].put_item(TableName="pets", Item={"id": {"S": "cat"}, "legs": {"N": "4"}})
        c["dynamodb"].update_item(
            TableName="pets", Key={"id": {"S": "cat"}}, UpdateExpression="SET legs = :n",
            ExpressionAttributeValues={":n": {"N": "3"}},
        )

        c["kinesis"].create_stream(StreamName="clicks", ShardCount=2)
        put = c["kinesis"].put_records(StreamName="clicks", Records=[
            {"Data": f"click-{i}".encode(), "PartitionKey": f"user-{i}"} for i in range(20)
        ])
        assert put["FailedRecordCount"] == 0
        settled = server.post("/_eventsim/api/settle?timeout=30")
        assert settled["settled"], settled
        server.kill()

        server.start()
        c = _clients(server)
        got = c["s3"].get_object(Bucket="docs", Key="a.txt")
        assert (got["Body"].read(), got["Metadata"]) == (b"alpha", {"k": "v"})

        assert [t["TopicArn"] for t in c["sns"].list_topics()["Topics"]] == [topic]
        assert c["sns"].get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == (
            "Events")
        attributes = c["sns"].get_subscription_attributes(SubscriptionArn=subscription)[
            "Attributes"]
        assert attributes["RawMessageDelivery"] == "true"
        assert json.loads(attributes["FilterPolicy"]) == {"kind": ["keep"]}

        assert _drain(c["sqs"], waiting) == ["still here"]
        for kind in ("drop", "keep"):
            c["sns"].publish(TopicArn=topic, Message=f"after restart: {kind}", MessageAttributes={
                "kind": {"DataType": "String", "StringValue": kind}})
        settled = server.post("/_eventsim/api/settle?timeout=30")
        assert settled["settled"], settled
        assert _drain(c["sqs"], queue) == ["after restart: keep"]

        item = c["dynamodb"].get_item(TableName="pets", Key={"id": {"S": "cat"}})["Item"]
        assert item == {"id": {"S": "cat"}, "legs": {"N": "3"}}
        stream_arn = c["dynamodb"].describe_table(TableName="pets")["Table"]["LatestStreamArn"]
        shard = c["dynamodbstreams"].describe_stream(StreamArn=stream_arn)[
            "StreamDescription"]["Shards"][0]["ShardId"]
        iterator = c["dynamodbstreams"].get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        records = c["dynamodbstreams"].get_records(ShardIterator=iterator)["Records"]
        assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
        assert records[1]["dynamodb"]["OldImage"]["legs"] == {"N": "4"}

        shards = c["kinesis"].list_shards(StreamName="clicks")["Shards"]
        read: list[bytes] = []
        for s in shards:
            iterator = c["kinesis"].get_shard_iterator(
                StreamName="clicks", ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
            read.extend(r["Data"] for r in c["kinesis"].get_records(
                ShardIterator=iterator)["Records"])
        assert sorted(read) == sorted(f"click-{i}".encode() for i in range(20))
    finally:
        server.stop()
