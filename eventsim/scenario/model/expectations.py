"""``expect:``: what must be true once the steps ran and the simulator settled.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from eventsim.scenario.model._base import _Keyed, _Model, _single_key

_EXPECT_KINDS = ("invocations, object, item, queue, stream, table_stream, logs, order or "
                 "loop_detected")

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
