"""`eventsim serve` killed and restarted on the same state keeps DynamoDB's tables, items and
stream records, readable through boto3."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client


def test_tables_items_and_stream_records_survive_a_killed_server(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "state")
    server.start()
    try:
        ddb = boto3_client("dynamodb", server.url)
        ddb.create_table(
            TableName="orders", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        for i in range(20):
            ddb.put_item(TableName="orders", Item={"id": {"S": f"o{i}"}, "n": {"N": str(i)}})
        ddb.delete_item(TableName="orders", Key={"id": {"S": "o0"}})
        server.kill()

        server.start()
        ddb = boto3_client("dynamodb", server.url)
        streams = boto3_client("dynamodbstreams", server.url)
        table = ddb.describe_table(TableName="orders")["Table"]
        assert table["ItemCount"] == 19
        assert ddb.get_item(TableName="orders", Key={"id": {"S": "o7"}})["Item"]["n"] == {
            "N": "7"}
        arn = table["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        assert [r["eventName"] for r in records] == ["INSERT"] * 20 + ["REMOVE"]
    finally:
        server.stop()
