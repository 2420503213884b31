"""KeyConditionExpression: the restricted condition Query accepts, checked against the keys.

AWS allows exactly ``hash = :v``, optionally ANDed with one sort-key condition: a comparator
other than ``<>``, ``BETWEEN``, or ``begins_with``. Each side must name a key attribute and
compare it with a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.expressions.parser import parse_condition
from eventsim.services.dynamodb.expressions.substitution import Substitutions

__all__ = ["KeyCondition", "parse_key_condition"]

_KIND = "KeyConditionExpression"


@dataclass(frozen=True)
class KeyCondition:
    """What Query selects: the partition, and optionally a range of sort keys."""

    hash_value: dict[str, Any]
    sort_op: str | None = None  # "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
    sort_values: tuple[dict[str, Any], ...] = ()


def _flatten(cond: n.Condition) -> list[n.Condition]:
    if isinstance(cond, n.And):
        return _flatten(cond.left) + _flatten(cond.right)
    if isinstance(cond, n.Or):
        raise ValidationException(f"Invalid operator used in {_KIND}: OR")
    if isinstance(cond, n.Not):
        raise ValidationException(f"Invalid operator used in {_KIND}: NOT")
    if isinstance(cond, n.In):
        raise ValidationException(f"Invalid operator used in {_KIND}: IN")
    return [cond]


def _key_name(operand: n.Operand) -> str:
    if not isinstance(operand, n.Path) or len(operand.elements) != 1:
        raise ValidationException("Query key condition not supported")
    return str(operand.elements[0])


def _value(operand: n.Operand) -> dict[str, Any]:
    if not isinstance(operand, n.Value):
        raise ValidationException("Query key condition not supported")
    return operand.value


def parse_key_condition(
    source: str, subs: Substitutions, hash_key: tuple[str, str],
    range_key: tuple[str, str] | None,
) -> KeyCondition:
    """Parse and check a KeyConditionExpression against (name, type) of the keys."""
    parts = _flatten(parse_condition(source, subs, _KIND))
    if len(parts) > 2:
        raise ValidationException("Conditions can be of length 1 or 2 only")
    by_key: dict[str, tuple[str, tuple[dict[str, Any], ...]]] = {}
    for part in parts:
        values: tuple[dict[str, Any], ...]
        if isinstance(part, n.Compare):
            if part.op == "<>":
                raise ValidationException(
                    f"Unsupported operator on KeyConditionExpression: {part.op}"
                )
            if isinstance(part.right, n.Path) and isinstance(part.left, n.Value):
                flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(part.op, part.op)
                name, op, values = _key_name(part.right), flipped, (_value(part.left),)
            else:
                name, op, values = _key_name(part.left), part.op, (_value(part.right),)
        elif isinstance(part, n.Between):
            name, op = _key_name(part.operand), "BETWEEN"
            values = (_value(part.low), _value(part.high))
        else:
            assert isinstance(part, n.Function)
            if part.name != "begins_with":
                raise ValidationException(f"Invalid operator used in {_KIND}: {part.name}")
            name, op, values = _key_name(part.args[0]), "begins_with", (_value(part.args[1]),)
        if name in by_key:
            raise ValidationException(
                "KeyConditionExpressions must only contain one condition per key"
            )
        by_key[name] = (op, values)
    if hash_key[0] not in by_key:
        raise ValidationException(f"Query condition missed key schema element: {hash_key[0]}")
    for name, (op, values) in by_key.items():
        if name == hash_key[0]:
            if op != "=":
                raise ValidationException("Query key condition not supported")
            expected = hash_key[1]
        elif range_key is not None and name == range_key[0]:
            expected = range_key[1]
            if op == "begins_with" and expected == "N":
                raise ValidationException(
                    f"Invalid {_KIND}: Incorrect operand type for operator or function; "
                    "operator or function: begins_with, operand type: N"
                )
        else:
            raise ValidationException(
                f"Query condition missed key schema element: "
                f"{range_key[0] if range_key else hash_key[0]}"
            )
        if any(next(iter(v)) != expected for v in values):
            raise ValidationException(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
    _, hash_values = by_key.pop(hash_key[0])
    if not by_key:
        return KeyCondition(hash_values[0])
    (sort_op, sort_values), = by_key.values()
    return KeyCondition(hash_values[0], sort_op, sort_values)
