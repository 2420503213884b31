"""Input members checked against the constraints of Kinesis's API model, worded as AWS words them.

The gateway's parser does not validate, and the Python API takes anything, so each operation
checks its own input here: required members, lengths (characters of a string, bytes of a blob,
entries of a list or map), value ranges, patterns and enums, read from botocore's model of
Kinesis. AWS reports every failed constraint at once::

    2 validation errors detected: Value 'a b' at 'streamName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '0' at ...

A blob is shown the way the Java service prints a ByteBuffer
(``java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]``), as AWS's own messages do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import botocore.session  # type: ignore[import-untyped]
from botocore.model import Shape  # type: ignore[import-untyped]

from eventsim.errors import ValidationException

__all__ = ["check_input", "member_value"]

_MAX_REPORTED = 10


@functools.cache
def _model() -> Any:
    return botocore.session.get_session().get_service_model("kinesis")


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def check_input(operation: str, members: Mapping[str, Any], *, deep: bool = True) -> None:
    """Raise AWS's ValidationException if `members` (AWS names, None = absent) break a rule.

    ``deep=False`` checks the members themselves (a list's length) but not what lists and maps
    hold, for callers that scan their entries faster themselves.
    """
    errors: list[str] = []
    _check_structure(_input_shape(operation), members, "", errors, deep)
    if errors:
        errors = errors[:_MAX_REPORTED]
        plural = "s" if len(errors) > 1 else ""
        raise ValidationException(
            f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)
        )


def member_value(value: Any, shape: Shape | None = None) -> str:
    """A value as AWS prints it in a validation message.

    Structures print the way the Java service's models do, ``Name(member=value, ...)``, as in
    AWS's ``Value '[Record(data=java.nio.HeapByteBuffer[pos=0 lim=15 cap=15]), ...]'``.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray | memoryview):
        size = len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"
    kind = shape.type_name if shape is not None else None
    if isinstance(value, list | tuple):
        item = shape.member if shape is not None and kind == "list" else None
        return "[" + ", ".join(member_value(v, item) for v in value) + "]"
    if isinstance(value, Mapping):
        if shape is not None and kind == "structure":
            fields = ", ".join(
                f"{shown}={member_value(value[name], member)}"
                for name, shown, member, _ in _members(shape) if value.get(name) is not None
            )
            return f"{shape.name}({fields})"
        item = shape.value if shape is not None and kind == "map" else None
        return "{" + ", ".join(f"{k}={member_value(v, item)}" for k, v in value.items()) + "}"
    return str(value)


@functools.cache
def _input_shape(operation: str) -> Shape:
    return _model().operation_model(operation).input_shape


_members_cache: dict[str, list[tuple[str, str, Shape, bool]]] = {}


def _members(shape: Shape) -> list[tuple[str, str, Shape, bool]]:
    """(member name, its name in messages, its shape, required) for each member of a shape."""
    found = _members_cache.get(shape.name)
    if found is None:
        required = set(shape.required_members)
        found = [(name, name[:1].lower() + name[1:], member, name in required)
                 for name, member in shape.members.items()]
        _members_cache[shape.name] = found
    return found


def _check_structure(
    shape: Shape, value: Mapping[str, Any], path: str, errors: list[str], deep: bool = True
) -> None:
    for name, shown, member, required in _members(shape):
        item = value.get(name)
        if item is None and not required:
            continue
        _check(member, item, f"{path}.{shown}" if path else shown, required, errors, deep)


def _check(
    shape: Shape, value: Any, where: str, required: bool, errors: list[str], deep: bool = True
) -> None:
    def fail(rule: str) -> None:
        shown = member_value(value, shape)
        if value is not None:
            shown = f"'{shown}'"
        errors.append(f"Value {shown} at '{where}' failed to satisfy constraint: {rule}")

    if value is None:
        if required:
            fail("Member must not be null")
        return
    meta = shape.metadata
    kind = shape.type_name
    if kind in ("string", "blob", "list", "map"):
        if kind == "string" and "enum" in meta and value not in meta["enum"]:
            fail(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
        if kind == "string" and "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(
            value
        ):
            fail(f"Member must satisfy regular expression pattern: {meta['pattern']}")
        size = len(value)
        if "min" in meta and size < meta["min"]:
            fail(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            fail(f"Member must have length less than or equal to {meta['max']}")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "min" in meta and value < meta["min"]:
            fail(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            fail(f"Member must have value less than or equal to {meta['max']}")
    if not deep:
        return
    if kind == "list":
        for i, item in enumerate(value, start=1):
            _check(shape.member, item, f"{where}.{i}.member", False, errors)
    elif kind == "map":
        for key, item in value.items():
            _check(shape.value, item, f"{where}.{key}.member", False, errors)
    elif kind == "structure" and isinstance(value, Mapping):
        _check_structure(shape, value, where, errors)
