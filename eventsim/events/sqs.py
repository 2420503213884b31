"""SQS records as Lambda receives them from an SQS event source mapping.

The record keeps ReceiveMessage's values but renames them in lower camel case, turns message
attributes into ``{stringValue | binaryValue (base64), stringListValues, binaryListValues,
dataType}`` and adds where the message came from.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

__all__ = ["sqs_event", "sqs_record"]


def sqs_record(
    *,
    message_id: str,
    receipt_handle: str,
    body: str,
    md5_of_body: str,
    attributes: Mapping[str, str],
    message_attributes: Mapping[str, Mapping[str, Any]],
    md5_of_message_attributes: str | None,
    queue_arn: str,
    region: str,
) -> dict[str, Any]:
    """One record of an SQS event. `message_attributes` are as ReceiveMessage returns them
    (``DataType``, ``StringValue`` or ``BinaryValue`` bytes)."""
    record: dict[str, Any] = {
        "messageId": message_id,
        "receiptHandle": receipt_handle,
        "body": body,
        "attributes": dict(attributes),
        "messageAttributes": {
            name: _attribute(value) for name, value in message_attributes.items()
        },
    }
    if md5_of_message_attributes is not None:
        record["md5OfMessageAttributes"] = md5_of_message_attributes
    record.update({
        "md5OfBody": md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    })
    return record


def _attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    if value.get("StringValue") is not None:
        shaped["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        shaped["binaryValue"] = base64.b64encode(bytes(value["BinaryValue"])).decode("ascii")
    shaped["stringListValues"] = []
    shaped["binaryListValues"] = []
    shaped["dataType"] = value["DataType"]
    return shaped


def sqs_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event a function gets: ``{"Records": [...]}``."""
    return {"Records": records}
