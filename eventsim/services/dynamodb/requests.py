"""What every item operation does with its request first: expressions, names and values.

`Expressions` parses all the expressions of one request against one `Substitutions`, so that
DynamoDB's rule "every name and value supplied is used" is checked across all of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import (
    Substitutions,
    parse_condition,
    parse_projection,
    parse_update,
)
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.values import Item, item_size, validate_value

__all__ = ["MAX_ITEM_BYTES", "Expressions", "check_return_values", "consumed"]

MAX_ITEM_BYTES = 400 * 1024


class Expressions:
    """The names and values of one request, and the expressions parsed with them."""

    def __init__(
        self,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
        *,
        any_expression: bool,
    ) -> None:
        if names is not None and not names:
            raise ValidationException("ExpressionAttributeNames must not be empty")
        if values is not None and not values:
            raise ValidationException("ExpressionAttributeValues must not be empty")
        if not any_expression:
            if names:
                raise ValidationException(
                    "ExpressionAttributeNames can only be specified when using expressions"
                )
            if values:
                raise ValidationException(
                    "ExpressionAttributeValues can only be specified when using expressions"
                )
        checked: dict[str, dict[str, Any]] = {}
        for key, value in (values or {}).items():
            try:
                checked[key] = validate_value(value)
            except ValidationException as exc:
                raise ValidationException(
                    f"ExpressionAttributeValues contains invalid value: {exc.message} for key "
                    f"{key}"
                ) from None
        self.subs = Substitutions(names, checked)

    def condition(
        self, source: str | None, kind: str = "ConditionExpression"
    ) -> n.Condition | None:
        if source is None:
            return None
        return parse_condition(source, self.subs, kind)

    def update(self, source: str | None) -> n.Update | None:
        return parse_update(source, self.subs) if source is not None else None

    def projection(self, source: str | None) -> tuple[n.Path, ...] | None:
        return parse_projection(source, self.subs) if source is not None else None

    def done(self) -> None:
        """Every name and value was used (DynamoDB's check), else its ValidationException."""
        self.subs.check_unused()


def check_return_values(value: str | None, allowed: tuple[str, ...]) -> str:
    """ReturnValues as the operation allows it."""
    value = value or "NONE"
    if value not in allowed:
        if allowed == ("NONE", "ALL_OLD"):
            raise ValidationException("Return values set to invalid value")
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, "
            "NONE, UPDATED_NEW]"
        )
    return value


def consumed(
    mode: str | None, table: str, size: int | Item | None, *, write: bool,
    consistent: bool = True,
) -> dict[str, Any] | None:
    """ConsumedCapacity when asked for (TOTAL or INDEXES): a write unit per KB, a read unit per
    4 KB (half of it for an eventually consistent read). ``size`` is bytes, or the item whose
    size it is (measured only when capacity is asked for)."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    if not isinstance(size, int):
        size = item_size(size) if size else 0
    if write:
        units = float(max(1, math.ceil(size / 1024)))
    else:
        units = float(max(1, math.ceil(size / 4096)))
        if not consistent:
            units /= 2
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": units}
    if mode == "INDEXES":
        out["Table"] = {"CapacityUnits": units}
    return out


def key_only(item: Item, names: tuple[str, ...]) -> Item:
    return {k: item[k] for k in names if k in item}
