"""What a scenario file may say: pydantic models of the YAML a user writes.

A scenario has four parts::

    Scenario
    ├── resources: buckets, streams, queues, topics (+ subscriptions), tables (+ streams)
    ├── functions: {name: FunctionSpec}     SAM's AWS::Serverless::Function properties
    │   └── Events: {name: EventSpec}       SAM's event sources (Type: S3, SNS, SQS,
    │                                       DynamoDB, Kinesis)
    ├── steps:  [put_object | delete_object | publish | send_message | put_item |
    │            update_item | delete_item | put_record | put_records | records_from |
    │            invoke | settle | advance_clock]
    └── expect: [invocations | object | item | queue | stream | table_stream | logs |
                 order | loop_detected]

Function and event properties keep SAM's PascalCase names (aliases), so a user can paste them
from a template; everything eventsim adds is snake_case. Every model forbids unknown fields.
Steps and expectations are single-key mappings (``- put_object: {...}``); the key picks the
model, and errors point at ``steps[0].put_object.bucket``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from eventsim.errors import AwsError
from eventsim.services.s3.event_types import EVENT_TYPES
from eventsim.services.s3.models import validate_bucket_name

__all__ = [
    "AdvanceClockStep",
    "DeleteItemStep",
    "DeleteObjectStep",
    "DynamoDBEventProperties",
    "DynamoDBEventSpec",
    "EventInvokeConfig",
    "EventSpec",
    "Expectation",
    "FunctionSpec",
    "ImageExpectation",
    "InvocationsExpectation",
    "InvokeStep",
    "ItemExpectation",
    "KinesisEventProperties",
    "KinesisEventSpec",
    "LogsExpectation",
    "LoopDetectedExpectation",
    "ObjectExpectation",
    "OrderExpectation",
    "PublishStep",
    "PutItemStep",
    "PutObjectStep",
    "PutRecordStep",
    "PutRecordsStep",
    "QueueExpectation",
    "QueueResource",
    "RecordsFromStep",
    "Resources",
    "S3EventProperties",
    "S3EventSpec",
    "SNSEventProperties",
    "SNSEventSpec",
    "SQSEventProperties",
    "SQSEventSpec",
    "Scenario",
    "SendMessageStep",
    "SettleStep",
    "Step",
    "StreamExpectation",
    "StreamResource",
    "SubscriptionResource",
    "TableResource",
    "TableStreamExpectation",
    "TopicResource",
    "UpdateItemStep",
]

_FUNCTION_NAME = r"^[a-zA-Z0-9_-]{1,64}$"
# Lambda's Python runtime accepts ``dir/module.function`` and ``pkg.module.function``.
_HANDLER = r"^[A-Za-z_][\w]*([./][A-Za-z_][\w]*)*\.[A-Za-z_][\w]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _cloudformation_string(value: Any) -> Any:
    """CloudFormation turns numbers and booleans in string properties into strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


CfnString = Annotated[str, BeforeValidator(_cloudformation_string)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _ref(value: Any) -> Any:
    """SAM writes ``Bucket: !Ref Uploads`` (or ``{Ref: Uploads}``) and ``Stream: !GetAtt
    Orders.StreamArn`` (``{Fn::GetAtt: [Orders, StreamArn]}``); take the logical name."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"]
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        if isinstance(target, str):
            target = target.split(".", 1)
        if isinstance(target, list) and target and isinstance(target[0], str):
            return target[0]
    return value


# -- resources and functions -------------------------------------------------------------------


def _bucket_name(name: str) -> str:
    try:
        validate_bucket_name(name)
    except AwsError:
        raise ValueError(
            f"{name!r} is not a valid bucket name: 3 to 63 lowercase letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit"
        ) from None
    return name


BucketName = Annotated[str, AfterValidator(_bucket_name)]


class StreamResource(_Model):
    """A Kinesis data stream: ``{name: clicks, shards: 4}`` or just ``clicks`` (one shard)."""

    name: str = Field(pattern=r"^[a-zA-Z0-9_.-]{1,128}$")
    shards: int = Field(default=1, ge=1, le=500)


def _stream_resource(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


_QUEUE_NAME = r"^[a-zA-Z0-9_-]{1,80}(\.fifo)?$"
_TOPIC_NAME = r"^[a-zA-Z0-9_-]{1,256}(\.fifo)?$"
_TABLE_NAME = r"^[a-zA-Z0-9_.-]{3,255}$"


class RedrivePolicySpec(_Model):
    """SQS's ``RedrivePolicy``: the dead-letter queue by name (of ``resources.queues``) or ARN."""

    dead_letter_target_arn: str = Field(alias="deadLetterTargetArn")
    max_receive_count: int = Field(alias="maxReceiveCount", ge=1, le=1000)


def _name_only(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class QueueResource(_Model):
    """An SQS queue: ``jobs`` or ``{name: jobs, attributes: {VisibilityTimeout: 5}}``.

    `attributes` are CreateQueue's (``FifoQueue``, ``VisibilityTimeout``, ``DelaySeconds``...);
    a ``.fifo`` name makes a FIFO queue without saying ``FifoQueue``. ``RedrivePolicy`` is a
    mapping here (eventsim writes the JSON text SQS wants) naming its queue by name or ARN.
    """

    name: str = Field(pattern=_QUEUE_NAME)
    attributes: dict[str, CfnString] = Field(default_factory=dict)
    redrive_policy: RedrivePolicySpec | None = Field(default=None, alias="RedrivePolicy")

    @field_validator("attributes")
    @classmethod
    def _no_redrive_text(cls, attributes: dict[str, str]) -> dict[str, str]:
        if "RedrivePolicy" in attributes:
            raise ValueError("give RedrivePolicy beside attributes, as a mapping "
                             "{deadLetterTargetArn, maxReceiveCount}")
        return attributes


class SubscriptionResource(_Model):
    """A subscription of a topic (CloudFormation's ``AWS::SNS::Subscription`` properties).

    ``Endpoint`` of an ``sqs`` subscription is a queue of ``resources.queues`` (name or ARN),
    of a ``lambda`` one a function of ``functions`` (name or ARN), else a URL.
    """

    protocol: Literal["sqs", "lambda", "http", "https"] = Field(alias="Protocol")
    endpoint: Annotated[str, BeforeValidator(_ref)] = Field(alias="Endpoint")
    filter_policy: dict[str, Any] | None = Field(default=None, alias="FilterPolicy")
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] | None = Field(
        default=None, alias="FilterPolicyScope")
    raw_message_delivery: bool | None = Field(default=None, alias="RawMessageDelivery")

    def subscription_attributes(self) -> dict[str, str]:
        """Subscribe's ``Attributes``, as the SNS API spells them (all strings)."""
        out: dict[str, str] = {}
        if self.filter_policy is not None:
            out["FilterPolicy"] = json.dumps(self.filter_policy)
        if self.filter_policy_scope is not None:
            out["FilterPolicyScope"] = self.filter_policy_scope
        if self.raw_message_delivery is not None:
            out["RawMessageDelivery"] = "true" if self.raw_message_delivery else "false"
        return out


class TopicResource(_Model):
    """An SNS topic and its subscriptions: ``{name: orders, subscriptions: [...]}``."""

    name: str = Field(pattern=_TOPIC_NAME)
    attributes: dict[str, CfnString] = Field(default_factory=dict)
    subscriptions: list[SubscriptionResource] = Field(default_factory=list)


class KeySchemaElement(_Model):
    attribute_name: str = Field(alias="AttributeName", min_length=1)
    key_type: Literal["HASH", "RANGE"] = Field(alias="KeyType")


class AttributeDefinition(_Model):
    attribute_name: str = Field(alias="AttributeName", min_length=1)
    attribute_type: Literal["S", "N", "B"] = Field(alias="AttributeType")


class StreamSpecificationSpec(_Model):
    """CloudFormation's ``StreamSpecification``: naming a view type turns the stream on."""

    stream_view_type: Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] = \
        Field(alias="StreamViewType")


class TableResource(_Model):
    """A DynamoDB table in ``AWS::DynamoDB::Table``'s vocabulary (on-demand unless said)."""

    name: str = Field(alias="TableName", pattern=_TABLE_NAME)
    key_schema: list[KeySchemaElement] = Field(alias="KeySchema", min_length=1, max_length=2)
    attribute_definitions: list[AttributeDefinition] = Field(alias="AttributeDefinitions",
                                                             min_length=1)
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = Field(
        default="PAY_PER_REQUEST", alias="BillingMode")
    stream_specification: StreamSpecificationSpec | None = Field(
        default=None, alias="StreamSpecification")

    @model_validator(mode="after")
    def _keys_defined(self) -> TableResource:
        defined = {a.attribute_name for a in self.attribute_definitions}
        for key in self.key_schema:
            if key.attribute_name not in defined:
                raise ValueError(f"key attribute {key.attribute_name} is not in "
                                 "AttributeDefinitions")
        return self


class Resources(_Model):
    """What exists before the first step."""

    buckets: list[BucketName] = Field(default_factory=list)
    streams: list[Annotated[StreamResource, BeforeValidator(_stream_resource)]] = Field(
        default_factory=list)
    queues: list[Annotated[QueueResource, BeforeValidator(_name_only)]] = Field(
        default_factory=list)
    """SQS queues (``.fifo`` makes a FIFO queue)."""
    topics: list[Annotated[TopicResource, BeforeValidator(_name_only)]] = Field(
        default_factory=list)
    tables: list[TableResource] = Field(default_factory=list)

    @field_validator("buckets")
    @classmethod
    def _unique(cls, buckets: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in buckets:
            if name in seen:
                raise ValueError(f"bucket {name} is listed twice")
            seen.add(name)
        return buckets

    @model_validator(mode="after")
    def _unique_names(self) -> Resources:
        for kind, names in (("stream", [s.name for s in self.streams]),
                            ("queue", [q.name for q in self.queues]),
                            ("topic", [t.name for t in self.topics]),
                            ("table", [t.name for t in self.tables])):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind} {twice[0]} is listed twice")
        return self


class FilterRule(_Model):
    name: str = Field(alias="Name")
    value: str = Field(alias="Value")

    @field_validator("name")
    @classmethod
    def _prefix_or_suffix(cls, name: str) -> str:
        # S3 accepts the rule names in any case and stores them lower-cased.
        if name.lower() not in ("prefix", "suffix"):
            raise ValueError(f"filter rule Name must be prefix or suffix, not {name!r}")
        return name.lower()


class S3KeyFilter(_Model):
    rules: list[FilterRule] = Field(alias="Rules")


class S3Filter(_Model):
    s3_key: S3KeyFilter = Field(alias="S3Key")


class S3EventProperties(_Model):
    """SAM's S3 event source: ``Properties: {Bucket, Events, Filter}``."""

    bucket: Annotated[str, BeforeValidator(_ref)] = Field(alias="Bucket")
    events: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(alias="Events")
    filter: S3Filter | None = Field(default=None, alias="Filter")

    @field_validator("events")
    @classmethod
    def _known_events(cls, events: list[str]) -> list[str]:
        if not events:
            raise ValueError("name at least one event type, e.g. s3:ObjectCreated:*")
        for event in events:
            if event not in EVENT_TYPES:
                raise ValueError(f"{event!r} is not an S3 event type (e.g. s3:ObjectCreated:*)")
        return events

    def notification_filter(self) -> dict[str, Any] | None:
        """The ``Filter`` member of a notification configuration, as S3's API spells it."""
        if self.filter is None:
            return None
        rules = [{"Name": r.name, "Value": r.value} for r in self.filter.s3_key.rules]
        return {"Key": {"FilterRules": rules}}


class S3EventSpec(_Model):
    """An S3 entry of a function's ``Events``."""

    type: Literal["S3"] = Field(alias="Type")
    properties: S3EventProperties = Field(alias="Properties")


class OnFailureSpec(_Model):
    """Where failed records or events go: an ARN, or a name of ``resources`` (a queue unless
    ``Type`` says ``SNS`` or ``Lambda``)."""

    type: Literal["SQS", "SNS", "Lambda"] | None = Field(default=None, alias="Type")
    destination: Annotated[str, BeforeValidator(_ref)] = Field(alias="Destination")


class DestinationConfigSpec(_Model):
    on_failure: OnFailureSpec | None = Field(default=None, alias="OnFailure")


class FilterSpec(_Model):
    pattern: str = Field(alias="Pattern")


class FilterCriteriaSpec(_Model):
    filters: list[FilterSpec] = Field(alias="Filters")


class KinesisEventProperties(_Model):
    """SAM's Kinesis event source (an event source mapping): ``Stream`` is a stream of
    ``resources.streams`` by name (or ``!Ref``), or a stream ARN."""

    stream: Annotated[str, BeforeValidator(_ref)] = Field(alias="Stream")
    starting_position: Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] = Field(
        alias="StartingPosition")
    starting_position_timestamp: float | None = Field(default=None,
                                                      alias="StartingPositionTimestamp")
    batch_size: int | None = Field(default=None, alias="BatchSize")
    maximum_batching_window_in_seconds: int | None = Field(
        default=None, alias="MaximumBatchingWindowInSeconds")
    enabled: bool | None = Field(default=None, alias="Enabled")
    filter_criteria: FilterCriteriaSpec | None = Field(default=None, alias="FilterCriteria")
    maximum_retry_attempts: int | None = Field(default=None, alias="MaximumRetryAttempts")
    maximum_record_age_in_seconds: int | None = Field(default=None,
                                                      alias="MaximumRecordAgeInSeconds")
    bisect_batch_on_function_error: bool | None = Field(default=None,
                                                        alias="BisectBatchOnFunctionError")
    destination_config: DestinationConfigSpec | None = Field(default=None,
                                                             alias="DestinationConfig")
    function_response_types: list[Literal["ReportBatchItemFailures"]] | None = Field(
        default=None, alias="FunctionResponseTypes")
    parallelization_factor: int | None = Field(default=None, alias="ParallelizationFactor")
    tumbling_window_in_seconds: int | None = Field(default=None,
                                                   alias="TumblingWindowInSeconds")

    def mapping_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `MappingService.create_event_source_mapping` (but the ARNs)."""
        return _mapping_arguments(self, "stream")


class KinesisEventSpec(_Model):
    """A Kinesis entry of a function's ``Events``."""

    type: Literal["Kinesis"] = Field(alias="Type")
    properties: KinesisEventProperties = Field(alias="Properties")


class ScalingConfigSpec(_Model):
    maximum_concurrency: int | None = Field(default=None, alias="MaximumConcurrency")


class SQSEventProperties(_Model):
    """SAM's SQS event source (an event source mapping): ``Queue`` is a queue of
    ``resources.queues`` by name (or ``!Ref``), or a queue ARN."""

    queue: Annotated[str, BeforeValidator(_ref)] = Field(alias="Queue")
    batch_size: int | None = Field(default=None, alias="BatchSize")
    maximum_batching_window_in_seconds: int | None = Field(
        default=None, alias="MaximumBatchingWindowInSeconds")
    enabled: bool | None = Field(default=None, alias="Enabled")
    filter_criteria: FilterCriteriaSpec | None = Field(default=None, alias="FilterCriteria")
    function_response_types: list[Literal["ReportBatchItemFailures"]] | None = Field(
        default=None, alias="FunctionResponseTypes")
    scaling_config: ScalingConfigSpec | None = Field(default=None, alias="ScalingConfig")

    def mapping_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `MappingService.create_event_source_mapping` (but the ARNs)."""
        return _mapping_arguments(self, "queue")


class SQSEventSpec(_Model):
    """An SQS entry of a function's ``Events``."""

    type: Literal["SQS"] = Field(alias="Type")
    properties: SQSEventProperties = Field(alias="Properties")


class DynamoDBEventProperties(KinesisEventProperties):
    """SAM's DynamoDB event source (an event source mapping on a table's stream): ``Stream``
    is a table of ``resources.tables`` (``!GetAtt Orders.StreamArn``, or just ``Orders``) or
    a stream ARN."""


class DynamoDBEventSpec(_Model):
    """A DynamoDB entry of a function's ``Events``."""

    type: Literal["DynamoDB"] = Field(alias="Type")
    properties: DynamoDBEventProperties = Field(alias="Properties")


class SNSEventProperties(_Model):
    """SAM's SNS event source: a ``lambda`` subscription of ``Topic`` (a topic of
    ``resources.topics`` by name or ``!Ref``, or an ARN)."""

    topic: Annotated[str, BeforeValidator(_ref)] = Field(alias="Topic")
    filter_policy: dict[str, Any] | None = Field(default=None, alias="FilterPolicy")
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] | None = Field(
        default=None, alias="FilterPolicyScope")

    def subscription_attributes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.filter_policy is not None:
            out["FilterPolicy"] = json.dumps(self.filter_policy)
        if self.filter_policy_scope is not None:
            out["FilterPolicyScope"] = self.filter_policy_scope
        return out


class SNSEventSpec(_Model):
    """An SNS entry of a function's ``Events``."""

    type: Literal["SNS"] = Field(alias="Type")
    properties: SNSEventProperties = Field(alias="Properties")


def _mapping_arguments(props: BaseModel, source_field: str) -> dict[str, Any]:
    # Field names are the service's keyword names; nested values keep AWS's spelling.
    out: dict[str, Any] = {}
    for name in type(props).model_fields:
        value = getattr(props, name)
        if name == source_field or value is None:
            continue
        out[name] = value.model_dump(by_alias=True, exclude_none=True) \
            if isinstance(value, BaseModel) else value
    return out


EventSpec = Annotated[
    S3EventSpec | KinesisEventSpec | SQSEventSpec | SNSEventSpec | DynamoDBEventSpec,
    Field(discriminator="type")]
"""One entry of a function's ``Events``, by its ``Type``."""


class EnvironmentSpec(_Model):
    variables: dict[str, CfnString] = Field(default_factory=dict, alias="Variables")


class EventInvokeConfig(_Model):
    """Asynchronous invocation settings (SAM's ``EventInvokeConfig``)."""

    maximum_retry_attempts: int = Field(default=2, ge=0, le=2, alias="MaximumRetryAttempts")
    maximum_event_age_in_seconds: int = Field(
        default=21600, ge=60, le=21600, alias="MaximumEventAgeInSeconds"
    )
    destination_config: AsyncDestinationConfig | None = Field(default=None,
                                                              alias="DestinationConfig")


class AsyncDestinationConfig(_Model):
    on_success: OnFailureSpec | None = Field(default=None, alias="OnSuccess")
    on_failure: OnFailureSpec | None = Field(default=None, alias="OnFailure")


class DeadLetterQueueSpec(_Model):
    """SAM's ``DeadLetterQueue``: where an asynchronous event goes after its last retry."""

    type: Literal["SQS", "SNS"] = Field(alias="Type")
    target_arn: Annotated[str, BeforeValidator(_ref)] = Field(alias="TargetArn")
    """An ARN, or a queue (``SQS``) or topic (``SNS``) of ``resources`` by name."""


class FunctionSpec(_Model):
    """A function, in the vocabulary of SAM's ``AWS::Serverless::Function``."""

    runtime: str = Field(default="python3.12", alias="Runtime")
    handler: str = Field(alias="Handler", pattern=_HANDLER)
    """``module.function``; the module may be dotted or a path (``handlers/thumbnail.handler``)."""
    code_uri: str = Field(alias="CodeUri")
    """The code directory: relative to the scenario file's directory, else to the current one."""
    timeout: int = Field(default=3, ge=1, le=900, alias="Timeout")
    memory_size: int = Field(default=128, ge=128, le=10240, alias="MemorySize")
    environment: EnvironmentSpec = Field(default_factory=EnvironmentSpec, alias="Environment")
    reserved_concurrent_executions: int | None = Field(
        default=None, ge=0, alias="ReservedConcurrentExecutions"
    )
    event_invoke_config: EventInvokeConfig = Field(
        default_factory=EventInvokeConfig, alias="EventInvokeConfig"
    )
    dead_letter_queue: DeadLetterQueueSpec | None = Field(default=None, alias="DeadLetterQueue")
    events: dict[str, EventSpec] = Field(default_factory=dict, alias="Events")


# -- steps --------------------------------------------------------------------------------------


class _Keyed(_Model):
    """A model written as the value of a single-key mapping: ``- put_object: {...}``."""

    KIND: ClassVar[str]
    """The mapping key that selects this model."""

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, str) and data == cls.KIND:
            return {}  # a bare ``- settle``
        if isinstance(data, dict) and len(data) == 1 and cls.KIND in data:
            inner = data[cls.KIND]
            return {} if inner is None else inner
        return data


class PutObjectStep(_Keyed):
    """Write an object: from a ``file``, a ``text``, or a JSON ``body``."""

    KIND: ClassVar[str] = "put_object"
    bucket: str
    key: str = Field(min_length=1)
    file: str | None = None
    """Path of the content: relative to the scenario file's directory, else to the current one."""
    text: str | None = None
    """UTF-8 text (content type ``text/plain`` unless given)."""
    body: Any = None
    """A string written as UTF-8, or any other JSON value written as JSON."""
    content_type: str | None = None
    """Default: guessed from the file name (as ``aws s3 cp`` does), else by content kind."""

    @model_validator(mode="after")
    def _one_source(self) -> PutObjectStep:
        given = [n for n in ("file", "text", "body") if n in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of file, text or body")
        return self


class DeleteObjectStep(_Keyed):
    KIND: ClassVar[str] = "delete_object"
    bucket: str
    key: str = Field(min_length=1)


class InvokeStep(_Keyed):
    """Invoke a function directly, as Lambda's Invoke API does."""

    KIND: ClassVar[str] = "invoke"
    function: str
    event: Any = None
    """The payload: any JSON value. Default ``{}``."""
    event_file: str | None = None
    """A JSON file holding the payload (resolved like ``file``)."""
    invocation_type: Literal["RequestResponse", "Event"] = "RequestResponse"

    @model_validator(mode="after")
    def _one_payload(self) -> InvokeStep:
        if "event" in self.model_fields_set and self.event_file is not None:
            raise ValueError("give event or event_file, not both")
        return self


class SettleStep(_Keyed):
    """Wait until nothing is left to deliver, invoke or retry."""

    KIND: ClassVar[str] = "settle"


class AdvanceClockStep(_Keyed):
    """Let time pass: jumps a virtual clock; with the real clock, waits that long."""

    KIND: ClassVar[str] = "advance_clock"
    seconds: float = Field(gt=0)


class PublishStep(_Keyed):
    """SNS Publish to a topic of ``resources.topics`` (by name or ARN)."""

    KIND: ClassVar[str] = "publish"
    topic: str
    message: Any
    """A string, or any other JSON value sent as its JSON text."""
    subject: str | None = None
    message_attributes: dict[str, Any] | None = None
    """As the API spells them: ``{color: {DataType: String, StringValue: red}}``."""
    message_group_id: str | None = None
    message_deduplication_id: str | None = None


class SendMessageStep(_Keyed):
    """SQS SendMessage to a queue of ``resources.queues`` (by name)."""

    KIND: ClassVar[str] = "send_message"
    queue: str
    message_body: Any
    """A string, or any other JSON value sent as its JSON text."""
    delay_seconds: int | None = Field(default=None, ge=0, le=900)
    message_attributes: dict[str, Any] | None = None
    message_group_id: str | None = None
    message_deduplication_id: str | None = None


class PutItemStep(_Keyed):
    """DynamoDB PutItem. ``item`` is plain YAML (``{id: a1, total: 12.5}``); eventsim types it
    as boto3's resource API does (strings S, numbers N, lists L, mappings M...)."""

    KIND: ClassVar[str] = "put_item"
    table: str
    item: dict[str, Any]
    condition_expression: str | None = None
    expression_attribute_names: dict[str, str] | None = None
    expression_attribute_values: dict[str, Any] | None = None
    """Plain values too: ``{":zero": 0}``."""


class UpdateItemStep(_Keyed):
    """DynamoDB UpdateItem; ``key`` and ``expression_attribute_values`` are plain YAML."""

    KIND: ClassVar[str] = "update_item"
    table: str
    key: dict[str, Any]
    update_expression: str
    condition_expression: str | None = None
    expression_attribute_names: dict[str, str] | None = None
    expression_attribute_values: dict[str, Any] | None = None


class DeleteItemStep(_Keyed):
    """DynamoDB DeleteItem; ``key`` is plain YAML."""

    KIND: ClassVar[str] = "delete_item"
    table: str
    key: dict[str, Any]
    condition_expression: str | None = None
    expression_attribute_names: dict[str, str] | None = None
    expression_attribute_values: dict[str, Any] | None = None


class KinesisRecordSpec(_Model):
    data: Any
    """A string (sent as UTF-8), or any other JSON value sent as its JSON text."""
    partition_key: str = Field(min_length=1, max_length=256)
    explicit_hash_key: str | None = None


class PutRecordStep(_Keyed):
    """Kinesis PutRecord onto a stream of ``resources.streams``."""

    KIND: ClassVar[str] = "put_record"
    stream: str
    data: Any
    partition_key: str = Field(min_length=1, max_length=256)
    explicit_hash_key: str | None = None


class PutRecordsStep(_Keyed):
    """Kinesis PutRecords: 1 to 500 records in one call."""

    KIND: ClassVar[str] = "put_records"
    stream: str
    records: list[KinesisRecordSpec] = Field(min_length=1, max_length=500)


class RecordsFromStep(_Keyed):
    """Load a JSONL file (one JSON value a line) into a stream, a queue or a table.

    Onto a ``stream`` each line is a record's data, its partition key the line's
    ``partition_key_field`` (or the fixed ``partition_key``, else the line number); into a
    ``queue`` each line is a message body; into a ``table`` each line is an item.
    """

    KIND: ClassVar[str] = "records_from"
    file: str
    stream: str | None = None
    queue: str | None = None
    table: str | None = None
    partition_key: str | None = Field(default=None, min_length=1, max_length=256)
    partition_key_field: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> RecordsFromStep:
        given = [n for n in ("stream", "queue", "table") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of stream, queue or table")
        if self.stream is None and (self.partition_key or self.partition_key_field):
            raise ValueError("partition_key and partition_key_field are for a stream")
        return self


def _single_key(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if isinstance(key, str) else None
    return None


_STEP_KINDS = ("put_object, delete_object, publish, send_message, put_item, update_item, "
               "delete_item, put_record, put_records, records_from, invoke, settle or "
               "advance_clock")
_EXPECT_KINDS = ("invocations, object, item, queue, stream, table_stream, logs, order or "
                 "loop_detected")

Step = Annotated[
    Annotated[PutObjectStep, Tag("put_object")]
    | Annotated[DeleteObjectStep, Tag("delete_object")]
    | Annotated[PublishStep, Tag("publish")]
    | Annotated[SendMessageStep, Tag("send_message")]
    | Annotated[PutItemStep, Tag("put_item")]
    | Annotated[UpdateItemStep, Tag("update_item")]
    | Annotated[DeleteItemStep, Tag("delete_item")]
    | Annotated[PutRecordStep, Tag("put_record")]
    | Annotated[PutRecordsStep, Tag("put_records")]
    | Annotated[RecordsFromStep, Tag("records_from")]
    | Annotated[InvokeStep, Tag("invoke")]
    | Annotated[SettleStep, Tag("settle")]
    | Annotated[AdvanceClockStep, Tag("advance_clock")],
    Discriminator(
        _single_key,
        custom_error_type="step_kind",
        custom_error_message=f"a step is a mapping with one key: {_STEP_KINDS}",
    ),
]


# -- expectations -------------------------------------------------------------------------------


class InvocationsExpectation(_Keyed):
    """How many invocations (attempts: each retry counts) a function had, by status.

    Without ``count`` or ``min_count``, at least one is expected.
    """

    KIND: ClassVar[str] = "invocations"
    function: str
    count: int | None = Field(default=None, ge=0)
    min_count: int | None = Field(default=None, ge=0)
    status: Literal["Success", "Error", "Timeout", "LoopDetected"] | None = None

    @model_validator(mode="after")
    def _count_or_min(self) -> InvocationsExpectation:
        if self.count is not None and self.min_count is not None:
            raise ValueError("give count or min_count, not both")
        return self


class ImageExpectation(_Model):
    """What the object must be as an image (needs Pillow)."""

    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)
    max_width: int | None = Field(default=None, ge=1)
    max_height: int | None = Field(default=None, ge=1)
    format: str | None = None
    """Pillow's format name: ``JPEG``, ``PNG``... (``jpg`` is taken as ``JPEG``)."""


class ObjectExpectation(_Keyed):
    """An object exists (or not) and, optionally, what it holds."""

    KIND: ClassVar[str] = "object"
    bucket: str
    key: str = Field(min_length=1)
    exists: bool = True
    text: str | None = None
    content_type: str | None = None
    image: ImageExpectation | None = None

    @model_validator(mode="after")
    def _nothing_to_check_when_absent(self) -> ObjectExpectation:
        if not self.exists and (self.text, self.content_type, self.image) != (None, None, None):
            raise ValueError("an object expected not to exist has no text, content_type or image")
        return self


class LoopDetectedExpectation(_Keyed):
    """Lambda stopped a recursive loop that kept invoking this function."""

    KIND: ClassVar[str] = "loop_detected"
    function: str


class ItemExpectation(_Keyed):
    """A DynamoDB item exists (or not), equals a whole item or contains some attributes.
    ``key``, ``equals`` and ``contains`` are plain YAML, compared with numbers as numbers."""

    KIND: ClassVar[str] = "item"
    table: str
    key: dict[str, Any]
    exists: bool = True
    equals: dict[str, Any] | None = None
    contains: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _nothing_to_check_when_absent(self) -> ItemExpectation:
        if not self.exists and (self.equals is not None or self.contains is not None):
            raise ValueError("an item expected not to exist has no equals or contains")
        return self


class CountedExpectation(_Keyed):
    """``count`` exactly, or ``min_count`` at least; neither: at least one."""

    count: int | None = Field(default=None, ge=0)
    min_count: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _count_or_min(self) -> CountedExpectation:
        if self.count is not None and self.min_count is not None:
            raise ValueError("give count or min_count, not both")
        return self


class QueueExpectation(CountedExpectation):
    """Messages in a queue (visible, delayed or in flight; the check consumes none), those
    whose body contains ``body_contains`` when given. A DLQ or a destination is a queue."""

    KIND: ClassVar[str] = "queue"
    name: str
    body_contains: str | None = None


class StreamExpectation(CountedExpectation):
    """Records in a Kinesis stream, those whose data contains ``data_contains``."""

    KIND: ClassVar[str] = "stream"
    name: str
    data_contains: str | None = None


class TableStreamExpectation(CountedExpectation):
    """Records in a table's DynamoDB stream, those of ``event_name`` when given."""

    KIND: ClassVar[str] = "table_stream"
    table: str
    event_name: Literal["INSERT", "MODIFY", "REMOVE"] | None = None


class LogsExpectation(CountedExpectation):
    """Invocations of a function whose log output contains ``contains``."""

    KIND: ClassVar[str] = "logs"
    function: str
    contains: str = Field(min_length=1)


class OrderExpectation(_Keyed):
    """Functions first ran in this order (each one's first invocation started after the
    previous one's)."""

    KIND: ClassVar[str] = "order"
    functions: list[str] = Field(min_length=2)


Expectation = Annotated[
    Annotated[InvocationsExpectation, Tag("invocations")]
    | Annotated[ObjectExpectation, Tag("object")]
    | Annotated[ItemExpectation, Tag("item")]
    | Annotated[QueueExpectation, Tag("queue")]
    | Annotated[StreamExpectation, Tag("stream")]
    | Annotated[TableStreamExpectation, Tag("table_stream")]
    | Annotated[LogsExpectation, Tag("logs")]
    | Annotated[OrderExpectation, Tag("order")]
    | Annotated[LoopDetectedExpectation, Tag("loop_detected")],
    Discriminator(
        _single_key,
        custom_error_type="expectation_kind",
        custom_error_message=f"an expectation is a mapping with one key: {_EXPECT_KINDS}",
    ),
]


# -- the scenario -------------------------------------------------------------------------------


class Scenario(_Model):
    """A whole scenario file."""

    name: str
    description: str | None = None
    clock: Literal["real", "virtual"] = "real"
    resources: Resources = Field(default_factory=Resources)
    functions: dict[Annotated[str, Field(pattern=_FUNCTION_NAME)], FunctionSpec] = Field(
        default_factory=dict
    )
    steps: list[Step] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)

    _source: str | None = PrivateAttr(default=None)
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str | None:
        """The file it was loaded from, as the user named it (None when built in code)."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """The directory relative paths are resolved against first."""
        return self._base_dir

    def attach_source(
        self, source: str, base_dir: Path, lines: dict[tuple[str | int, ...], int]
    ) -> None:
        """Remember where the scenario came from (the loader calls this)."""
        self._source = source
        self._base_dir = base_dir
        self._lines = lines

    def resolve_path(self, path: str) -> Path:
        """A path the file names: relative to `base_dir` if it exists there, else to the cwd."""
        return resolve_path(path, self._base_dir)

    def where(self, *path: str | int) -> str:
        """``file:line`` of the deepest part of `path` the file has, for messages."""
        source = self._source or f"<scenario {self.name}>"
        line = line_of(self._lines, path)
        return f"{source}:{line}" if line else source


def resolve_path(path: str, base_dir: Path) -> Path:
    """Resolve a path named in a scenario file.

    Relative paths are tried against the scenario file's directory first, then against the
    current directory (so the repository's ``scenarios/`` can say ``fixtures/...``). When it
    exists in neither, the scenario-relative path is returned, for the error message.
    """
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    near = base_dir / candidate
    if near.exists():
        return near.resolve()
    here = Path.cwd() / candidate
    if here.exists():
        return here.resolve()
    return near


def line_of(lines: dict[tuple[str | int, ...], int], path: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of `path` that the file has."""
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return lines.get(())


def handler_module_path(handler: str) -> str:
    """``handlers/thumbnail.handler`` → ``handlers/thumbnail`` (module as a relative path)."""
    module = handler.rsplit(".", 1)[0]
    return re.sub(r"[./]", "/", module)
