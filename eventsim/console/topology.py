"""The picture of what feeds what: sources, the wiring between them, functions, destinations.

``GET api/topology``   ``{nodes: [{id, kind, service, label}], edges: [{from, to, kind, label}]}``

Node ids are ARNs. Kinds: bucket, topic, queue, table_stream, stream, function. Edges:
notification (bucket -> function, topic or queue), subscription (topic -> queue, function or
endpoint), mapping (stream or queue -> function), on_success / on_failure / dead_letter
(function -> destination), redrive (queue -> its dead-letter queue), and a mapping's
on_failure destination.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.resources.dynamodb import table_names
from eventsim.console.resources.kinesis import stream_names
from eventsim.console.resources.sns import subscriptions_of, topic_arns

__all__ = ["routes"]

routes = web.RouteTableDef()

_NOTIFICATION_KINDS = (("LambdaFunctionConfigurations", "LambdaFunctionArn"),
                       ("TopicConfigurations", "TopicArn"), ("QueueConfigurations", "QueueArn"))


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, Any]] = []

    def node(self, arn: str, kind: str, label: str | None = None) -> None:
        if arn not in self.nodes:
            service = arn.split(":")[2] if arn.startswith("arn:") else "http"
            self.nodes[arn] = {"id": arn, "kind": kind, "service": service,
                               "label": label or arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]}

    def edge(self, source: str, target: str, kind: str, label: str | None = None) -> None:
        self.edges.append({"from": source, "to": target, "kind": kind, "label": label})

    def to_dict(self) -> dict[str, Any]:
        # Targets named by an edge but not listed (a destination in another account, an
        # HTTP endpoint) still get a node, so every edge ends somewhere.
        for edge in self.edges:
            for end in (edge["from"], edge["to"]):
                if end not in self.nodes:
                    self.node(end, _kind_of(end))
        return {"nodes": list(self.nodes.values()), "edges": self.edges}


def _kind_of(arn: str) -> str:
    if not arn.startswith("arn:"):
        return "endpoint"
    service = arn.split(":")[2]
    return {"s3": "bucket", "sns": "topic", "sqs": "queue", "lambda": "function",
            "kinesis": "stream", "dynamodb": "table_stream"}.get(service, service)


@routes.get("/api/topology")
async def topology(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    graph = _Graph()
    for bucket in (await sim.s3.list_buckets()).get("Buckets", []):
        name = bucket["Name"]
        arn = f"arn:aws:s3:::{name}"
        graph.node(arn, "bucket", name)
        notifications = await sim.s3.get_bucket_notification_configuration(bucket=name)
        for section, target_key in _NOTIFICATION_KINDS:
            for config in notifications.get(section, []):
                graph.edge(arn, config[target_key], "notification",
                           ", ".join(config.get("Events", [])))
    for topic in await topic_arns(sim):
        graph.node(topic, "topic")
        for sub in await subscriptions_of(sim, topic):
            graph.edge(topic, sub["Endpoint"], "subscription", sub["Protocol"])
    for name in sim.sqs.queue_names():
        attributes = (await sim.sqs.get_queue_attributes(
            queue_url=sim.sqs.url_of(name), attribute_names=["QueueArn", "RedrivePolicy"])
        ).get("Attributes", {})
        arn = attributes["QueueArn"]
        graph.node(arn, "queue", name)
        redrive = attributes.get("RedrivePolicy")
        if redrive:
            graph.edge(arn, json.loads(redrive)["deadLetterTargetArn"], "redrive")
    for table in await table_names(sim):
        described = (await sim.dynamodb.describe_table(table_name=table))["Table"]
        stream = described.get("LatestStreamArn")
        if stream:
            graph.node(stream, "table_stream", f"{table} stream")
    for name in await stream_names(sim):
        graph.node(sim.kinesis.stream_arn(name), "stream", name)
    for function in await sim.functions.list_functions():
        graph.node(function.arn, "function", function.name)
        for kind, target in (("on_success", function.on_success),
                             ("on_failure", function.on_failure),
                             ("dead_letter", function.dead_letter_target)):
            if target:
                graph.edge(function.arn, target, kind)
    for mapping in sim.mappings.all():
        graph.edge(mapping.event_source_arn, mapping.function_arn, "mapping",
                   f"{mapping.state}, batch {mapping.batch_size}")
        if mapping.on_failure:
            graph.edge(mapping.function_arn, mapping.on_failure, "on_failure",
                       f"mapping {mapping.uuid}")
    return json_response(graph.to_dict())
