"""``resources:``: buckets, Kinesis streams, SQS queues, SNS topics with subscriptions, and
DynamoDB tables with streams, as they exist before the first step.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from eventsim.errors import AwsError
from eventsim.scenario.model._base import CfnString, LogicalName, _Model
from eventsim.services.s3.models import validate_bucket_name


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


class BucketResource(_Model):
    """An S3 bucket: ``uploads`` or ``{name: uploads, versioning: Enabled}``."""

    name: BucketName
    versioning: Literal["Enabled", "Suspended"] | None = None
    """PutBucketVersioning's Status, if the bucket is versioned."""


def _bucket_entry(value: Any) -> Any:
    # A bare name is checked here, so that a bad one is reported at its own place in the list
    # (``resources.buckets[1]``), not at a ``name`` the file never wrote.
    return {"name": _bucket_name(value)} if isinstance(value, str) else value


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
    endpoint: LogicalName = Field(alias="Endpoint")
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


class ProjectionSpec(_Model):
    """An index's ``Projection``: which attributes it copies (ALL unless said)."""

    projection_type: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = Field(
        default="ALL", alias="ProjectionType")
    non_key_attributes: list[str] | None = Field(default=None, alias="NonKeyAttributes")


class SecondaryIndexSpec(_Model):
    """A global or local secondary index, as CreateTable and CloudFormation spell it."""

    index_name: str = Field(alias="IndexName", pattern=r"^[a-zA-Z0-9_.-]{3,255}$")
    key_schema: list[KeySchemaElement] = Field(alias="KeySchema", min_length=1, max_length=2)
    projection: ProjectionSpec = Field(default_factory=ProjectionSpec, alias="Projection")


class TimeToLiveSpec(_Model):
    """``TimeToLiveSpecification``: the attribute whose epoch seconds expire an item."""

    attribute_name: str = Field(alias="AttributeName", min_length=1, max_length=255)
    enabled: bool = Field(default=True, alias="Enabled")


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
    global_secondary_indexes: list[SecondaryIndexSpec] = Field(
        default_factory=list, alias="GlobalSecondaryIndexes")
    local_secondary_indexes: list[SecondaryIndexSpec] = Field(
        default_factory=list, alias="LocalSecondaryIndexes")
    time_to_live_specification: TimeToLiveSpec | None = Field(
        default=None, alias="TimeToLiveSpecification")

    @model_validator(mode="after")
    def _keys_defined(self) -> TableResource:
        defined = {a.attribute_name for a in self.attribute_definitions}
        keys = [*self.key_schema, *(k for index in self.global_secondary_indexes
                                    for k in index.key_schema),
                *(k for index in self.local_secondary_indexes for k in index.key_schema)]
        for key in keys:
            if key.attribute_name not in defined:
                raise ValueError(f"key attribute {key.attribute_name} is not in "
                                 "AttributeDefinitions")
        return self

    def indexes(self, kind: Literal["global", "local"]) -> list[dict[str, Any]] | None:
        """The indexes of that kind as CreateTable takes them (None when there are none)."""
        specs = self.global_secondary_indexes if kind == "global" \
            else self.local_secondary_indexes
        if not specs:
            return None
        indexes = [spec.model_dump(by_alias=True, exclude_none=True) for spec in specs]
        if kind == "global" and self.billing_mode == "PROVISIONED":
            for index in indexes:  # what the table itself is given (no capacity is simulated)
                index["ProvisionedThroughput"] = {"ReadCapacityUnits": 5,
                                                  "WriteCapacityUnits": 5}
        return indexes


class LayerResource(_Model):
    """A Lambda layer published from a directory (SAM's ``AWS::Serverless::LayerVersion``):
    ``{name: helpers, ContentUri: layers/helpers}``; functions name it in their ``Layers``."""

    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,140}$")
    content_uri: str = Field(alias="ContentUri")
    """The layer's directory (``python/``, ``nodejs/node_modules/``...), relative to the
    scenario file's directory, else to the current one."""
    compatible_runtimes: list[str] = Field(default_factory=list, alias="CompatibleRuntimes")
    description: str = Field(default="", alias="Description")


class Resources(_Model):
    """What exists before the first step."""

    buckets: list[Annotated[BucketResource, BeforeValidator(
        _bucket_entry, json_schema_input_type=str | BucketResource)]] = Field(
        default_factory=list)
    streams: list[Annotated[StreamResource, BeforeValidator(
        _stream_resource, json_schema_input_type=str | StreamResource)]] = Field(
        default_factory=list)
    queues: list[Annotated[QueueResource, BeforeValidator(
        _name_only, json_schema_input_type=str | QueueResource)]] = Field(
        default_factory=list)
    """SQS queues (``.fifo`` makes a FIFO queue)."""
    topics: list[Annotated[TopicResource, BeforeValidator(
        _name_only, json_schema_input_type=str | TopicResource)]] = Field(
        default_factory=list)
    tables: list[TableResource] = Field(default_factory=list)
    layers: list[LayerResource] = Field(default_factory=list)

    @field_validator("buckets")
    @classmethod
    def _unique(cls, buckets: list[BucketResource]) -> list[BucketResource]:
        seen: set[str] = set()
        for bucket in buckets:
            if bucket.name in seen:
                raise ValueError(f"bucket {bucket.name} is listed twice")
            seen.add(bucket.name)
        return buckets

    @property
    def bucket_names(self) -> list[str]:
        """The buckets' names, in order."""
        return [bucket.name for bucket in self.buckets]

    @model_validator(mode="after")
    def _unique_names(self) -> Resources:
        for kind, names in (("stream", [s.name for s in self.streams]),
                            ("queue", [q.name for q in self.queues]),
                            ("topic", [t.name for t in self.topics]),
                            ("table", [t.name for t in self.tables]),
                            ("layer", [layer.name for layer in self.layers])):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind} {twice[0]} is listed twice")
        return self
