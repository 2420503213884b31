"""The rules of one message: body and attribute validation, digests, receipt handles, and which
attributes a receiver asked for.

All pure functions: the service calls them before (or inside) its units.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eventsim.ids import random_hex
from eventsim.services.sqs.errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
    ReceiptHandleIsInvalid,
)

__all__ = [
    "MAX_ATTRIBUTES",
    "Handle",
    "attributes_md5",
    "body_md5",
    "decode_attributes",
    "encode_attributes",
    "message_size",
    "new_receipt_handle",
    "parse_receipt_handle",
    "select_message_attributes",
    "select_system_attributes",
    "validate_body",
    "validate_message_attributes",
]

MAX_ATTRIBUTES = 10
"""Message attributes per message."""

SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)

# What SQS accepts in a body or a string attribute: the XML character range.
_INVALID_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def body_md5(body: str) -> str:
    """MD5OfMessageBody: hex MD5 of the UTF-8 body."""
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _length_prefixed(value: bytes) -> bytes:
    return struct.pack("!I", len(value)) + value


def attributes_md5(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """MD5OfMessageAttributes, as SQS computes it: over the attributes sorted by name, each as
    length-prefixed name, length-prefixed data type, a transport byte (1 string, 2 binary) and
    the length-prefixed value. None when there are no attributes."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        digest.update(_length_prefixed(name.encode("utf-8")))
        digest.update(_length_prefixed(str(value["DataType"]).encode("utf-8")))
        if value.get("StringValue") is not None:
            digest.update(b"\x01")
            digest.update(_length_prefixed(str(value["StringValue"]).encode("utf-8")))
        elif value.get("BinaryValue") is not None:
            digest.update(b"\x02")
            digest.update(_length_prefixed(_as_bytes(value["BinaryValue"])))
    return digest.hexdigest()


def _as_bytes(value: bytes | bytearray | str) -> bytes:
    return bytes(value) if isinstance(value, bytes | bytearray) else value.encode("utf-8")


def validate_body(body: str | None) -> str:
    """A body must be present, non-empty and made of allowed characters."""
    if body is None or body == "":
        raise MissingParameter("MessageBody")
    if _INVALID_CHARS.search(body):
        raise InvalidMessageContents()
    return body


def validate_message_attributes(
    attributes: Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, dict[str, Any]]:
    """Check user message attributes the way SQS does; return them normalised (bytes for
    binary values, only DataType and the value key)."""
    if not attributes:
        return {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    result: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if not _ATTRIBUTE_NAME.match(name) or name.startswith(".") or name.endswith(".") \
                or ".." in name or name.lower().startswith(("aws.", "amazon.")):
            raise InvalidParameterValue(
                f"The message attribute name '{name}' is invalid. Attribute name can contain "
                "A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
            )
        data_type = value.get("DataType")
        if not data_type:
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                "value."
            )
        prefix = str(data_type).split(".", 1)[0]
        if prefix not in ("String", "Number", "Binary"):
            raise InvalidParameterValue(
                f"The message attribute '{name}' has an invalid message attribute type, the set "
                "of supported type prefixes is Binary, Number, and String."
            )
        if prefix == "Binary":
            binary = value.get("BinaryValue")
            if binary is None or len(binary) == 0:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type 'Binary' must use field "
                    "'Binary'."
                )
            result[name] = {"DataType": data_type, "BinaryValue": _as_bytes(binary)}
            continue
        string = value.get("StringValue")
        if string is None or string == "":
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                f"value for message attribute type '{prefix}'."
            )
        string = str(string)
        if prefix == "Number" and not _NUMBER.match(string):
            raise InvalidParameterValue(
                f"Can't cast the value of message (user) attribute '{name}' to a number."
            )
        if _INVALID_CHARS.search(string):
            raise InvalidMessageContents()
        result[name] = {"DataType": data_type, "StringValue": string}
    return result


def message_size(body: str, attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """The size SQS holds against MaximumMessageSize: body plus every attribute's name, type
    and value, in bytes."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(str(value["DataType"]).encode("utf-8"))
        if "BinaryValue" in value:
            size += len(value["BinaryValue"])
        else:
            size += len(str(value.get("StringValue", "")).encode("utf-8"))
    return size


def encode_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Attributes as JSON can hold them: binary values in base64 (the outbox contract's form)."""
    encoded: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        if "BinaryValue" in value:
            encoded[name] = {
                "DataType": value["DataType"],
                "BinaryValue": base64.b64encode(value["BinaryValue"]).decode("ascii"),
            }
        else:
            encoded[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
    return encoded


def decode_attributes(encoded: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, Any]]:
    """The inverse of `encode_attributes`."""
    decoded: dict[str, dict[str, Any]] = {}
    for name, value in encoded.items():
        if "BinaryValue" in value:
            try:
                binary = base64.b64decode(value["BinaryValue"], validate=True)
            except binascii.Error as exc:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' has an invalid binary value."
                ) from exc
            decoded[name] = {"DataType": value["DataType"], "BinaryValue": binary}
        else:
            decoded[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
    return decoded


def select_message_attributes(
    attributes: Mapping[str, dict[str, Any]], names: Iterable[str] | None
) -> dict[str, dict[str, Any]]:
    """The user attributes a receiver asked for: ``All`` / ``.*``, exact names, or prefixes
    written ``prefix.*``."""
    wanted = list(names or [])
    if not wanted:
        return {}
    if "All" in wanted or ".*" in wanted:
        return dict(attributes)
    prefixes = tuple(n[:-1] for n in wanted if n.endswith(".*"))
    exact = {n for n in wanted if not n.endswith(".*")}
    return {
        name: value for name, value in attributes.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }


def select_system_attributes(system: Mapping[str, str], names: Iterable[str] | None) -> dict[
        str, str]:
    """The system attributes a receiver asked for (``All`` for every one the message has)."""
    wanted = set(names or [])
    if not wanted:
        return {}
    if "All" in wanted:
        return dict(system)
    return {name: value for name, value in system.items() if name in wanted}


@dataclass(frozen=True)
class Handle:
    """What a receipt handle names: one receive of one message of one queue."""

    queue_arn: str
    message_id: str
    nonce: str


def new_receipt_handle(queue_arn: str, message_id: str) -> str:
    """A fresh handle for one receive (a new one every time, as SQS gives)."""
    raw = f"{queue_arn} {message_id} {random_hex(32)}".encode()
    return base64.b64encode(raw).decode("ascii")


def parse_receipt_handle(handle: str) -> Handle:
    """The handle's parts, or `ReceiptHandleIsInvalid` for anything SQS never issued."""
    try:
        raw = base64.b64decode(handle, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ReceiptHandleIsInvalid(handle) from None
    parts = raw.split(" ")
    if len(parts) != 3 or not parts[0].startswith("arn:"):
        raise ReceiptHandleIsInvalid(handle)
    return Handle(*parts)
