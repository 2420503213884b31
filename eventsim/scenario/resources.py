"""Creating a scenario's resources: buckets, queues, topics and subscriptions, tables, streams,
functions, and the wiring of their ``Events`` (S3 notifications, SNS subscriptions, event
source mappings), all through the services' own methods.

`apply_resources` is safe to repeat on a simulator that already has them (``serve --load``
after a restart): what exists is kept, functions are replaced, notification configurations
are rewritten.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from eventsim.errors import AwsError, ConfigError
from eventsim.scenario.model import (
    DynamoDBEventProperties,
    DynamoDBEventSpec,
    FunctionSpec,
    KinesisEventSpec,
    OnFailureSpec,
    S3EventSpec,
    Scenario,
    SNSEventSpec,
    SQSEventProperties,
    SQSEventSpec,
    resolve_path,
)
from eventsim.services.s3.errors import BucketAlreadyOwnedByYou
from eventsim.simulator import Simulator

__all__ = ["Names", "apply_resources"]

Loc = tuple[str | int, ...]


class Names:
    """Resource names of a scenario as the services' ARNs and URLs."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self._prefix = f"{sim.config.region}:{sim.config.account_id}"

    def queue_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:sqs:{self._prefix}:{name}"

    def topic_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:sns:{self._prefix}:{name}"

    def function_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:lambda:{self._prefix}:function:{name}"

    def stream_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else self._sim.kinesis.stream_arn(name)

    async def queue_url(self, name: str) -> str:
        name = name.rsplit(":", 1)[-1] if name.startswith("arn:") else name
        url: str = (await self._sim.sqs.get_queue_url(queue_name=name))["QueueUrl"]
        return url

    async def table_stream_arn(self, table: str) -> str:
        if table.startswith("arn:"):
            return table
        described = await self._sim.dynamodb.describe_table(table_name=table)
        arn = described["Table"].get("LatestStreamArn")
        if not arn:
            raise ConfigError(f"table {table} has no stream")
        return str(arn)

    def destination(self, spec: OnFailureSpec) -> str:
        if spec.type == "SNS":
            return self.topic_arn(spec.destination)
        if spec.type == "Lambda":
            return self.function_arn(spec.destination)
        return self.queue_arn(spec.destination)


async def apply_resources(sim: Simulator, scenario: Scenario, base_dir: Path | None = None) -> None:
    """Create the scenario's resources and functions and wire their events.

    Relative paths resolve against `base_dir` (default: the scenario file's directory), then
    the cwd. AWS errors become `ConfigError`s that name the line.
    """
    names = Names(sim)
    base = base_dir or scenario.base_dir
    res = scenario.resources
    for index, bucket in enumerate(res.buckets):
        try:
            await sim.s3.create_bucket(bucket=bucket.name)
        except BucketAlreadyOwnedByYou:
            pass  # outside us-east-1 a repeated CreateBucket says so; the bucket is there
        except AwsError as exc:
            raise _config_error(scenario, ("resources", "buckets", index), exc) from None
        if bucket.versioning is not None:
            await _aws(scenario, ("resources", "buckets", index, "versioning"),
                       sim.s3.put_bucket_versioning(
                           bucket=bucket.name,
                           versioning_configuration={"Status": bucket.versioning}))
    for index, stream in enumerate(res.streams):
        if sim.kinesis.stream_at(sim.kinesis.stream_arn(stream.name)) is None:
            await _aws(scenario, ("resources", "streams", index), sim.kinesis.create_stream(
                stream_name=stream.name, shard_count=stream.shards))
    for index, queue in enumerate(res.queues):
        attributes = dict(queue.attributes)
        if queue.name.endswith(".fifo"):
            attributes.setdefault("FifoQueue", "true")
        await _aws(scenario, ("resources", "queues", index), sim.sqs.create_queue(
            queue_name=queue.name, attributes=attributes))  # idempotent with the same attributes
    for index, queue in enumerate(res.queues):  # after every queue: a DLQ must exist first
        if queue.redrive_policy is not None:
            policy = {"deadLetterTargetArn": names.queue_arn(
                queue.redrive_policy.dead_letter_target_arn),
                "maxReceiveCount": queue.redrive_policy.max_receive_count}
            await _aws(scenario, ("resources", "queues", index, "RedrivePolicy"),
                       sim.sqs.set_queue_attributes(
                           queue_url=await names.queue_url(queue.name),
                           attributes={"RedrivePolicy": json.dumps(policy)}))
    for index, topic in enumerate(res.topics):
        attributes = dict(topic.attributes)
        if topic.name.endswith(".fifo"):
            attributes.setdefault("FifoTopic", "true")
        await _aws(scenario, ("resources", "topics", index), sim.sns.create_topic(
            name=topic.name, attributes=attributes))
    for index, table in enumerate(res.tables):
        if table.name in (await sim.dynamodb.list_tables())["TableNames"]:
            continue
        spec = None
        if table.stream_specification is not None:
            spec = {"StreamEnabled": True,
                    "StreamViewType": table.stream_specification.stream_view_type}
        await _aws(scenario, ("resources", "tables", index), sim.dynamodb.create_table(
            table_name=table.name,
            key_schema=[k.model_dump(by_alias=True) for k in table.key_schema],
            attribute_definitions=[a.model_dump(by_alias=True)
                                   for a in table.attribute_definitions],
            billing_mode=table.billing_mode,
            provisioned_throughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            if table.billing_mode == "PROVISIONED" else None,
            global_secondary_indexes=table.indexes("global"),
            local_secondary_indexes=table.indexes("local"),
            stream_specification=spec))
        ttl = table.time_to_live_specification
        if ttl is not None and ttl.enabled:
            await _aws(scenario, ("resources", "tables", index, "TimeToLiveSpecification"),
                       sim.dynamodb.update_time_to_live(
                           table_name=table.name, time_to_live_specification={
                               "Enabled": True, "AttributeName": ttl.attribute_name}))
    layers = await _layers(sim, scenario, base)
    notifications: dict[str, list[dict[str, Any]]] = defaultdict(list)
    origin: dict[str, Loc] = {}
    for name, spec_ in scenario.functions.items():
        arn = await _function(sim, scenario, names, name, spec_, base, layers)
        for event_name, event in spec_.events.items():
            at: Loc = ("functions", name, "Events", event_name)
            if isinstance(event, KinesisEventSpec | SQSEventSpec | DynamoDBEventSpec):
                await _mapping(sim, scenario, names, arn, event, at)
            elif isinstance(event, SNSEventSpec):
                props = event.properties
                await _allow(sim, scenario, at, arn, "sns.amazonaws.com",
                             names.topic_arn(props.topic))
                await _subscribe(sim, scenario, at, names.topic_arn(props.topic), "lambda", arn,
                                 props.subscription_attributes())
            elif isinstance(event, S3EventSpec):
                s3 = event.properties
                configuration: dict[str, Any] = {
                    "Id": event_name, "LambdaFunctionArn": arn, "Events": list(s3.events),
                }
                key_filter = s3.notification_filter()
                if key_filter is not None:
                    configuration["Filter"] = key_filter
                notifications[s3.bucket].append(configuration)
                origin.setdefault(s3.bucket, at)
                await _allow(sim, scenario, at, arn, "s3.amazonaws.com",
                             f"arn:aws:s3:::{s3.bucket}")
    for index, topic in enumerate(res.topics):  # after the functions a subscription may name
        for sub_index, sub in enumerate(topic.subscriptions):
            endpoint = sub.endpoint
            if sub.protocol == "sqs":
                endpoint = names.queue_arn(endpoint)
            elif sub.protocol == "lambda":
                endpoint = names.function_arn(endpoint)
                await _allow(sim, scenario, ("resources", "topics", index, "subscriptions",
                                             sub_index), endpoint, "sns.amazonaws.com",
                             names.topic_arn(topic.name))
            await _subscribe(sim, scenario, ("resources", "topics", index, "subscriptions",
                                             sub_index), names.topic_arn(topic.name),
                             sub.protocol, endpoint, sub.subscription_attributes())
    for bucket_name, configurations in notifications.items():
        ids = [c["Id"] for c in configurations]
        for c in configurations:
            if ids.count(c["Id"]) > 1:  # S3 needs unique Ids; SAM names them itself
                c["Id"] = f"{c['LambdaFunctionArn'].rsplit(':', 1)[-1]}-{c['Id']}"
        await _aws(
            scenario, origin[bucket_name],
            sim.s3.put_bucket_notification_configuration(
                bucket=bucket_name,
                notification_configuration={"LambdaFunctionConfigurations": configurations},
            ),
        )


async def _layers(sim: Simulator, scenario: Scenario, base: Path) -> dict[str, str]:
    """Publish the scenario's layers; each one's version ARN, by name. A layer whose newest
    version is already this directory (a server started again on its state) is not
    published again."""
    published: dict[str, str] = {}
    for index, layer in enumerate(scenario.resources.layers):
        directory = await asyncio.to_thread(resolve_path, layer.content_uri, base)
        newest = next(iter(sim.functions.layer_versions(layer.name)), None)
        if newest is not None and newest.content_dir == str(directory.resolve()) \
                and newest.compatible_runtimes == layer.compatible_runtimes:
            published[layer.name] = newest.arn
            continue
        version = await _aws(scenario, ("resources", "layers", index),
                             sim.functions.publish_layer_version(
                                 name=layer.name, content_dir=directory,
                                 description=layer.description,
                                 compatible_runtimes=layer.compatible_runtimes))
        published[layer.name] = version.arn
    return published


def _layer_arn(entry: str, layers: dict[str, str]) -> str:
    """A function's ``Layers`` entry as a version ARN: a scenario layer by name, or by an ARN
    of its name (a SAM template's ``!Ref``, whatever version it says), else as given."""
    if entry in layers:
        return layers[entry]
    parts = entry.split(":")
    if len(parts) >= 7 and parts[5] == "layer" and parts[6] in layers:
        return layers[parts[6]]
    return entry


async def _function(sim: Simulator, scenario: Scenario, names: Names, name: str,
                    spec: FunctionSpec, base: Path, layers: dict[str, str]) -> str:
    code_dir = await asyncio.to_thread(resolve_path, spec.code_uri, base)  # stats files
    invoke = spec.event_invoke_config
    destinations = invoke.destination_config
    on_success = on_failure = None
    if destinations is not None:
        if destinations.on_success is not None:
            on_success = names.destination(destinations.on_success)
        if destinations.on_failure is not None:
            on_failure = names.destination(destinations.on_failure)
    dlq = None
    if spec.dead_letter_queue is not None:
        target = spec.dead_letter_queue.target_arn
        dlq = names.topic_arn(target) if spec.dead_letter_queue.type == "SNS" else \
            names.queue_arn(target)
    fn = await _aws(scenario, ("functions", name), sim.functions.create_function(
        name=name, handler=spec.handler, code_dir=code_dir,
        runtime=spec.runtime, timeout=spec.timeout, memory_size=spec.memory_size,
        environment=dict(spec.environment.variables),
        reserved_concurrency=spec.reserved_concurrent_executions,
        maximum_retry_attempts=invoke.maximum_retry_attempts,
        maximum_event_age=invoke.maximum_event_age_in_seconds,
        on_success=on_success, on_failure=on_failure, dead_letter_target=dlq,
        recursive_loop=spec.recursive_loop,
        layers=[_layer_arn(entry, layers) for entry in spec.layers], replace=True,
    ))
    return str(fn.arn)


async def _allow(sim: Simulator, scenario: Scenario, at: Loc, function_arn: str,
                 principal: str, source_arn: str) -> None:
    """The permission a scenario's event implies, as SAM writes an AWS::Lambda::Permission for
    each S3 and SNS event: the scenario works whatever `SimulatorConfig.permissions` says."""
    if not sim.functions.exists(function_arn):
        return  # the subscription or notification reports the missing function itself
    sid = f"eventsim-{principal.split('.')[0]}-{source_arn.rsplit(':', 1)[-1]}"[:100]
    if any(s.get("Sid") == sid for s in sim.functions.resolve(function_arn).policy):
        return
    await _aws(scenario, at, sim.lambda_api.add_permission(
        function_name=function_arn, statement_id=sid, action="lambda:InvokeFunction",
        principal=principal, source_arn=source_arn,
        source_account=sim.config.account_id if principal.startswith("s3.") else None))


async def _subscribe(sim: Simulator, scenario: Scenario, at: Loc, topic_arn: str,
                     protocol: str, endpoint: str, attributes: dict[str, str]) -> None:
    existing = await _aws(scenario, at, sim.sns.list_subscriptions_by_topic(topic_arn=topic_arn))
    for sub in existing["Subscriptions"]:
        if sub["Protocol"] == protocol and sub["Endpoint"] == endpoint:
            return
    await _aws(scenario, at, sim.sns.subscribe(topic_arn=topic_arn, protocol=protocol,
                                               endpoint=endpoint, attributes=attributes))


async def _mapping(sim: Simulator, scenario: Scenario, names: Names, function_arn: str,
                   event: KinesisEventSpec | SQSEventSpec | DynamoDBEventSpec, at: Loc) -> None:
    """The event source mapping of a Kinesis, DynamoDB or SQS event, unless it exists."""
    props = event.properties
    if isinstance(props, SQSEventProperties):
        arn = names.queue_arn(props.queue)
        arguments = props.mapping_arguments()
    else:
        arn = await _aws(scenario, at, names.table_stream_arn(props.stream)) \
            if isinstance(props, DynamoDBEventProperties) else names.stream_arn(props.stream)
        arguments = props.mapping_arguments()
        config = props.destination_config
        if config is not None and config.on_failure is not None:
            arguments["destination_config"] = {
                "OnFailure": {"Destination": names.destination(config.on_failure)}}
    existing = await sim.mappings.list_event_source_mappings(event_source_arn=arn,
                                                             function_name=function_arn)
    if existing["EventSourceMappings"]:
        return
    await _aws(scenario, at, sim.mappings.create_event_source_mapping(
        function_name=function_arn, event_source_arn=arn, **arguments))


async def _aws(scenario: Scenario, at: Loc, call: Any) -> Any:
    try:
        return await call
    except (AwsError, ConfigError) as exc:
        raise _config_error(scenario, at, exc) from None


def _config_error(scenario: Scenario, at: Loc, exc: Exception) -> ConfigError:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at).lstrip(".")
    return ConfigError(f"{scenario.where(*at)}: {path}: {exc}")
