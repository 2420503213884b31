"""Event source mappings: Lambda's CreateEventSourceMapping and friends.

Each method is one Lambda operation (``xform_name`` of its name, keyword-only members) and
answers with AWS's ``EventSourceMappingConfiguration`` shape, so the gateway routes the Lambda
API's ESM operations straight here. The pollers that do the work live in the engine
(`eventsim.pollers`); they learn of every change through `MappingService.listener`.

Defaults, ranges and messages follow the Lambda API reference (CreateEventSourceMapping) and
LocalStack's AWS-validated snapshots: streams take BatchSize 100, SQS 10; retries and record age
default to -1 (until the record expires); StartingPosition is required for streams, and
AT_TIMESTAMP is Kinesis's only; OnSuccess destinations are refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from eventsim.errors import (
    AwsError,
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from eventsim.ids import new_uuid
from eventsim.matching.patterns import PatternError, compile_pattern
from eventsim.services.base import ServiceContext
from eventsim.services.lambda_.arns import function_ref
from eventsim.services.lambda_.mapping_model import Mapping, source_kind_of
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.service import LambdaService

__all__ = ["MappingService"]

_STREAM_BATCH_DEFAULT = 100
_SQS_BATCH_DEFAULT = 10
_MAX_FILTERS = 5
_MAX_PATTERN = 4096


def _range_error(value: Any, member: str, low: int | None, high: int | None) -> None:
    if low is not None and value < low:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {low}"
        )
    if high is not None and value > high:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value less than or equal to {high}"
        )


def _user_error(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message, Type="User")


def _epoch(value: dt.datetime | float | int) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return float(value)


async def _no_listener(uuid: str) -> None:
    return None


class MappingService:
    """Create, read, update and delete event source mappings (``sim.mappings``)."""

    def __init__(
        self,
        ctx: ServiceContext,
        functions: LambdaService,
        source_exists: Callable[[str], Awaitable[bool]],
        queue_visibility: Callable[[str], int | None] = lambda arn: None,
    ) -> None:
        self._ctx = ctx
        self._functions = functions
        self._source_exists = source_exists
        self._queue_visibility = queue_visibility
        self._mappings: dict[str, Mapping] = {}
        self.listener: Callable[[str], Awaitable[None]] = _no_listener
        """Awaited with a mapping's UUID after each committed change (the poller manager)."""

    async def load(self) -> None:
        """Read every mapping into memory (called at start)."""
        rows = await self._ctx.db.read(lambda c: c.execute(
            "SELECT config FROM event_source_mappings ORDER BY created_at, uuid").fetchall())
        self._mappings = {}
        for row in rows:
            mapping = Mapping.from_json(row["config"])
            self._mappings[mapping.uuid] = mapping

    def peek(self, uuid: str) -> Mapping | None:
        """The mapping as it is now, or None (for the pollers' hot path)."""
        return self._mappings.get(uuid)

    def all(self) -> list[Mapping]:
        return list(self._mappings.values())

    # -- operations ------------------------------------------------------------------------

    async def create_event_source_mapping(
        self,
        *,
        function_name: str,
        event_source_arn: str | None = None,
        enabled: bool | None = None,
        batch_size: int | None = None,
        filter_criteria: dict[str, Any] | None = None,
        maximum_batching_window_in_seconds: int | None = None,
        parallelization_factor: int | None = None,
        starting_position: str | None = None,
        starting_position_timestamp: dt.datetime | float | None = None,
        destination_config: dict[str, Any] | None = None,
        maximum_record_age_in_seconds: int | None = None,
        bisect_batch_on_function_error: bool | None = None,
        maximum_retry_attempts: int | None = None,
        tumbling_window_in_seconds: int | None = None,
        function_response_types: list[str] | None = None,
        scaling_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CreateEventSourceMapping for a Kinesis stream, a DynamoDB stream or an SQS queue.

        Members not taken here (Tags, KMSKeyArn, MetricsConfig, Kafka and MQ settings...) are
        answered by the gateway as not implemented rather than ignored."""
        self._check_ranges(batch_size, maximum_batching_window_in_seconds,
                           parallelization_factor, maximum_record_age_in_seconds,
                           maximum_retry_attempts, tumbling_window_in_seconds)
        on_failure = self._on_failure(destination_config)
        if not event_source_arn:
            raise _user_error("Unrecognized event source.")
        kind = source_kind_of(event_source_arn)
        if kind is None:
            raise _user_error("Unrecognized event source.")
        if kind == "sqs":
            return await self._create_sqs(
                function_name, event_source_arn, enabled, batch_size, filter_criteria,
                maximum_batching_window_in_seconds, function_response_types, scaling_config)
        if not starting_position:
            raise _user_error("1 validation error detected: Value null at 'startingPosition' "
                              "failed to satisfy constraint: Member must not be null.")
        if starting_position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
            raise ValidationException(
                f"1 validation error detected: Value '{starting_position}' at "
                "'startingPosition' failed to satisfy constraint: Member must satisfy enum "
                "value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
            )
        if kind == "dynamodb" and starting_position == "AT_TIMESTAMP":
            raise _user_error(f"Unsupported starting position for arn type: {event_source_arn}")
        since: float | None = None
        if starting_position == "AT_TIMESTAMP":
            if starting_position_timestamp is None:
                raise _user_error("StartingPositionTimestamp must be set when StartingPosition "
                                  "is AT_TIMESTAMP.")
            since = _epoch(starting_position_timestamp)
            if since > self._ctx.clock.time():
                raise _user_error("StartingPositionTimestamp cannot be in the future.")
        self._check_filters(filter_criteria)
        self._check_response_types(function_response_types)
        function = self._target(function_name)
        if not await self._source_exists(event_source_arn):
            raise _user_error(f"Stream not found: {event_source_arn}")
        self._check_unique(function.invoked_arn, function.name, event_source_arn)
        uuid = new_uuid()
        now = self._ctx.clock.time()
        mapping = Mapping(
            uuid=uuid, arn=self._arn(uuid), function_name=function.ref,
            function_arn=function.invoked_arn,
            event_source_arn=event_source_arn, kind=kind,
            batch_size=batch_size or _STREAM_BATCH_DEFAULT,
            maximum_batching_window=maximum_batching_window_in_seconds or 0,
            starting_position=starting_position, starting_position_timestamp=since,
            parallelization_factor=parallelization_factor or 1,
            filter_criteria=filter_criteria or None,
            maximum_retry_attempts=-1 if maximum_retry_attempts is None
            else maximum_retry_attempts,
            maximum_record_age=-1 if maximum_record_age_in_seconds is None
            else maximum_record_age_in_seconds,
            bisect=bool(bisect_batch_on_function_error),
            function_response_types=list(function_response_types or []),
            on_failure=on_failure, tumbling_window=tumbling_window_in_seconds or 0,
            enabled=True if enabled is None else bool(enabled), last_modified=now,
        )
        return await self._insert(mapping)

    async def _create_sqs(
        self, function_name: str, queue_arn: str, enabled: bool | None, batch_size: int | None,
        filter_criteria: dict[str, Any] | None, window: int | None,
        function_response_types: list[str] | None, scaling_config: dict[str, Any] | None,
    ) -> dict[str, Any]:
        fifo = queue_arn.endswith(".fifo")
        size = _SQS_BATCH_DEFAULT if batch_size is None else batch_size
        if fifo and size > 10:
            raise _user_error("Batch size for FIFO queues must be between 1 and 10.")
        if size > 10 and not window:
            raise _user_error("Maximum batch window in seconds must be greater than 0 if "
                              "maximum batch size is greater than 10")
        if fifo and window:
            raise _user_error("Batching window is not supported for FIFO queues")
        concurrency = None
        if scaling_config and scaling_config.get("MaximumConcurrency") is not None:
            concurrency = int(scaling_config["MaximumConcurrency"])
            _range_error(concurrency, "scalingConfig.maximumConcurrency", 2, 1000)
        self._check_filters(filter_criteria)
        self._check_response_types(function_response_types)
        function = self._target(function_name)
        if not await self._source_exists(queue_arn):
            raise _user_error(
                "Error occurred while ReceiveMessage. SQS Error Code: "
                "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified "
                "queue does not exist.")
        visibility = self._queue_visibility(queue_arn)
        if visibility is not None and visibility < function.timeout:
            raise _user_error(f"Queue visibility timeout: {visibility} seconds is less than "
                              f"Function timeout: {function.timeout} seconds")
        for other in self._mappings.values():
            if other.function_arn == function.invoked_arn and \
                    other.event_source_arn == queue_arn:
                raise ResourceConflictException(
                    f'An event source mapping with SQS arn (" {queue_arn} ") and function '
                    f'(" {function.name} ") already exists. Please update or delete the '
                    f"existing mapping with UUID {other.uuid}", Type="User")
        uuid = new_uuid()
        return await self._insert(Mapping(
            uuid=uuid, arn=self._arn(uuid), function_name=function.ref,
            function_arn=function.invoked_arn, event_source_arn=queue_arn, kind="sqs",
            batch_size=size,
            maximum_batching_window=window or 0, filter_criteria=filter_criteria or None,
            function_response_types=list(function_response_types or []),
            maximum_concurrency=concurrency,
            enabled=True if enabled is None else bool(enabled),
            last_modified=self._ctx.clock.time(), state_reason="USER_INITIATED",
        ))

    def _target(self, function_name: str) -> FunctionConfig:
        """The function (and version or alias) a mapping invokes; AWS's error if missing."""
        try:
            return self._functions.resolve(function_name)
        except AwsError:
            raise _user_error("Function does not exist") from None

    def _arn(self, uuid: str) -> str:
        return (f"arn:aws:lambda:{self._ctx.region}:{self._ctx.account_id}:"
                f"event-source-mapping:{uuid}")

    def _check_unique(self, function_arn: str, function_name: str, source: str) -> None:
        for other in self._mappings.values():
            if other.function_arn == function_arn and other.event_source_arn == source:
                raise ResourceConflictException(
                    f'The event source arn (" {source} ") and function '
                    f'(" {function_name} ") provided mapping already exists. Please update or '
                    f"delete the existing mapping with UUID {other.uuid}",
                    Type="User",
                )

    async def _insert(self, mapping: Mapping) -> dict[str, Any]:
        now = mapping.last_modified
        await self._ctx.db.write(lambda c: c.execute(
            "INSERT INTO event_source_mappings (uuid, config, created_at) VALUES (?,?,?)",
            (mapping.uuid, mapping.to_json(), now)))
        self._mappings[mapping.uuid] = mapping
        await self.listener(mapping.uuid)
        return mapping.describe(state="Creating")

    async def get_event_source_mapping(self, *, uuid: str) -> dict[str, Any]:
        """GetEventSourceMapping."""
        return self._get(uuid).describe()

    async def list_event_source_mappings(
        self,
        *,
        event_source_arn: str | None = None,
        function_name: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        """ListEventSourceMappings, in creation order, paged by an opaque marker."""
        if max_items is not None:
            _range_error(max_items, "maxItems", 1, 10000)
        wanted = None if function_name is None else function_ref(function_name)
        # An unqualified name lists the function's mappings of every qualifier; a qualified
        # one, those of that version or alias.
        found = [m for m in self._mappings.values()
                 if (event_source_arn is None or m.event_source_arn == event_source_arn)
                 and (wanted is None or m.function_name == wanted
                      or (":" not in wanted and m.function_name.split(":")[0] == wanted))]
        start = 0
        if marker:
            try:
                start = int(marker)
            except ValueError:
                raise _user_error("Invalid marker.") from None
        page = max_items or 100
        out: dict[str, Any] = {
            "EventSourceMappings": [m.describe() for m in found[start:start + page]]
        }
        if start + page < len(found):
            out["NextMarker"] = str(start + page)
        return out

    async def update_event_source_mapping(
        self,
        *,
        uuid: str,
        function_name: str | None = None,
        enabled: bool | None = None,
        batch_size: int | None = None,
        filter_criteria: dict[str, Any] | None = None,
        maximum_batching_window_in_seconds: int | None = None,
        parallelization_factor: int | None = None,
        destination_config: dict[str, Any] | None = None,
        maximum_record_age_in_seconds: int | None = None,
        bisect_batch_on_function_error: bool | None = None,
        maximum_retry_attempts: int | None = None,
        tumbling_window_in_seconds: int | None = None,
        function_response_types: list[str] | None = None,
        scaling_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """UpdateEventSourceMapping: change what is given; Enabled pauses or resumes the
        pollers, which go on from their checkpoints."""
        current = self._get(uuid)
        self._check_ranges(batch_size, maximum_batching_window_in_seconds,
                           parallelization_factor, maximum_record_age_in_seconds,
                           maximum_retry_attempts, tumbling_window_in_seconds)
        self._check_filters(filter_criteria)
        self._check_response_types(function_response_types)
        changes: dict[str, Any] = {}
        if destination_config is not None:
            changes["on_failure"] = self._on_failure(destination_config)
        if function_name is not None:
            function = self._target(function_name)
            changes["function_name"] = function.ref
            changes["function_arn"] = function.invoked_arn
        for attr, value in (
            ("enabled", enabled), ("batch_size", batch_size),
            ("maximum_batching_window", maximum_batching_window_in_seconds),
            ("parallelization_factor", parallelization_factor),
            ("maximum_record_age", maximum_record_age_in_seconds),
            ("bisect", bisect_batch_on_function_error),
            ("maximum_retry_attempts", maximum_retry_attempts),
            ("tumbling_window", tumbling_window_in_seconds),
        ):
            if value is not None:
                changes[attr] = value
        if filter_criteria is not None:
            changes["filter_criteria"] = filter_criteria or None
        if function_response_types is not None:
            changes["function_response_types"] = list(function_response_types)
        if scaling_config is not None and current.kind == "sqs":
            concurrency = scaling_config.get("MaximumConcurrency")
            if concurrency is not None:
                _range_error(int(concurrency), "scalingConfig.maximumConcurrency", 2, 1000)
            changes["maximum_concurrency"] = None if concurrency is None else int(concurrency)
        transition = "Updating"
        if enabled is not None and bool(enabled) != current.enabled:
            transition = "Enabling" if enabled else "Disabling"
        updated = dataclasses.replace(current, **changes,
                                      last_modified=self._ctx.clock.time())
        await self._ctx.db.write(lambda c: c.execute(
            "UPDATE event_source_mappings SET config = ? WHERE uuid = ?",
            (updated.to_json(), uuid)))
        self._mappings[uuid] = updated
        await self.listener(uuid)
        return updated.describe(state=transition)

    async def delete_event_source_mapping(self, *, uuid: str) -> dict[str, Any]:
        """DeleteEventSourceMapping: the mapping and its checkpoints go in one unit."""
        mapping = self._get(uuid)

        def unit(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM event_source_mappings WHERE uuid = ?", (uuid,))
            conn.execute("DELETE FROM esm_checkpoints WHERE uuid = ?", (uuid,))

        await self._ctx.db.write(unit)
        self._mappings.pop(uuid, None)
        await self.listener(uuid)
        return mapping.describe(state="Deleting")

    # -- used by the pollers -----------------------------------------------------------------

    def note_result(self, uuid: str, result: str) -> bool:
        """Set LastProcessingResult in memory; True when it changed (the caller persists it
        in the unit it is writing, with `save_sql`)."""
        mapping = self._mappings.get(uuid)
        if mapping is None or mapping.last_result == result:
            return False
        mapping.last_result = result
        return True

    def save_row(self, uuid: str) -> tuple[str, str] | None:
        """(config JSON, uuid): the parameters that store the mapping as it now is."""
        mapping = self._mappings.get(uuid)
        return None if mapping is None else (mapping.to_json(), uuid)

    # -- checks ------------------------------------------------------------------------------

    def _get(self, uuid: str) -> Mapping:
        mapping = self._mappings.get(uuid)
        if mapping is None:
            raise ResourceNotFoundException("The resource you requested does not exist.",
                                            Type="User")
        return mapping

    @staticmethod
    def _check_ranges(
        batch_size: int | None, window: int | None, parallelization: int | None,
        record_age: int | None, retries: int | None, tumbling: int | None,
    ) -> None:
        for value, member, low, high in (
            (batch_size, "batchSize", 1, 10000),
            (window, "maximumBatchingWindowInSeconds", 0, 300),
            (parallelization, "parallelizationFactor", 1, 10),
            (record_age, "maximumRecordAgeInSeconds", -1, 604800),
            (retries, "maximumRetryAttempts", -1, 10000),
            (tumbling, "tumblingWindowInSeconds", 0, 900),
        ):
            if value is not None:
                _range_error(value, member, low, high)
        if record_age is not None and 0 <= record_age < 60:
            # The model allows -1..604800, the service only -1 or 60 and up.
            raise _user_error("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800 "
                              "seconds.")

    @staticmethod
    def _on_failure(destination_config: dict[str, Any] | None) -> str | None:
        if not destination_config:
            return None
        if "OnSuccess" in destination_config:
            raise _user_error(
                "Unsupported DestinationConfig parameter for given event source mapping type.")
        destination = (destination_config.get("OnFailure") or {}).get("Destination")
        if not destination:
            return None
        service = destination.split(":")[2] if destination.count(":") >= 5 else ""
        if service not in ("sqs", "sns", "s3"):
            raise _user_error(
                f"The provided destination config DestinationConfig(onSuccess=null, "
                f"onFailure=OnFailure(destination={destination})) is invalid. The destination "
                "must be an SQS queue, an SNS topic or an S3 bucket.")
        return str(destination)

    @staticmethod
    def _check_filters(filter_criteria: dict[str, Any] | None) -> None:
        if filter_criteria is None:
            return
        filters = filter_criteria.get("Filters") or []
        if len(filters) > _MAX_FILTERS:
            raise _user_error("Invalid filter pattern definition.")
        for item in filters:
            text = item.get("Pattern") if isinstance(item, dict) else None
            if not text or not isinstance(text, str) or len(text) > _MAX_PATTERN:
                raise _user_error("Invalid filter pattern definition.")
            try:
                compile_pattern(json.loads(text))
            except (ValueError, PatternError):
                raise _user_error("Invalid filter pattern definition.") from None

    @staticmethod
    def _check_response_types(types: list[str] | None) -> None:
        for value in types or []:
            if value != "ReportBatchItemFailures":
                raise ValidationException(
                    f"1 validation error detected: Value '[{value}]' at 'functionResponseTypes' "
                    "failed to satisfy constraint: Member must satisfy constraint: [Member must "
                    "satisfy enum value set: [ReportBatchItemFailures]]"
                )
