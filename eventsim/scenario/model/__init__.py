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
                 order | trace | loop_detected]

Function and event properties keep SAM's PascalCase names (aliases), so a user can paste them
from a template; everything eventsim adds is snake_case. Every model forbids unknown fields.
Steps and expectations are single-key mappings (``- put_object: {...}``); the key picks the
model, and errors point at ``steps[0].put_object.bucket``.

The models live in small modules (``resources``, ``events``, ``functions``, ``steps``,
``expectations``, ``scenario``, with shared pieces in ``_base``); every name is re-exported
here, so ``from eventsim.scenario.model import X`` keeps working.
"""

from eventsim.scenario.model._base import (
    CfnString,
    LogicalName,
    OneOrMany,
)
from eventsim.scenario.model._base import _Keyed as _Keyed
from eventsim.scenario.model._base import _Model as _Model
from eventsim.scenario.model._base import _ref as _ref
from eventsim.scenario.model.events import (
    DestinationConfigSpec,
    DynamoDBEventProperties,
    DynamoDBEventSpec,
    EventSpec,
    FilterCriteriaSpec,
    FilterRule,
    FilterSpec,
    KinesisEventProperties,
    KinesisEventSpec,
    OnFailureSpec,
    S3EventProperties,
    S3EventSpec,
    S3Filter,
    S3KeyFilter,
    ScalingConfigSpec,
    SNSEventProperties,
    SNSEventSpec,
    SQSEventProperties,
    SQSEventSpec,
)
from eventsim.scenario.model.expectations import (
    CountedExpectation,
    Expectation,
    ImageExpectation,
    InvocationsExpectation,
    ItemExpectation,
    LogsExpectation,
    LoopDetectedExpectation,
    ObjectExpectation,
    OrderExpectation,
    QueueExpectation,
    S3Origin,
    StreamExpectation,
    TableStreamExpectation,
    TraceExpectation,
    TraceOrigin,
    TraceOutcome,
)
from eventsim.scenario.model.functions import (
    AsyncDestinationConfig,
    DeadLetterQueueSpec,
    EnvironmentSpec,
    EventInvokeConfig,
    FunctionSpec,
    handler_module_path,
)
from eventsim.scenario.model.resources import (
    AttributeDefinition,
    BucketName,
    KeySchemaElement,
    QueueResource,
    RedrivePolicySpec,
    Resources,
    StreamResource,
    StreamSpecificationSpec,
    SubscriptionResource,
    TableResource,
    TopicResource,
)
from eventsim.scenario.model.scenario import (
    Scenario,
    line_of,
    resolve_path,
)
from eventsim.scenario.model.steps import (
    AdvanceClockStep,
    DeleteItemStep,
    DeleteObjectStep,
    InvokeStep,
    KinesisRecordSpec,
    PublishStep,
    PutItemStep,
    PutObjectStep,
    PutRecordsStep,
    PutRecordStep,
    RecordsFromStep,
    SendMessageStep,
    SettleStep,
    Step,
    UpdateItemStep,
)

__all__ = [
    "AdvanceClockStep",
    "AsyncDestinationConfig",
    "AttributeDefinition",
    "BucketName",
    "CfnString",
    "CountedExpectation",
    "DeadLetterQueueSpec",
    "DeleteItemStep",
    "DeleteObjectStep",
    "DestinationConfigSpec",
    "DynamoDBEventProperties",
    "DynamoDBEventSpec",
    "EnvironmentSpec",
    "EventInvokeConfig",
    "EventSpec",
    "Expectation",
    "FilterCriteriaSpec",
    "FilterRule",
    "FilterSpec",
    "FunctionSpec",
    "ImageExpectation",
    "InvocationsExpectation",
    "InvokeStep",
    "ItemExpectation",
    "KeySchemaElement",
    "KinesisEventProperties",
    "KinesisEventSpec",
    "KinesisRecordSpec",
    "LogicalName",
    "LogsExpectation",
    "LoopDetectedExpectation",
    "ObjectExpectation",
    "OnFailureSpec",
    "OneOrMany",
    "OrderExpectation",
    "PublishStep",
    "PutItemStep",
    "PutObjectStep",
    "PutRecordStep",
    "PutRecordsStep",
    "QueueExpectation",
    "QueueResource",
    "RecordsFromStep",
    "RedrivePolicySpec",
    "Resources",
    "S3EventProperties",
    "S3EventSpec",
    "S3Filter",
    "S3KeyFilter",
    "S3Origin",
    "SNSEventProperties",
    "SNSEventSpec",
    "SQSEventProperties",
    "SQSEventSpec",
    "ScalingConfigSpec",
    "Scenario",
    "SendMessageStep",
    "SettleStep",
    "Step",
    "StreamExpectation",
    "StreamResource",
    "StreamSpecificationSpec",
    "SubscriptionResource",
    "TableResource",
    "TableStreamExpectation",
    "TopicResource",
    "TraceExpectation",
    "TraceOrigin",
    "TraceOutcome",
    "UpdateItemStep",
    "handler_module_path",
    "line_of",
    "resolve_path",
]
