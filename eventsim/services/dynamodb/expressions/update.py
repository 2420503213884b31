"""Applying an UpdateExpression to an item.

Every operand is read from the item as it was before the update (``SET a = :x, b = a`` gives
b the old a), as DynamoDB does; then SET, REMOVE, ADD and DELETE are applied. REMOVEs of list
elements run from the highest index down, so that indexes name the elements of the old list.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.expressions.evaluate import resolve_path
from eventsim.services.dynamodb.values import (
    AttributeValue,
    Item,
    add_numbers,
    canonical_number,
    long_type_name,
    type_of,
    values_equal,
)

__all__ = ["apply_update", "updated_paths"]

_INVALID_PATH = "The document path provided in the update expression is invalid for update"
_BAD_TYPE = "An operand in the update expression has an incorrect data type"
_MISSING = "The provided expression refers to an attribute that does not exist in the item"


def _operand_type_error(operator: str, value: AttributeValue) -> ValidationException:
    return ValidationException(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator: {operator}, operand type: {long_type_name(type_of(value))}"
    )


def _evaluate(item: Item, value: n.SetValue) -> AttributeValue:
    if isinstance(value, n.Value):
        return copy.deepcopy(value.value)
    if isinstance(value, n.Path):
        found = resolve_path(item, value)
        if found is None:
            raise ValidationException(_MISSING)
        return copy.deepcopy(found)
    if isinstance(value, n.IfNotExists):
        found = resolve_path(item, value.path)
        return copy.deepcopy(found) if found is not None else _evaluate(item, value.default)
    if isinstance(value, n.ListAppend):
        first, second = _evaluate(item, value.first), _evaluate(item, value.second)
        if "L" not in first or "L" not in second:
            raise ValidationException(_BAD_TYPE)
        return {"L": first["L"] + second["L"]}
    left, right = _evaluate(item, value.left), _evaluate(item, value.right)
    if "N" not in left or "N" not in right:
        raise ValidationException(_BAD_TYPE)
    b = Decimal(right["N"])
    total = add_numbers(Decimal(left["N"]), b if value.op == "+" else -b)
    return {"N": canonical_number(total)}


def _parent(item: Item, path: n.Path, *, create: bool) -> tuple[Any, str | int] | None:
    """The container holding the path's last element and that element; None (or the
    invalid-path error when ``create``) when an intermediate step is missing."""
    container: Any = item
    for i, element in enumerate(path.elements[:-1]):
        if i == 0:
            nxt = container.get(element)
        elif isinstance(element, int):
            items = container.get("L")
            nxt = items[element] if items is not None and element < len(items) else None
        else:
            members = container.get("M")
            nxt = members.get(element) if members is not None else None
        if nxt is None:
            if create:
                raise ValidationException(_INVALID_PATH)
            return None
        container = nxt
    last = path.elements[-1]
    if len(path.elements) > 1:
        if isinstance(last, int) and "L" not in container:
            if create:
                raise ValidationException(_INVALID_PATH)
            return None
        if isinstance(last, str) and "M" not in container:
            if create:
                raise ValidationException(_INVALID_PATH)
            return None
    return container, last


def _assign(item: Item, path: n.Path, value: AttributeValue) -> None:
    found = _parent(item, path, create=True)
    assert found is not None
    container, last = found
    if len(path.elements) == 1:
        item[str(last)] = value
    elif isinstance(last, int):
        items = container["L"]
        if last < len(items):
            items[last] = value
        else:
            items.append(value)  # beyond the end: DynamoDB appends
    else:
        container["M"][last] = value


def _remove(item: Item, path: n.Path) -> None:
    found = _parent(item, path, create=False)
    if found is None:
        return
    container, last = found
    if len(path.elements) == 1:
        item.pop(str(last), None)
    elif isinstance(last, int):
        if last < len(container["L"]):
            del container["L"][last]
    else:
        container["M"].pop(last, None)


def _add(current: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    kind = type_of(value)
    if kind not in ("N", "SS", "NS", "BS"):
        raise _operand_type_error("ADD", value)
    if current is None:
        return copy.deepcopy(value)
    if type_of(current) != kind:
        raise ValidationException(_BAD_TYPE)
    if kind == "N":
        return {"N": canonical_number(add_numbers(Decimal(current["N"]), Decimal(value["N"])))}
    merged = list(current[kind])
    for member in value[kind]:
        if not any(values_equal({kind[0]: m}, {kind[0]: member}) for m in merged):
            merged.append(member)
    return {kind: merged}


def _delete(current: AttributeValue | None, value: AttributeValue) -> AttributeValue | None:
    kind = type_of(value)
    if kind not in ("SS", "NS", "BS"):
        raise _operand_type_error("DELETE", value)
    if current is None:
        return None
    if type_of(current) != kind:
        raise ValidationException(_BAD_TYPE)
    kept = [m for m in current[kind]
            if not any(values_equal({kind[0]: m}, {kind[0]: d}) for d in value[kind])]
    return {kind: kept} if kept else None


def apply_update(item: Item, update: n.Update) -> Item:
    """The item after the update (the input is left as it was)."""
    old = item
    new = copy.deepcopy(item)
    assignments = [(action.path, _evaluate(old, action.value)) for action in update.sets]
    for path, value in assignments:
        _assign(new, path, value)
    removes = sorted(
        update.removes,
        key=lambda r: [(-e if isinstance(e, int) else 0) for e in r.path.elements[-1:]],
    )
    for action in removes:
        _remove(new, action.path)
    for add in update.adds:
        _assign(new, add.path, _add(resolve_path(new, add.path), add.value.value))
    for delete in update.deletes:
        remaining = _delete(resolve_path(new, delete.path), delete.value.value)
        if remaining is None:
            _remove(new, delete.path)
        else:
            _assign(new, delete.path, remaining)
    return new


def updated_paths(update: n.Update) -> tuple[n.Path, ...]:
    """Every path the update writes, for ReturnValues UPDATED_OLD / UPDATED_NEW."""
    return tuple(
        a.path
        for group in (update.sets, update.removes, update.adds, update.deletes)
        for a in group
    )
