"""What a scenario file may say: pydantic models of the YAML a user writes.

A scenario has four parts::

    Scenario
    ├── resources: buckets, streams, queues
    ├── functions: {name: FunctionSpec}     SAM's AWS::Serverless::Function properties
    │   └── Events: {name: EventSpec}       SAM's event sources (Type: S3, Kinesis, SQS)
    ├── steps:  [put_object | delete_object | invoke | settle | advance_clock]
    └── expect: [invocations | object | loop_detected]

Function and event properties keep SAM's PascalCase names (aliases), so a user can paste them
from a template; everything eventsim adds is snake_case. Every model forbids unknown fields.
Steps and expectations are single-key mappings (``- put_object: {...}``); the key picks the
model, and errors point at ``steps[0].put_object.bucket``.
"""

from __future__ import annotations

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
    "DeleteObjectStep",
    "EventInvokeConfig",
    "EventSpec",
    "Expectation",
    "FunctionSpec",
    "ImageExpectation",
    "InvocationsExpectation",
    "InvokeStep",
    "KinesisEventProperties",
    "KinesisEventSpec",
    "LoopDetectedExpectation",
    "ObjectExpectation",
    "PutObjectStep",
    "Resources",
    "S3EventProperties",
    "S3EventSpec",
    "SQSEventProperties",
    "SQSEventSpec",
    "Scenario",
    "SettleStep",
    "Step",
    "StreamResource",
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
    """SAM writes ``Bucket: !Ref Uploads`` (or ``{Ref: Uploads}``); take the logical name."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"]
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


class Resources(_Model):
    """What exists before the first step."""

    buckets: list[BucketName] = Field(default_factory=list)
    streams: list[Annotated[StreamResource, BeforeValidator(_stream_resource)]] = Field(
        default_factory=list)
    queues: list[Annotated[str, Field(pattern=r"^[a-zA-Z0-9_-]{1,80}(\.fifo)?$")]] = Field(
        default_factory=list)
    """SQS queues by name (``.fifo`` makes a FIFO queue)."""

    @field_validator("buckets")
    @classmethod
    def _unique(cls, buckets: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in buckets:
            if name in seen:
                raise ValueError(f"bucket {name} is listed twice")
            seen.add(name)
        return buckets


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
    destination: str = Field(alias="Destination")


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


EventSpec = Annotated[S3EventSpec | KinesisEventSpec | SQSEventSpec,
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


def _single_key(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if isinstance(key, str) else None
    return None


_STEP_KINDS = "put_object, delete_object, invoke, settle or advance_clock"
_EXPECT_KINDS = "invocations, object or loop_detected"

Step = Annotated[
    Annotated[PutObjectStep, Tag("put_object")]
    | Annotated[DeleteObjectStep, Tag("delete_object")]
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


Expectation = Annotated[
    Annotated[InvocationsExpectation, Tag("invocations")]
    | Annotated[ObjectExpectation, Tag("object")]
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
