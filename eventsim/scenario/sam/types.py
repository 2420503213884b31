"""The resource types eventsim builds from a template: their names, ``Ref`` and ``Fn::GetAtt``
values, and which of their properties it honours.

Each property of a resource is one of:

- *supported*: eventsim builds it;
- *inert*: accepted and without effect here (IAM, tags, encryption, tracing...: eventsim checks
  no permissions and keeps data in the clear);
- *unsupported*: a real property that would change behaviour eventsim does not simulate, so the
  run warns that it is ignored;
- anything else: not a property of the type. Close to a known one it is an error (a typo);
  otherwise a warning (a property newer than eventsim).

A resource without its name property is named by its logical id (a bucket's lower-cased, a
FIFO queue's or topic's with ``.fifo``; a bucket's or table's logical id under 3 characters
after the stack name: ``eventsim-T``), not CloudFormation's ``stack-Id-RANDOM``: that keeps
names short and the same from run to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventsim.services.sqs.queues import queue_url

__all__ = ["ALIASES", "INERT_TYPES", "TYPES", "UNSUPPORTED_TYPES", "Arns", "ResourceType"]


@dataclass(frozen=True)
class Arns:
    region: str
    account_id: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        where = f"{self.region}:{self.account_id}" if regional else ":"
        return f"arn:aws:{service}:{where}:{resource}"


Value = Callable[[str, Arns], str]


@dataclass(frozen=True)
class ResourceType:
    """What eventsim knows of one CloudFormation/SAM resource type."""

    name: str
    kind: str
    """``bucket``, ``topic``, ``subscription``, ``queue``, ``table``, ``stream``, ``function``,
    ``mapping`` or ``layer``."""
    name_property: str | None
    ref: Value
    attributes: dict[str, Value]
    supported: frozenset[str]
    inert: frozenset[str] = frozenset()
    unsupported: frozenset[str] = frozenset()


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _name(name: str, _: Arns) -> str:
    return name


_BUCKET = ResourceType(
    "AWS::S3::Bucket", "bucket", "BucketName", ref=_name,
    attributes={
        "Arn": lambda n, a: f"arn:aws:s3:::{n}",
        "DomainName": lambda n, a: f"{n}.s3.amazonaws.com",
        "DualStackDomainName": lambda n, a: f"{n}.s3.dualstack.{a.region}.amazonaws.com",
        "RegionalDomainName": lambda n, a: f"{n}.s3.{a.region}.amazonaws.com",
        "WebsiteURL": lambda n, a: f"http://{n}.s3-website-{a.region}.amazonaws.com",
    },
    supported=_set("BucketName NotificationConfiguration VersioningConfiguration"),
    inert=_set("Tags BucketEncryption PublicAccessBlockConfiguration OwnershipControls "
               "AccessControl MetricsConfigurations AnalyticsConfigurations LoggingConfiguration "
               "IntelligentTieringConfigurations InventoryConfigurations AbacStatus "
               "MetadataTableConfiguration MetadataConfiguration"),
    unsupported=_set("LifecycleConfiguration CorsConfiguration "
                     "WebsiteConfiguration ReplicationConfiguration ObjectLockConfiguration "
                     "ObjectLockEnabled AccelerateConfiguration"),
)

_TOPIC = ResourceType(
    "AWS::SNS::Topic", "topic", "TopicName",
    ref=lambda n, a: a.arn("sns", n),
    attributes={"TopicArn": lambda n, a: a.arn("sns", n), "TopicName": _name},
    supported=_set("TopicName FifoTopic ContentBasedDeduplication DisplayName Subscription "
                   "ArchivePolicy SignatureVersion TracingConfig"),
    inert=_set("Tags KmsMasterKeyId DataProtectionPolicy DeliveryStatusLogging "
               "FifoThroughputScope"),
)

_SUBSCRIPTION = ResourceType(
    "AWS::SNS::Subscription", "subscription", None,
    ref=lambda n, a: a.arn("sns", f"{n}:00000000-0000-0000-0000-000000000000"),
    attributes={},
    supported=_set("TopicArn Protocol Endpoint FilterPolicy FilterPolicyScope "
                   "RawMessageDelivery"),
    inert=_set("SubscriptionRoleArn Region"),
    unsupported=_set("DeliveryPolicy RedrivePolicy ReplayPolicy"),
)

_QUEUE_ATTRIBUTES = _set(
    "FifoQueue VisibilityTimeout DelaySeconds MaximumMessageSize MessageRetentionPeriod "
    "ReceiveMessageWaitTimeSeconds ContentBasedDeduplication DeduplicationScope "
    "FifoThroughputLimit RedriveAllowPolicy KmsMasterKeyId KmsDataKeyReusePeriodSeconds "
    "SqsManagedSseEnabled")

_QUEUE = ResourceType(
    "AWS::SQS::Queue", "queue", "QueueName",
    ref=lambda n, a: queue_url(None, a.region, a.account_id, n),
    attributes={
        "Arn": lambda n, a: a.arn("sqs", n),
        "QueueName": _name,
        "QueueUrl": lambda n, a: queue_url(None, a.region, a.account_id, n),
    },
    supported=_QUEUE_ATTRIBUTES | {"QueueName", "RedrivePolicy"},
    inert=_set("Tags"),
)


def _table_arn(name: str, arns: Arns) -> str:
    return arns.arn("dynamodb", f"table/{name}")


def _stream_arn_of_table(name: str, arns: Arns) -> str:
    # The real label is the table's creation time; where the ARN feeds an event source the
    # builder names the table instead (`build._Builder.event_source`), elsewhere it warns.
    return arns.arn("dynamodb", f"table/{name}/stream/*")


_TABLE = ResourceType(
    "AWS::DynamoDB::Table", "table", "TableName", ref=_name,
    attributes={"Arn": _table_arn, "StreamArn": _stream_arn_of_table},
    supported=_set("TableName KeySchema AttributeDefinitions BillingMode StreamSpecification "
                   "GlobalSecondaryIndexes LocalSecondaryIndexes TimeToLiveSpecification"),
    inert=_set("Tags SSESpecification PointInTimeRecoverySpecification DeletionProtectionEnabled "
               "TableClass ContributorInsightsSpecification ResourcePolicy ProvisionedThroughput "
               "OnDemandThroughput WarmThroughput"),
    unsupported=_set("KinesisStreamSpecification ImportSourceSpecification"),
)

_SIMPLE_TABLE = ResourceType(
    "AWS::Serverless::SimpleTable", "table", "TableName", ref=_name,
    attributes={"Arn": _table_arn},
    supported=_set("TableName PrimaryKey ProvisionedThroughput"),
    inert=_set("Tags SSESpecification PointInTimeRecoverySpecification"),
)

_STREAM = ResourceType(
    "AWS::Kinesis::Stream", "stream", "Name", ref=_name,
    attributes={"Arn": lambda n, a: a.arn("kinesis", f"stream/{n}")},
    supported=_set("Name ShardCount StreamModeDetails"),
    inert=_set("Tags StreamEncryption RetentionPeriodHours DesiredShardLevelMetrics "
               "MaxRecordSizeInKiB"),
)

_FUNCTION_INERT = _set(
    "Architectures AssumeRolePolicyDocument AutoPublishAlias AutoPublishAliasAllProperties "
    "AutoPublishCodeSha256 CodeSigningConfigArn DeploymentPreference Description "
    "EphemeralStorage KmsKeyArn LoggingConfig PermissionsBoundary Policies PropagateTags "
    "ProvisionedConcurrencyConfig Role RolePath RuntimeManagementConfig SnapStart "
    "SourceKMSKeyArn Tags Tracing VersionDescription VpcConfig")

_FUNCTION = ResourceType(
    "AWS::Serverless::Function", "function", "FunctionName", ref=_name,
    attributes={"Arn": lambda n, a: a.arn("lambda", f"function:{n}")},
    supported=_set("FunctionName Runtime Handler CodeUri Timeout MemorySize Environment "
                   "ReservedConcurrentExecutions EventInvokeConfig DeadLetterQueue Events "
                   "RecursiveLoop Layers"),
    inert=_FUNCTION_INERT,
    unsupported=_set("FileSystemConfigs FunctionUrlConfig ImageConfig "
                     "ImageUri InlineCode PackageType CapacityProviderConfig "
                     "FunctionScalingConfig DurableConfig"),
)

_MAPPING = ResourceType(
    "AWS::Lambda::EventSourceMapping", "mapping", None,
    ref=lambda n, a: "00000000-0000-0000-0000-000000000000",
    attributes={"Id": lambda n, a: "00000000-0000-0000-0000-000000000000"},
    supported=_set("FunctionName EventSourceArn BatchSize BisectBatchOnFunctionError "
                   "DestinationConfig Enabled FilterCriteria FunctionResponseTypes "
                   "MaximumBatchingWindowInSeconds MaximumRecordAgeInSeconds "
                   "MaximumRetryAttempts ParallelizationFactor ScalingConfig StartingPosition "
                   "StartingPositionTimestamp TumblingWindowInSeconds"),
    inert=_set("KmsKeyArn MetricsConfig Tags ProvisionedPollerConfig"),
    unsupported=_set("Queues SourceAccessConfigurations SelfManagedEventSource Topics "
                     "AmazonManagedKafkaEventSourceConfig SelfManagedKafkaEventSourceConfig "
                     "DocumentDBEventSourceConfig LoggingConfig"),
)

_LAYER = ResourceType(
    # Ref is the layer version's ARN; eventsim publishes the layer as version 1 of a fresh
    # state, and a function naming the layer gets whichever version the run published.
    "AWS::Serverless::LayerVersion", "layer", "LayerName",
    ref=lambda n, a: a.arn("lambda", f"layer:{n}:1"),
    attributes={},
    supported=_set("LayerName ContentUri CompatibleRuntimes Description"),
    inert=_set("LicenseInfo RetentionPolicy CompatibleArchitectures PublishLambdaVersion"),
)

TYPES: dict[str, ResourceType] = {t.name: t for t in (
    _BUCKET, _TOPIC, _SUBSCRIPTION, _QUEUE, _TABLE, _SIMPLE_TABLE, _STREAM, _FUNCTION, _MAPPING,
    _LAYER)}

INERT_TYPES: dict[str, tuple[Value, dict[str, Value]]] = {
    # Permissions and policies: eventsim checks none, so these are accepted and build nothing;
    # a Ref or GetAtt of one still gives a well-formed value.
    "AWS::Lambda::Permission": (_name, {}),
    "AWS::IAM::Role": (_name, {"Arn": lambda n, a: f"arn:aws:iam::{a.account_id}:role/{n}",
                               "RoleId": lambda n, a: f"AROA{n.upper()[:17]}"}),
    "AWS::IAM::Policy": (_name, {}),
    "AWS::IAM::ManagedPolicy": (lambda n, a: f"arn:aws:iam::{a.account_id}:policy/{n}", {}),
    "AWS::SQS::QueuePolicy": (_name, {}),
    "AWS::SNS::TopicPolicy": (_name, {}),
    "AWS::S3::BucketPolicy": (_name, {}),
    "AWS::Logs::LogGroup": (_name, {"Arn": lambda n, a: a.arn("logs", f"log-group:{n}:*")}),
}

UNSUPPORTED_TYPES = {
    "AWS::Lambda::Function": "use AWS::Serverless::Function with a CodeUri directory",
    "AWS::Serverless::Api": "eventsim simulates no API Gateway",
    "AWS::Serverless::HttpApi": "eventsim simulates no API Gateway",
}

ALIASES: dict[str, tuple[str, ...]] = {
    "bucket": ("AWS::S3::Bucket",),
    "topic": ("AWS::SNS::Topic",),
    "queue": ("AWS::SQS::Queue",),
    "table": ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"),
    "stream": ("AWS::Kinesis::Stream",),
    "function": ("AWS::Serverless::Function",),
}
"""Which resource types a scenario's ``bucket:``/``queue:``... fields may name."""
