"""A function's ``Events``: SAM's S3, SNS, SQS, DynamoDB and Kinesis event sources, by ``Type``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    field_validator,
)

from eventsim.scenario.model._base import LogicalName, OneOrMany, _Model
from eventsim.services.s3.event_types import EVENT_TYPES


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

    bucket: LogicalName = Field(alias="Bucket")
    events: OneOrMany = Field(alias="Events")
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
    destination: LogicalName = Field(alias="Destination")


class DestinationConfigSpec(_Model):
    on_failure: OnFailureSpec | None = Field(default=None, alias="OnFailure")


class FilterSpec(_Model):
    pattern: str = Field(alias="Pattern")


class FilterCriteriaSpec(_Model):
    filters: list[FilterSpec] = Field(alias="Filters")


class KinesisEventProperties(_Model):
    """SAM's Kinesis event source (an event source mapping): ``Stream`` is a stream of
    ``resources.streams`` by name (or ``!Ref``), or a stream ARN."""

    stream: LogicalName = Field(alias="Stream")
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

    queue: LogicalName = Field(alias="Queue")
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

    topic: LogicalName = Field(alias="Topic")
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
