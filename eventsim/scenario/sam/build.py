"""From an indexed template to the scenario's ``resources`` and ``functions``.

The output is plain data in the scenario file's own vocabulary (function and event properties
keep SAM's names), validated afterwards by the scenario models. `Built.origins` maps each part
of that data to the template path it came from, so a validation error or an AWS error while
the resources are created names the template's line.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from eventsim.scenario.model import handler_module_path
from eventsim.scenario.sam.intrinsics import NO_VALUE, IntrinsicError
from eventsim.scenario.sam.reader import Loc
from eventsim.scenario.sam.template import Resource, Template
from eventsim.scenario.sam.types import ALIASES

__all__ = ["Built", "build"]

# A DynamoDB table's GlobalSecondaryIndexes and LocalSecondaryIndexes entries:
# (supported, inert, unsupported).
_INDEX_PROPERTIES = (
    frozenset({"IndexName", "KeySchema", "Projection"}),
    frozenset({"ProvisionedThroughput", "OnDemandThroughput", "WarmThroughput"}),
    frozenset({"ContributorInsightsSpecification"}),
)

_EVENT_PROPERTIES: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    # SAM's event source properties: (supported, inert, unsupported)
    "S3": (frozenset({"Bucket", "Events", "Filter"}), frozenset(), frozenset()),
    "SNS": (frozenset({"Topic", "FilterPolicy", "FilterPolicyScope"}), frozenset({"Region"}),
            frozenset({"SqsSubscription", "RedrivePolicy"})),
    "SQS": (frozenset({"Queue", "BatchSize", "Enabled", "FilterCriteria", "FunctionResponseTypes",
                       "MaximumBatchingWindowInSeconds", "ScalingConfig"}),
            frozenset({"KmsKeyArn", "MetricsConfig", "ProvisionedPollerConfig"}), frozenset()),
    "Kinesis": (frozenset({"Stream", "StartingPosition", "StartingPositionTimestamp", "BatchSize",
                           "BisectBatchOnFunctionError", "DestinationConfig", "Enabled",
                           "FilterCriteria", "FunctionResponseTypes",
                           "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
                           "MaximumRetryAttempts", "ParallelizationFactor",
                           "TumblingWindowInSeconds"}),
                frozenset({"KmsKeyArn", "MetricsConfig", "ProvisionedPollerConfig"}), frozenset()),
}
_EVENT_PROPERTIES["DynamoDB"] = _EVENT_PROPERTIES["Kinesis"]
_SKIPPED_EVENTS = {"Api", "HttpApi", "Schedule", "ScheduleV2", "CloudWatchEvent",
                   "EventBridgeRule", "CloudWatchLogs", "IoTRule", "AlexaSkill", "Cognito", "MSK",
                   "MQ", "SelfManagedKafka", "DocumentDB"}
_STREAM_OF_TABLE = re.compile(r"^arn:aws:dynamodb:[^:]*:\d*:table/([^/]+)/stream/")
_SHARDS_ON_DEMAND = 4  # what an on-demand stream starts with


@dataclass
class Built:
    """A template as scenario data."""

    data: dict[str, Any]
    """``{"resources": {...}, "functions": {...}}`` in the scenario file's vocabulary."""
    origins: dict[Loc, Loc] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per kind (``bucket``, ``queue``...), logical id → physical name."""


def build(template: Template) -> Built:
    """The template's resources and functions as scenario data. Raises `ConfigError`."""
    return _Builder(template).run()


class _Builder:
    def __init__(self, template: Template) -> None:
        self.t = template
        self.resources: dict[str, list[Any]] = {"buckets": [], "streams": [], "queues": [],
                                                "topics": [], "tables": [], "layers": []}
        self.layer_names: set[str] = set()
        """The layers of this template, by name."""
        self.functions: dict[str, dict[str, Any]] = {}
        self.built = Built(data={"resources": self.resources, "functions": self.functions},
                           names={kind: {} for kind in ALIASES})
        self.arns: dict[str, dict[str, str]] = {kind: {} for kind in ALIASES}
        """Per kind, ARN → logical id (of the included resources)."""
        self.topic_index: dict[str, int] = {}
        self.streamed_tables: set[str] = set()
        self.function_of: dict[str, str] = {}
        """Logical id → function name."""

    def run(self) -> Built:
        t = self.t
        included = [r for r in t.resources.values() if r.type is not None and t.included(r)]
        for resource in included:  # names and ARNs first: anything may refer to anything
            kind = resource.type.kind if resource.type else ""
            if kind in ALIASES:
                name = self.name(resource)
                self.built.names[kind][resource.logical_id] = name
                arn = resource.type.attributes.get("Arn") or resource.type.attributes.get(
                    "TopicArn") if resource.type else None
                if arn is not None:
                    self.arns[kind][arn(name, t.arns)] = resource.logical_id
        order = ("bucket", "stream", "queue", "topic", "table", "layer", "function",
                 "subscription", "mapping")
        for kind in order:
            for resource in included:
                if resource.type is not None and resource.type.kind == kind:
                    getattr(self, f"_{kind}")(resource)
        for resource in included:
            if resource.type is not None and resource.type.kind == "bucket":
                self._bucket_notifications(resource)
        return self.built

    # -- helpers --------------------------------------------------------------------------

    def name(self, resource: Resource) -> str:
        try:
            return self.t.physical_name(resource.logical_id)
        except IntrinsicError as exc:
            raise self.t.error(exc.path, exc.message) from None

    def props(self, resource: Resource) -> dict[str, Any]:
        """The supported properties, resolved; warns about the rest."""
        kind = resource.type
        assert kind is not None
        at: Loc = ("Resources", resource.logical_id, "Properties")
        return self.checked(resource.properties, at, kind.name, kind.supported, kind.inert,
                            kind.unsupported)

    def checked(self, properties: Any, at: Loc, what: str, supported: frozenset[str],
                inert: frozenset[str], unsupported: frozenset[str]) -> dict[str, Any]:
        if not isinstance(properties, dict):
            raise self.t.error(at, "is a mapping of properties")
        out: dict[str, Any] = {}
        for key, value in properties.items():
            if key in supported:
                resolved = self.t.resolve(value, (*at, key))
                if resolved is not NO_VALUE:
                    out[key] = resolved
            elif key in inert:
                continue
            elif key in unsupported:
                self.t.warn((*at, key), f"eventsim does not simulate {key} of {what}; ignored")
            else:
                known = sorted(supported | inert | unsupported)
                guess = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
                if guess:
                    raise self.t.error((*at, key), f"not a property of {what}; did you mean "
                                       f"{guess[0]}?")
                self.t.warn((*at, key), f"not a property of {what} that eventsim knows; ignored")
        return out

    def origin(self, scenario_path: Loc, template_path: Loc) -> None:
        self.built.origins[scenario_path] = template_path

    def arn_of(self, kind: str, value: Any, at: Loc, hint: str) -> str:
        """An ARN naming a `kind` resource of this template, else an error."""
        if isinstance(value, str) and value in self.arns[kind]:
            return value
        known = ", ".join(sorted(self.arns[kind].values())) or "none"
        raise self.t.error(at, f"{value!r} is not the ARN of a {kind} of this template "
                           f"(write {hint}; {kind}s: {known})")

    # -- resources ------------------------------------------------------------------------

    def _bucket(self, r: Resource) -> None:
        props = self.props(r)
        index = len(self.resources["buckets"])
        name = self.built.names["bucket"][r.logical_id]
        at: Loc = ("Resources", r.logical_id, "Properties")
        versioning = props.get("VersioningConfiguration")
        if versioning is None:
            self.resources["buckets"].append(name)
        else:
            here: Loc = (*at, "VersioningConfiguration")
            if not isinstance(versioning, dict) or "Status" not in versioning:
                raise self.t.error(here, "is {Status: Enabled | Suspended}")
            self.resources["buckets"].append({"name": name, "versioning": versioning["Status"]})
            self.origin(("resources", "buckets", index, "versioning"), (*here, "Status"))
        self.origin(("resources", "buckets", index),
                    (*at, "BucketName") if "BucketName" in props else ("Resources", r.logical_id))

    def _bucket_notifications(self, r: Resource) -> None:
        """``NotificationConfiguration.LambdaConfigurations`` of a plain CloudFormation
        bucket: the same as an S3 event of the function it names."""
        at: Loc = ("Resources", r.logical_id, "Properties", "NotificationConfiguration")
        raw = r.properties.get("NotificationConfiguration")
        if raw is None:
            return
        config = self.checked(raw, at, "NotificationConfiguration",
                              frozenset({"LambdaConfigurations"}), frozenset(),
                              frozenset({"QueueConfigurations", "TopicConfigurations",
                                         "EventBridgeConfiguration"}))
        for index, entry in enumerate(config.get("LambdaConfigurations") or []):
            here: Loc = (*at, "LambdaConfigurations", index)
            if not isinstance(entry, dict):
                raise self.t.error(here, "is a mapping {Event, Function, Filter}")
            function = self.arn_of("function", entry.get("Function"), (*here, "Function"),
                                   "!GetAtt MyFunction.Arn")
            name = self.built.names["function"][self.arns["function"][function]]
            event_name = f"{r.logical_id}Notification{index}"
            properties: dict[str, Any] = {"Bucket": self.built.names["bucket"][r.logical_id],
                                          "Events": entry.get("Event")}
            if "Filter" in entry:
                properties["Filter"] = entry["Filter"]
            self.functions[name].setdefault("Events", {})[event_name] = {
                "Type": "S3", "Properties": properties}
            self.origin(("functions", name, "Events", event_name), here)
            self.origin(("functions", name, "Events", event_name, "Properties", "Events"),
                        (*here, "Event"))
            self.origin(("functions", name, "Events", event_name, "Properties"), here)

    def _stream(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        mode = props.get("StreamModeDetails") or {}
        on_demand = isinstance(mode, dict) and mode.get("StreamMode") == "ON_DEMAND"
        shards = props.get("ShardCount", _SHARDS_ON_DEMAND if on_demand else 1)
        index = len(self.resources["streams"])
        self.resources["streams"].append({"name": self.built.names["stream"][r.logical_id],
                                          "shards": shards})
        self.origin(("resources", "streams", index), at)
        self.origin(("resources", "streams", index, "name"), (*at, "Name"))
        self.origin(("resources", "streams", index, "shards"), (*at, "ShardCount"))

    def _queue(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        index = len(self.resources["queues"])
        attributes = {}
        for key, value in props.items():
            if key in ("QueueName", "RedrivePolicy"):
                continue
            attributes[key] = json.dumps(value) if isinstance(value, dict | list) else value
        queue: dict[str, Any] = {"name": self.built.names["queue"][r.logical_id],
                                 "attributes": attributes}
        redrive = props.get("RedrivePolicy")
        if redrive is not None:
            queue["RedrivePolicy"] = self.json_object(redrive, (*at, "RedrivePolicy"))
            target = queue["RedrivePolicy"].get("deadLetterTargetArn")
            self.arn_of("queue", target, (*at, "RedrivePolicy", "deadLetterTargetArn"),
                        "!GetAtt DeadLetterQueue.Arn")
        self.resources["queues"].append(queue)
        self.origin(("resources", "queues", index), at)
        self.origin(("resources", "queues", index, "name"), (*at, "QueueName"))
        self.origin(("resources", "queues", index, "attributes"), at)

    def _topic(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        index = len(self.resources["topics"])
        attributes = {k: json.dumps(v) if isinstance(v, dict | list) else v
                      for k, v in props.items() if k not in ("TopicName", "Subscription")}
        subscriptions = []
        for number, sub in enumerate(props.get("Subscription") or []):
            if not isinstance(sub, dict):
                raise self.t.error((*at, "Subscription", number), "is {Protocol, Endpoint}")
            subscriptions.append(dict(sub))
            self.origin(("resources", "topics", index, "subscriptions", number),
                        (*at, "Subscription", number))
        self.topic_index[r.logical_id] = index
        self.resources["topics"].append({"name": self.built.names["topic"][r.logical_id],
                                         "attributes": attributes,
                                         "subscriptions": subscriptions})
        self.origin(("resources", "topics", index), at)
        self.origin(("resources", "topics", index, "name"), (*at, "TopicName"))
        self.origin(("resources", "topics", index, "attributes"), at)

    def _subscription(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        arn = self.arn_of("topic", props.get("TopicArn"), (*at, "TopicArn"), "!Ref MyTopic")
        index = self.topic_index[self.arns["topic"][arn]]
        subscriptions = self.resources["topics"][index]["subscriptions"]
        sub = {k: v for k, v in props.items() if k != "TopicArn"}
        if isinstance(sub.get("FilterPolicy"), str):
            sub["FilterPolicy"] = self.json_object(sub["FilterPolicy"], (*at, "FilterPolicy"))
        self.origin(("resources", "topics", index, "subscriptions", len(subscriptions)), at)
        subscriptions.append(sub)

    def _table(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        name = self.built.names["table"][r.logical_id]
        table: dict[str, Any]
        if r.type_name == "AWS::Serverless::SimpleTable":
            key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
            if not isinstance(key, dict):
                raise self.t.error((*at, "PrimaryKey"), "is {Name, Type}")
            key_type = {"String": "S", "Number": "N", "Binary": "B"}.get(key.get("Type", ""))
            if key_type is None:
                raise self.t.error((*at, "PrimaryKey", "Type"), "is String, Number or Binary")
            attribute = key.get("Name", "id")
            table = {"TableName": name,
                     "KeySchema": [{"AttributeName": attribute, "KeyType": "HASH"}],
                     "AttributeDefinitions": [{"AttributeName": attribute,
                                               "AttributeType": key_type}],
                     "BillingMode": "PROVISIONED" if "ProvisionedThroughput" in props
                     else "PAY_PER_REQUEST"}
        else:
            table = {k: v for k, v in props.items()}
            table["TableName"] = name
            spec = props.get("StreamSpecification")
            if isinstance(spec, dict):
                table["StreamSpecification"] = {k: v for k, v in spec.items()
                                                if k != "ResourcePolicy"}
                self.streamed_tables.add(name)
            if "BillingMode" not in table and "ProvisionedThroughput" in r.properties:
                table["BillingMode"] = "PROVISIONED"  # CloudFormation's default
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                if kind in table:
                    table[kind] = self._indexes(table[kind], (*at, kind))
        index = len(self.resources["tables"])
        self.resources["tables"].append(table)
        self.origin(("resources", "tables", index), at)

    def _indexes(self, indexes: Any, at: Loc) -> list[dict[str, Any]]:
        """A table's secondary indexes, without the capacity settings eventsim has no use
        for (and warning of those it does not simulate)."""
        if not isinstance(indexes, list):
            raise self.t.error(at, "is a list of indexes")
        return [self.checked(index, (*at, i), "a secondary index", _INDEX_PROPERTIES[0],
                             _INDEX_PROPERTIES[1], _INDEX_PROPERTIES[2])
                for i, index in enumerate(indexes)]

    def _layer(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        name = self.name(r)
        content = props.get("ContentUri")
        if not isinstance(content, str) or content.startswith("s3://"):
            raise self.t.error((*at, "ContentUri"), "eventsim takes a layer's content from a "
                               "local directory")
        directory = (self.t.base_dir / content).resolve()
        if not directory.is_dir():
            raise self.t.error((*at, "ContentUri"), f"no directory {content} next to the "
                               f"template ({directory})")
        layer: dict[str, Any] = {"name": name, "ContentUri": str(directory)}
        for key in ("CompatibleRuntimes", "Description"):
            if key in props:
                layer[key] = props[key]
        self.layer_names.add(name)
        self.origin(("resources", "layers", len(self.resources["layers"])), at)
        self.resources["layers"].append(layer)

    def _function_layers(self, layers: Any, at: Loc) -> list[str]:
        """A function's Layers: those of this template (by their Ref); another account's
        layer cannot be fetched, so it is named in a warning and left out."""
        if not isinstance(layers, list):
            raise self.t.error(at, "is a list of layer version ARNs")
        kept: list[str] = []
        for index, arn in enumerate(layers):
            parts = str(arn).split(":")
            if len(parts) >= 7 and parts[5] == "layer" and parts[6] in self.layer_names:
                kept.append(str(arn))
            else:
                self.t.warn((*at, index), f"eventsim cannot fetch layer {arn} (not a layer of "
                            "this template); left out: its packages must be installed where "
                            "the handler runs")
        return kept

    def _function(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        name = self.built.names["function"][r.logical_id]
        self.function_of[r.logical_id] = name
        spec = {k: v for k, v in props.items() if k not in ("FunctionName", "Events")}
        if "Layers" in spec:
            spec["Layers"] = self._function_layers(spec["Layers"], (*at, "Layers"))
        code = spec.get("CodeUri")
        if code is None:
            raise self.t.error(at, "CodeUri is required: eventsim runs code from a directory")
        if not isinstance(code, str) or code.startswith("s3://"):
            raise self.t.error((*at, "CodeUri"), "eventsim runs code from a local directory, "
                               "not from S3")
        directory = (self.t.base_dir / code).resolve()
        if not directory.is_dir():
            raise self.t.error((*at, "CodeUri"), f"no directory {code} next to the template "
                               f"({directory})")
        spec["CodeUri"] = str(directory)
        handler = spec.get("Handler")
        runtime = str(spec.get("Runtime", "python3.12"))
        if isinstance(handler, str) and runtime.startswith("python") and "." in handler:
            module = handler_module_path(handler)
            if not ((directory / f"{module}.py").is_file() or (directory / module).is_dir()):
                raise self.t.error((*at, "Handler"), f"no module {module}.py in {code}")
        if not (runtime.startswith("python") or runtime.startswith("nodejs")):
            raise self.t.error((*at, "Runtime"), f"eventsim runs python and nodejs runtimes, "
                               f"not {runtime}")
        self.destinations(spec, at)
        self.functions[name] = spec
        self.origin(("functions", name), at)
        events = props.get("Events") or {}
        if not isinstance(events, dict):
            raise self.t.error((*at, "Events"), "is a mapping of event names")
        for event_name, event in events.items():
            self._event(name, str(event_name), event, (*at, "Events", event_name))

    def destinations(self, spec: dict[str, Any], at: Loc) -> None:
        """Check that a function's DeadLetterQueue and EventInvokeConfig destinations name
        resources of this template."""
        dlq = spec.get("DeadLetterQueue")
        if isinstance(dlq, dict):
            kind = "topic" if dlq.get("Type") == "SNS" else "queue"
            self.arn_of(kind, dlq.get("TargetArn"), (*at, "DeadLetterQueue", "TargetArn"),
                        "!GetAtt Queue.Arn" if kind == "queue" else "!Ref Topic")
        config = spec.get("EventInvokeConfig")
        destinations = config.get("DestinationConfig") if isinstance(config, dict) else None
        if isinstance(destinations, dict):
            for member in ("OnSuccess", "OnFailure"):
                target = destinations.get(member)
                if isinstance(target, dict):
                    self.destination(target, (*at, "EventInvokeConfig", "DestinationConfig",
                                              member))

    def destination(self, target: dict[str, Any], at: Loc) -> None:
        kind = {"SNS": "topic", "Lambda": "function"}.get(str(target.get("Type")), "queue")
        if target.get("Type") in (None, "SQS", "SNS", "Lambda"):
            value = target.get("Destination")
            if kind == "queue" and value in self.arns["topic"]:
                kind = "topic"  # a stream mapping's OnFailure gives no Type
            self.arn_of(kind, value, (*at, "Destination"), f"the {kind}'s ARN")

    def _event(self, function: str, event_name: str, event: Any, at: Loc) -> None:
        if not isinstance(event, dict) or "Type" not in event:
            raise self.t.error(at, "an event is {Type, Properties}")
        kind = event["Type"]
        if kind in _SKIPPED_EVENTS:
            self.t.warn((*at, "Type"), f"eventsim simulates no {kind} event source; skipped")
            return
        if kind not in _EVENT_PROPERTIES:
            raise self.t.error((*at, "Type"), f"{kind!r} is not an event type eventsim knows "
                               "(S3, SNS, SQS, DynamoDB, Kinesis)")
        extra = sorted(set(event) - {"Type", "Properties"})
        if extra:
            raise self.t.error((*at, extra[0]), "an event has Type and Properties only")
        supported, inert, unsupported = _EVENT_PROPERTIES[kind]
        props = self.checked(event.get("Properties") or {}, (*at, "Properties"),
                             f"a {kind} event", supported, inert, unsupported)
        self.event_source(kind, props, (*at, "Properties"))
        self.functions[function].setdefault("Events", {})[event_name] = {
            "Type": kind, "Properties": props}

    def event_source(self, kind: str, props: dict[str, Any], at: Loc) -> None:
        """Check what an event's source names and put it as the scenario model takes it."""
        if kind == "S3":
            bucket = props.get("Bucket")
            if bucket not in self.built.names["bucket"].values():
                raise self.t.error((*at, "Bucket"), f"{bucket!r} is not a bucket of this "
                                   "template (SAM wants !Ref MyBucket)")
        elif kind == "SNS":
            self.arn_of("topic", props.get("Topic"), (*at, "Topic"), "!Ref MyTopic")
        elif kind == "SQS":
            self.arn_of("queue", props.get("Queue"), (*at, "Queue"), "!GetAtt MyQueue.Arn")
        elif kind == "Kinesis":
            self.arn_of("stream", props.get("Stream"), (*at, "Stream"), "!GetAtt MyStream.Arn")
        elif kind == "DynamoDB":
            stream = props.get("Stream")
            match = _STREAM_OF_TABLE.match(stream) if isinstance(stream, str) else None
            if match is None or match.group(1) not in self.built.names["table"].values():
                raise self.t.error((*at, "Stream"), f"{stream!r} is not the stream of a table of "
                                   "this template (write !GetAtt MyTable.StreamArn)")
            if match.group(1) not in self.streamed_tables:
                raise self.t.error((*at, "Stream"), f"table {match.group(1)} has no stream "
                                   "(give it a StreamSpecification)")
            props["Stream"] = match.group(1)  # the real ARN exists once the table does
        if kind in ("Kinesis", "DynamoDB"):
            config = props.get("DestinationConfig")
            target = config.get("OnFailure") if isinstance(config, dict) else None
            if isinstance(target, dict):
                self.destination(target, (*at, "DestinationConfig", "OnFailure"))

    def _mapping(self, r: Resource) -> None:
        props = self.props(r)
        at: Loc = ("Resources", r.logical_id, "Properties")
        target = props.pop("FunctionName", None)
        name = target.rsplit(":", 1)[-1] if isinstance(target, str) else None
        if name not in self.functions:
            known = ", ".join(sorted(self.functions)) or "none"
            raise self.t.error((*at, "FunctionName"), f"{target!r} is not a function of this "
                               f"template (write !Ref MyFunction; functions: {known})")
        source = props.pop("EventSourceArn", None)
        service = source.split(":")[2] if isinstance(source, str) and \
            source.startswith("arn:") and source.count(":") >= 5 else ""
        kind = {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB"}.get(service)
        if kind is None:
            raise self.t.error((*at, "EventSourceArn"), f"{source!r} is not the ARN of a queue, "
                               "stream or table stream of this template")
        props[{"SQS": "Queue"}.get(kind, "Stream")] = source
        self.event_source(kind, props, at)
        events = self.functions[name].setdefault("Events", {})
        events[r.logical_id] = {"Type": kind, "Properties": props}
        self.origin(("functions", name, "Events", r.logical_id), ("Resources", r.logical_id))
        self.origin(("functions", name, "Events", r.logical_id, "Properties"), at)
        self.origin(("functions", name, "Events", r.logical_id, "Properties",
                     "Queue" if kind == "SQS" else "Stream"), (*at, "EventSourceArn"))

    def json_object(self, value: Any, at: Loc) -> dict[str, Any]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise self.t.error(at, f"is not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise self.t.error(at, "is a JSON object")
        return value
