"""Plain YAML values and DynamoDB's typed attribute values, both ways.

A scenario writes items as people think of them (``{id: a1, total: 12.5}``); the DynamoDB
service takes the typed form (``{"id": {"S": "a1"}, "total": {"N": "12.5"}}``). boto3's
resource API makes the same conversion, so its serializer does it here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import (  # type: ignore[import-untyped]
    Binary,
    TypeDeserializer,
    TypeSerializer,
)

__all__ = ["plain_item", "typed_item", "typed_values"]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _decimals(value: Any) -> Any:
    # TypeSerializer refuses floats (they would lose precision); YAML gives floats.
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def typed_item(item: dict[str, Any]) -> dict[str, Any]:
    """``{id: a1}`` -> ``{"id": {"S": "a1"}}``."""
    return {name: _serializer.serialize(_decimals(value)) for name, value in item.items()}


def typed_values(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """ExpressionAttributeValues from plain values (same conversion as an item)."""
    return None if values is None else typed_item(values)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, set):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """``{"id": {"S": "a1"}, "n": {"N": "2"}}`` -> ``{id: a1, n: 2}`` (sets as sorted lists)."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}
