"""Looking at what queues and streams hold without taking anything away.

Stream records are read through the services' own GetRecords from the trim horizon of every
shard (reading a stream consumes nothing). A queue cannot be read that way: ReceiveMessage
hides messages and counts receives (which a redrive policy acts on), so queue contents come
from `SqsService.peek_messages`, which looks without receiving.
"""

from __future__ import annotations

from typing import Any

from eventsim.simulator import Simulator

__all__ = ["kinesis_records", "queue_messages", "table_stream_records"]

_PAGES = 1000  # far more than a scenario writes; stops a runaway loop


async def queue_messages(sim: Simulator, queue: str) -> list[str]:
    """Bodies of every message in the queue (visible, delayed or in flight), oldest first."""
    name = queue.rsplit(":", 1)[-1]
    url = (await sim.sqs.get_queue_url(queue_name=name))["QueueUrl"]
    return [m["Body"] for m in (await sim.sqs.peek_messages(queue_url=url))["Messages"]]


async def kinesis_records(sim: Simulator, stream: str) -> list[bytes]:
    """The data of every record in the stream, shard by shard."""
    shards = (await sim.kinesis.list_shards(stream_name=stream))["Shards"]
    out: list[bytes] = []
    for shard in shards:
        iterator = (await sim.kinesis.get_shard_iterator(
            stream_name=stream, shard_id=shard["ShardId"],
            shard_iterator_type="TRIM_HORIZON"))["ShardIterator"]
        for _ in range(_PAGES):
            page = await sim.kinesis.get_records(shard_iterator=iterator)
            out.extend(bytes(r["Data"]) for r in page["Records"])
            iterator = page.get("NextShardIterator")
            if not iterator or (not page["Records"] and page.get("MillisBehindLatest", 0) == 0):
                break
    return out


async def table_stream_records(sim: Simulator, table: str) -> list[dict[str, Any]]:
    """Every record of the table's DynamoDB stream (as GetRecords returns them)."""
    described = await sim.dynamodb.describe_table(table_name=table)
    arn = described["Table"].get("LatestStreamArn")
    if not arn:
        return []
    stream = await sim.dynamodbstreams.describe_stream(stream_arn=arn)
    out: list[dict[str, Any]] = []
    for shard in stream["StreamDescription"]["Shards"]:
        iterator = (await sim.dynamodbstreams.get_shard_iterator(
            stream_arn=arn, shard_id=shard["ShardId"],
            shard_iterator_type="TRIM_HORIZON"))["ShardIterator"]
        for _ in range(_PAGES):
            page = await sim.dynamodbstreams.get_records(shard_iterator=iterator)
            out.extend(page["Records"])
            iterator = page.get("NextShardIterator")
            if not iterator or not page["Records"]:
                break
    return out
