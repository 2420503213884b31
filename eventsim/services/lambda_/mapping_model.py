"""An event source mapping as the simulator holds it, and its AWS output shape.

One `Mapping` per mapping, kept in memory by `MappingService` and stored as JSON in
``event_source_mappings``. `describe()` gives Lambda's ``EventSourceMappingConfiguration``
(the answer of Create/Get/Update/Delete and each entry of List), in the key order AWS
answers with (LocalStack's AWS-validated snapshots).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Mapping", "SourceKind", "source_kind_of"]

SourceKind = Literal["kinesis", "dynamodb", "sqs"]


def source_kind_of(arn: str) -> SourceKind | None:
    """Which kind of event source an ARN names (None for anything eventsim cannot poll)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if service == "kinesis" and resource.startswith("stream/"):
        return "kinesis"
    if service == "dynamodb" and resource.startswith("table/") and "/stream/" in resource:
        return "dynamodb"
    if service == "sqs":
        return "sqs"
    return None


@dataclass(slots=True)
class Mapping:
    """One event source mapping: its settings and the state AWS reports."""

    uuid: str
    arn: str
    function_name: str
    function_arn: str
    event_source_arn: str
    kind: SourceKind
    batch_size: int
    maximum_batching_window: int = 0
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    parallelization_factor: int = 1
    filter_criteria: dict[str, Any] | None = None
    maximum_retry_attempts: int = -1
    maximum_record_age: int = -1
    bisect: bool = False
    function_response_types: list[str] = field(default_factory=list)
    on_failure: str | None = None
    tumbling_window: int = 0
    maximum_concurrency: int | None = None
    enabled: bool = True
    last_modified: float = 0.0
    last_result: str = "No records processed"
    state_reason: str = "User action"

    @property
    def state(self) -> str:
        return "Enabled" if self.enabled else "Disabled"

    @property
    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        return cls(**json.loads(text))

    def describe(self, state: str | None = None) -> dict[str, Any]:
        """The EventSourceMappingConfiguration shape; `state` overrides State for the answers
        that report a transition (Creating, Enabling, Disabling, Updating, Deleting)."""
        out: dict[str, Any] = {"UUID": self.uuid}
        if self.kind != "sqs":
            out["StartingPosition"] = self.starting_position
            if self.starting_position_timestamp is not None:
                out["StartingPositionTimestamp"] = dt.datetime.fromtimestamp(
                    self.starting_position_timestamp, tz=dt.UTC)
        out["BatchSize"] = self.batch_size
        out["MaximumBatchingWindowInSeconds"] = self.maximum_batching_window
        if self.kind != "sqs":
            out["ParallelizationFactor"] = self.parallelization_factor
        out["EventSourceArn"] = self.event_source_arn
        if self.filter_criteria is not None:
            out["FilterCriteria"] = self.filter_criteria
        if self.kind == "sqs" and self.maximum_concurrency is not None:
            out["ScalingConfig"] = {"MaximumConcurrency": self.maximum_concurrency}
        out["FunctionArn"] = self.function_arn
        out["LastModified"] = dt.datetime.fromtimestamp(self.last_modified, tz=dt.UTC)
        if self.kind != "sqs":
            out["LastProcessingResult"] = self.last_result
        out["State"] = state or self.state
        out["StateTransitionReason"] = self.state_reason
        if self.kind != "sqs":
            out["DestinationConfig"] = {
                "OnFailure": {} if self.on_failure is None else {"Destination": self.on_failure}
            }
            out["MaximumRecordAgeInSeconds"] = self.maximum_record_age
            out["BisectBatchOnFunctionError"] = self.bisect
            out["MaximumRetryAttempts"] = self.maximum_retry_attempts
            out["TumblingWindowInSeconds"] = self.tumbling_window
        out["FunctionResponseTypes"] = list(self.function_response_types)
        out["EventSourceMappingArn"] = self.arn
        return out
