"""Evaluating conditions and projections against an item.

A path that does not resolve is "missing": every comparison with a missing operand is false
except ``<>``, which DynamoDB answers true (the attribute is not equal to the value), and
functions treat it as their documentation says (``attribute_not_exists`` true, the rest false).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.values import AttributeValue, Item, type_of, values_equal

__all__ = ["compare_values", "condition_paths", "evaluate", "project", "resolve_path"]


def resolve_path(item: Mapping[str, AttributeValue], path: n.Path) -> AttributeValue | None:
    """The value at a document path, or None when any step is missing or the wrong type."""
    current: Any = None
    for i, element in enumerate(path.elements):
        if i == 0:
            assert isinstance(element, str)
            current = item.get(element)
        elif isinstance(element, int):
            if "L" not in current or element >= len(current["L"]):
                return None
            current = current["L"][element]
        else:
            if "M" not in current:
                return None
            current = current["M"].get(element)
        if current is None:
            return None
    return dict(current)


def _sort_key(value: AttributeValue) -> Any:
    kind = type_of(value)
    raw = value[kind]
    if kind == "N":
        return Decimal(raw)
    if kind == "S":
        return raw.encode("utf-8")
    return bytes(raw)


def compare_values(a: AttributeValue | None, b: AttributeValue | None, op: str) -> bool:
    """``a op b`` with DynamoDB's rules: ordering only between two N, two S or two B."""
    if op == "=":
        return a is not None and b is not None and values_equal(a, b)
    if op == "<>":
        return a is None or b is None or not values_equal(a, b)
    if a is None or b is None:
        return False
    kind = type_of(a)
    if kind != type_of(b) or kind not in ("N", "S", "B"):
        return False
    x, y = _sort_key(a), _sort_key(b)
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x >= y)


def _size(value: AttributeValue | None) -> AttributeValue | None:
    if value is None:
        return None
    kind = type_of(value)
    raw = value[kind]
    if kind == "S":
        return {"N": str(len(raw))}
    if kind == "B":
        return {"N": str(len(raw))}
    if kind in ("SS", "NS", "BS", "L", "M"):
        return {"N": str(len(raw))}
    return None  # size() of a number, boolean or null is undefined: the condition fails


def operand_value(item: Mapping[str, AttributeValue], operand: n.Operand) -> AttributeValue | None:
    """The value an operand stands for in this item."""
    if isinstance(operand, n.Value):
        return operand.value
    if isinstance(operand, n.Size):
        return _size(resolve_path(item, operand.path))
    return resolve_path(item, operand)


def _contains(haystack: AttributeValue | None, needle: AttributeValue | None) -> bool:
    if haystack is None or needle is None:
        return False
    kind = type_of(haystack)
    raw = haystack[kind]
    nkind = type_of(needle)
    if kind == "S":
        return nkind == "S" and needle["S"] in raw
    if kind == "B":
        return nkind == "B" and bytes(needle["B"]) in bytes(raw)
    if kind in ("SS", "NS", "BS"):
        if nkind != kind[0]:
            return False
        return any(values_equal({nkind: m}, needle) for m in raw)
    if kind == "L":
        return any(values_equal(m, needle) for m in raw)
    return False


def _begins_with(value: AttributeValue | None, prefix: AttributeValue | None) -> bool:
    if value is None or prefix is None:
        return False
    kind = type_of(value)
    if kind != type_of(prefix):
        return False
    if kind == "S":
        return bool(value["S"].startswith(prefix["S"]))
    if kind == "B":
        return bytes(value["B"]).startswith(bytes(prefix["B"]))
    return False


def evaluate(cond: n.Condition, item: Mapping[str, AttributeValue] | None) -> bool:
    """Whether the condition holds for the item (None: no item, every attribute missing)."""
    item = item or {}
    if isinstance(cond, n.And):
        return evaluate(cond.left, item) and evaluate(cond.right, item)
    if isinstance(cond, n.Or):
        return evaluate(cond.left, item) or evaluate(cond.right, item)
    if isinstance(cond, n.Not):
        return not evaluate(cond.operand, item)
    if isinstance(cond, n.Compare):
        return compare_values(
            operand_value(item, cond.left), operand_value(item, cond.right), cond.op
        )
    if isinstance(cond, n.Between):
        value = operand_value(item, cond.operand)
        return compare_values(value, operand_value(item, cond.low), ">=") and compare_values(
            value, operand_value(item, cond.high), "<="
        )
    if isinstance(cond, n.In):
        value = operand_value(item, cond.operand)
        return any(compare_values(value, operand_value(item, o), "=") for o in cond.options)
    args = [operand_value(item, a) for a in cond.args]
    name = cond.name
    if name == "attribute_exists":
        return args[0] is not None
    if name == "attribute_not_exists":
        return args[0] is None
    if name == "attribute_type":
        wanted = args[1]
        return args[0] is not None and wanted is not None and type_of(args[0]) == wanted.get("S")
    if name == "begins_with":
        return _begins_with(args[0], args[1])
    return _contains(args[0], args[1])


def condition_paths(cond: n.Condition) -> list[n.Path]:
    """Every document path a condition reads."""
    if isinstance(cond, n.And | n.Or):
        return condition_paths(cond.left) + condition_paths(cond.right)
    if isinstance(cond, n.Not):
        return condition_paths(cond.operand)
    if isinstance(cond, n.Compare):
        operands: tuple[n.Operand, ...] = (cond.left, cond.right)
    elif isinstance(cond, n.Between):
        operands = (cond.operand, cond.low, cond.high)
    elif isinstance(cond, n.In):
        operands = (cond.operand, *cond.options)
    else:
        operands = cond.args
    paths: list[n.Path] = []
    for operand in operands:
        if isinstance(operand, n.Path):
            paths.append(operand)
        elif isinstance(operand, n.Size):
            paths.append(operand.path)
    return paths


def project(item: Mapping[str, AttributeValue], paths: tuple[n.Path, ...]) -> Item:
    """The item reduced to the given paths, nested maps and lists kept in shape (list elements
    picked by index are compacted, as DynamoDB does)."""
    out: Item = {}
    for path in paths:
        value = resolve_path(item, path)
        if value is None:
            continue
        _place(out, path.elements, value, item)
    return out


def _place(out: Item, elements: tuple[str | int, ...], value: AttributeValue,
           source: Mapping[str, AttributeValue]) -> None:
    first = elements[0]
    assert isinstance(first, str)
    if len(elements) == 1:
        out[first] = value
        return
    container: Any = out.get(first)
    src: Any = source[first]
    if container is None:
        container = out[first] = {"M": {}} if "M" in src else {"L": []}
    for i, element in enumerate(elements[1:], start=1):
        last = i == len(elements) - 1
        if isinstance(element, int):
            src = src["L"][element]
            slots = container.setdefault("L", [])
            # Elements projected by index keep their relative order, compacted.
            if last:
                slots.append(value)
                return
            nxt: AttributeValue = {"M": {}} if "M" in src else {"L": []}
            slots.append(nxt)
            container = nxt
        else:
            src = src["M"][element]
            members = container.setdefault("M", {})
            if last:
                members[element] = value
                return
            if element not in members:
                members[element] = {"M": {}} if "M" in src else {"L": []}
            container = members[element]
