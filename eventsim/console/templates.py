"""``GET api/inject/templates``: AWS-shaped starting parameters for the injectable writes.

Each template names an existing resource when there is one (the first bucket with
notifications, else the first bucket; the first topic, queue, table, stream or function), so a
fresh console can send it as it is. Answer:
``{"items": [{"service", "operation", "label", "params", "multipart"}], "next": null}``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import page
from eventsim.console.resources.dynamodb import table_names
from eventsim.console.resources.kinesis import stream_names
from eventsim.console.resources.sns import topic_arns
from eventsim.simulator import Simulator

__all__ = ["routes", "templates"]

routes = web.RouteTableDef()


def _b64(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


async def templates(sim: Simulator) -> list[dict[str, Any]]:
    """The templates, filled with the simulator's first resources of each kind."""
    buckets = sorted(b["Name"] for b in (await sim.s3.list_buckets()).get("Buckets", []))
    # A bucket that notifies something makes the upload template show a workflow at once.
    notifying = []
    for bucket in buckets:
        configuration = await sim.s3.get_bucket_notification_configuration(bucket=bucket)
        if any(configuration.get(kind) for kind in (
                "LambdaFunctionConfigurations", "TopicConfigurations", "QueueConfigurations")):
            notifying.append(bucket)
    buckets = notifying + [b for b in buckets if b not in notifying]
    topics = await topic_arns(sim)
    queues = sim.sqs.queue_names()
    tables = await table_names(sim)
    streams = await stream_names(sim)
    functions = sorted(f.name for f in await sim.functions.list_functions())
    region, account = sim.config.region, sim.config.account_id
    key_names: list[str] = ["id"]
    if tables:
        schema = (await sim.dynamodb.describe_table(table_name=tables[0]))["Table"]["KeySchema"]
        key_names = [k["AttributeName"] for k in schema]
    item: dict[str, Any] = {name: {"S": f"example-{name}"} for name in key_names}
    item["message"] = {"S": "hello from the eventsim console"}
    return [
        {"service": "s3", "operation": "put_object", "label": "S3 PutObject", "multipart": True,
         "params": {"Bucket": buckets[0] if buckets else "my-bucket", "Key": "uploads/hello.txt",
                    "Body": base64.b64encode(b"hello from the eventsim console\n").decode(),
                    "ContentType": "text/plain"}},
        {"service": "sns", "operation": "publish", "label": "SNS Publish", "multipart": False,
         "params": {"TopicArn": topics[0] if topics else f"arn:aws:sns:{region}:{account}:my-topic",
                    "Subject": "Hello", "Message": json.dumps({"hello": "world"}),
                    "MessageAttributes": {"kind": {"DataType": "String",
                                                   "StringValue": "greeting"}}}},
        {"service": "sqs", "operation": "send_message", "label": "SQS SendMessage",
         "multipart": False,
         "params": {"QueueUrl": sim.sqs.url_of(queues[0] if queues else "my-queue"),
                    "MessageBody": json.dumps({"hello": "world"}), "DelaySeconds": 0}},
        {"service": "dynamodb", "operation": "put_item", "label": "DynamoDB PutItem",
         "multipart": False,
         "params": {"TableName": tables[0] if tables else "my-table", "Item": item}},
        {"service": "kinesis", "operation": "put_records", "label": "Kinesis PutRecords",
         "multipart": False,
         "params": {"StreamName": streams[0] if streams else "my-stream",
                    "Records": [{"Data": _b64({"click": n}), "PartitionKey": f"user-{n}"}
                                for n in (1, 2)]}},
        {"service": "lambda", "operation": "invoke", "label": "Lambda Invoke", "multipart": False,
         "params": {"FunctionName": functions[0] if functions else "my-function",
                    "InvocationType": "RequestResponse", "Payload": {"hello": "world"}}},
    ]


@routes.get("/api/inject/templates")
async def inject_templates(request: web.Request) -> web.Response:
    return json_response(page(await templates(request.config_dict[SIMULATOR]), None))
