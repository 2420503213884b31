"""``expect:``: what must be true once the steps ran and the simulator settled.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from eventsim.scenario.model._base import _Keyed, _Model, _single_key

_EXPECT_KINDS = ("invocations, object, item, queue, stream, table_stream, logs, order, "
                 "trace or loop_detected")

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
    """Functions first ran in this order (each one's first invocation started no earlier
    than the previous one's: on a virtual clock, invocations running at once may tie)."""

    KIND: ClassVar[str] = "order"
    functions: list[str] = Field(min_length=2)


class S3Origin(_Model):
    """An S3 event: ``{bucket: uploads, key: cats/*.jpg, event: ObjectCreated:*}``."""

    bucket: str
    key: str = "*"
    """The object key; ``*`` and ``?`` are wildcards."""
    event: str | None = None
    """The event type, ``ObjectCreated:Put`` or ``ObjectCreated:*`` (``s3:`` optional)."""


class TraceOrigin(_Model):
    """What started a trace: exactly one of an S3 event, a direct ``invoke`` of a function,
    a publish to a ``topic``, or a batch from a ``queue``, a Kinesis ``stream`` or a
    ``table``'s stream (each by name)."""

    s3: S3Origin | None = None
    invoke: str | None = None
    topic: str | None = None
    queue: str | None = None
    stream: str | None = None
    table: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TraceOrigin:
        given = [n for n in type(self).model_fields if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of s3, invoke, topic, queue, stream or table")
        return self

    def describe(self) -> str:
        """``s3 uploads/cats/*.jpg``, ``invoke place-order`` ..., for messages."""
        if self.s3 is not None:
            event = f" {self.s3.event}" if self.s3.event else ""
            return f"s3{event} {self.s3.bucket}/{self.s3.key}"
        for name in ("invoke", "topic", "queue", "stream", "table"):
            value = getattr(self, name)
            if value is not None:
                return f"{name} {value}"
        raise AssertionError("validated to have one origin")


class TraceOutcome(_Model):
    """Where an asynchronous event of the trace ended: its ``condition`` and/or the
    ``destination`` it went to (a queue, topic or function by name; ``*`` a wildcard)."""

    condition: Literal["Success", "RetriesExhausted", "EventAgeExceeded"] | None = None
    destination: str | None = None

    @model_validator(mode="after")
    def _something(self) -> TraceOutcome:
        if self.condition is None and self.destination is None:
            raise ValueError("give condition, destination or both")
        return self

    def describe(self) -> str:
        """``RetriesExhausted at charge-dlq``, ``at charge-dlq``, for messages."""
        where = f"at {self.destination}" if self.destination else ""
        return " ".join(p for p in (self.condition or "", where) if p)


class TraceExpectation(CountedExpectation):
    """Traces (causal chains, one per originating event) that started from ``from``, went
    through each step of ``chain`` in order, and were ``depth`` invocations deep.

    A ``chain`` step is a function's name (one of its invocations) or a write a handler
    made, ``service:Operation resource`` (``s3:PutObject thumbnails/*``, ``sns:Publish
    orders``; the resource by name, ``*`` a wildcard). Each step must follow from the one
    before (directly or further down), the first from the origin. ``outcome`` is where an
    asynchronous event of the trace ended after the chain (a DLQ, a destination). Without
    ``count`` or ``min_count``, at least one such trace is expected.
    """

    KIND: ClassVar[str] = "trace"
    origin: TraceOrigin | None = Field(default=None, alias="from")
    chain: list[str] = Field(default_factory=list)
    depth: int | None = Field(default=None, ge=0)
    """The longest chain of invocations, exactly (1: the first function wrote nothing that
    invoked another)."""
    max_depth: int | None = Field(default=None, ge=0)
    outcome: TraceOutcome | None = None

    @field_validator("chain")
    @classmethod
    def _steps(cls, chain: list[str]) -> list[str]:
        for step in chain:
            kind, _, _ = step.partition(" ")
            if not step.strip() or (" " in step and ":" not in kind):
                raise ValueError(f"{step!r} is neither a function name nor a write like "
                                 "'s3:PutObject thumbnails/*'")
        return chain

    @model_validator(mode="after")
    def _depth_or_max(self) -> TraceExpectation:
        if self.depth is not None and self.max_depth is not None:
            raise ValueError("give depth or max_depth, not both")
        return self


Expectation = Annotated[
    Annotated[InvocationsExpectation, Tag("invocations")]
    | Annotated[ObjectExpectation, Tag("object")]
    | Annotated[ItemExpectation, Tag("item")]
    | Annotated[QueueExpectation, Tag("queue")]
    | Annotated[StreamExpectation, Tag("stream")]
    | Annotated[TableStreamExpectation, Tag("table_stream")]
    | Annotated[LogsExpectation, Tag("logs")]
    | Annotated[OrderExpectation, Tag("order")]
    | Annotated[TraceExpectation, Tag("trace")]
    | Annotated[LoopDetectedExpectation, Tag("loop_detected")],
    Discriminator(
        _single_key,
        custom_error_type="expectation_kind",
        custom_error_message=f"an expectation is a mapping with one key: {_EXPECT_KINDS}",
    ),
]
