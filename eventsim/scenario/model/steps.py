"""``steps:``: every service's writes, raw invocation, settling and the clock, in order.
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



_STEP_KINDS = ("put_object, delete_object, publish, send_message, put_item, update_item, "
               "delete_item, put_record, put_records, records_from, invoke, settle or "
               "advance_clock")

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
