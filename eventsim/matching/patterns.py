"""The event pattern language (AWS's event-ruler, shared by SNS filter policies and Lambda event
filtering), compiled once into a matcher over a JSON-like document.

A pattern is an object. Each key names a field of the document; its value is either an array of
conditions (the field matches when ANY condition matches, and when the field holds an array,
when any element does) or a nested pattern for an object-valued field. Keys are ANDed, and
``"$or": [pattern, pattern...]`` adds alternatives at any level. Conditions:

==========================  =================================================================
``"text"``, ``5``, ``true``,   exact value (numbers compare numerically: ``3.015e2`` is ``301.5``)
``null``
``{"prefix": "a"}``           string starts with (``{"prefix": {"equals-ignore-case": "a"}}``)
``{"suffix": "z"}``           string ends with (also with ``equals-ignore-case``)
``{"equals-ignore-case": s}``  string equal ignoring case
``{"anything-but": ...}``     present and not one of the values (a value, a list of values, or
                              ``{"prefix"|"suffix"|"equals-ignore-case": ...}``)
``{"numeric": [op, n, ...]}``  ``=``, ``<``, ``<=``, ``>``, ``>=``; a range is a lower then an
                              upper bound (``[">", 0, "<=", 5]``)
``{"exists": true|false}``    field present / absent
``{"cidr": "10.0.0.0/24"}``   IPv4 or IPv6 address inside the network
==========================  =================================================================

Invalid patterns raise `PatternError` with event-ruler's reason text (the text SNS puts after
``FilterPolicy:``). Service rules (key counts, complexity, scopes) live with each service:
`eventsim.matching.sns_policy` for SNS.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Matcher", "PatternError", "compile_pattern"]

Condition = Callable[[Any], bool]
"""A test of one scalar value of the document."""

_MISSING = object()
_NUMERIC_OPERATORS = ("<", "<=", "=", ">", ">=")
_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message is the reason, as AWS words it."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- conditions on one value -----------------------------------------------------------------


def _exact(expected: Any) -> Condition:
    if _is_number(expected):
        number = float(expected)
        return lambda value: _is_number(value) and float(value) == number
    if expected is None:
        return lambda value: value is None
    if isinstance(expected, bool):
        return lambda value: value is expected
    return lambda value: isinstance(value, str) and value == expected


def _string_operator(operator: str, operand: Any) -> Condition:
    """prefix / suffix / equals-ignore-case, with ruler's nested ignore-case form."""
    fold = False
    if operator in ("prefix", "suffix") and isinstance(operand, Mapping):
        if list(operand) != ["equals-ignore-case"]:
            raise PatternError(f"Unsupported {operator} pattern: {', '.join(operand)}")
        operand, fold = operand["equals-ignore-case"], True
    if not isinstance(operand, str):
        raise PatternError(f"{operator} match pattern must be a string")
    if operator == "equals-ignore-case":
        folded = operand.casefold()
        return lambda value: isinstance(value, str) and value.casefold() == folded
    if fold:
        folded = operand.casefold()
        if operator == "prefix":
            return lambda value: isinstance(value, str) and value.casefold().startswith(folded)
        return lambda value: isinstance(value, str) and value.casefold().endswith(folded)
    if operator == "prefix":
        return lambda value: isinstance(value, str) and value.startswith(operand)
    return lambda value: isinstance(value, str) and value.endswith(operand)


def _anything_but(operand: Any) -> Condition:
    if isinstance(operand, Mapping):
        if len(operand) != 1 or next(iter(operand)) not in _STRING_OPERATORS:
            raise PatternError(f"Unsupported anything-but pattern: {', '.join(operand)}")
        operator, inner = next(iter(operand.items()))
        if not isinstance(inner, str):
            # Lists of prefixes are a newer ruler form; SNS documents single values.
            raise PatternError(f"{operator} match pattern must be a string")
        test = _string_operator(operator, inner)
        return lambda value: isinstance(value, str) and not test(value)
    values = operand if isinstance(operand, list) else [operand]
    tests = []
    for item in values:
        if isinstance(item, Mapping | list):
            raise PatternError("Inside anything but list, start|null|boolean is not supported.")
        tests.append(_exact(item))
    return lambda value: not any(test(value) for test in tests)


def _numeric(operand: Any) -> Condition:
    if not isinstance(operand, list) or not operand:
        raise PatternError("Invalid member in numeric match: ]")
    terms = list(operand)
    operator = terms[0]
    if not isinstance(operator, str):
        raise PatternError(f"Invalid member in numeric match: {_text(operator)}")
    if operator not in _NUMERIC_OPERATORS:
        raise PatternError(f"Unrecognized numeric range operator: {operator}")
    if len(terms) < 2 or not _is_number(terms[1]):
        raise PatternError(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    low = float(terms[1])
    if operator == "=":
        if len(terms) > 2:
            raise PatternError("Too many elements in numeric expression")
        return lambda value: _is_number(value) and float(value) == low
    bounds: list[tuple[str, float]] = [(operator, low)]
    if len(terms) > 2:
        if operator not in (">", ">="):
            raise PatternError("Too many elements in numeric expression")
        second = terms[2]
        if not isinstance(second, str):
            raise PatternError(f"Bad value in numeric range: {_text(second)}")
        if second not in ("<", "<="):
            raise PatternError(f"Bad numeric range operator: {second}")
        if len(terms) < 4 or not _is_number(terms[3]):
            raise PatternError(f"Value of {second} must be numeric")
        high = float(terms[3])
        if high <= low:
            raise PatternError("Bottom must be less than top")
        if len(terms) > 4:
            raise PatternError("Too many terms in numeric range expression")
        bounds.append((second, high))
    compare = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}
    checks = [(compare[op], bound) for op, bound in bounds]

    def test(value: Any) -> bool:
        if not _is_number(value):
            return False
        number = float(value)
        return not math.isnan(number) and all(check(number, bound) for check, bound in checks)

    return test


def _cidr(operand: Any) -> Condition:
    if not isinstance(operand, str):
        raise PatternError("prefix match pattern must be a string")
    address, slash, mask = operand.partition("/")
    if not slash or "/" in mask:
        raise PatternError("Malformed CIDR, one '/' required")
    if not mask.isdigit():
        raise PatternError("Malformed CIDR, mask bits must be an integer")
    try:
        network = ipaddress.ip_network(operand, strict=False)
    except ValueError:
        raise PatternError(f"Nonstandard IP address: {address}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return test


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- fields and patterns ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Leaf:
    """The conditions on one field."""

    tests: tuple[Condition, ...]
    exists: bool | None
    """True/False when an ``exists`` condition is among them (only one kind is kept)."""
    absent_ok: bool

    def matches(self, value: Any) -> bool:
        if value is _MISSING:
            return self.absent_ok
        values = value if isinstance(value, list) else [value]
        if self.exists:
            return True
        return any(test(item) for item in values for test in self.tests)


def _compile_leaf(conditions: list[Any]) -> _Leaf:
    if not conditions:
        raise PatternError("Empty arrays are not allowed")
    tests: list[Condition] = []
    exists: bool | None = None
    absent_ok = False
    for condition in conditions:
        if isinstance(condition, Mapping):
            if len(condition) != 1:
                raise PatternError("Only one key allowed in match expression")
            operator, operand = next(iter(condition.items()))
            if operator == "exists":
                if not isinstance(operand, bool):
                    raise PatternError("exists match pattern must be either true or false.")
                if operand:
                    exists = True
                else:
                    absent_ok = True
            elif operator in _STRING_OPERATORS:
                tests.append(_string_operator(operator, operand))
            elif operator == "anything-but":
                tests.append(_anything_but(operand))
            elif operator == "numeric":
                tests.append(_numeric(operand))
            elif operator == "cidr":
                tests.append(_cidr(operand))
            else:
                raise PatternError(f"Unrecognized match type {operator}")
        elif isinstance(condition, list):
            raise PatternError("Match value must be String, number, true, false, or null")
        else:
            tests.append(_exact(condition))
    return _Leaf(tuple(tests), exists, absent_ok)


class Matcher:
    """A compiled pattern: `matches(document)` says whether a JSON-like object matches."""

    __slots__ = ("_alternatives", "_fields")

    def __init__(
        self,
        fields: list[tuple[str, _Leaf | Matcher]],
        alternatives: list[list[Matcher]],
    ) -> None:
        self._fields = fields
        self._alternatives = alternatives

    def matches(self, document: Any) -> bool:
        """Whether `document` (an object; anything else matches nothing) matches."""
        if not isinstance(document, Mapping):
            return False
        for key, test in self._fields:
            value = document.get(key, _MISSING)
            if isinstance(test, Matcher):
                if not _nested(test, value):
                    return False
            elif not test.matches(value):
                return False
        return all(any(alt.matches(document) for alt in group) for group in self._alternatives)


def _nested(matcher: Matcher, value: Any) -> bool:
    if value is _MISSING or value is None:
        return matcher.matches({})  # only absence conditions can hold below a missing object
    if isinstance(value, list):
        return any(matcher.matches(item) for item in value if isinstance(item, Mapping))
    return matcher.matches(value)


def compile_pattern(pattern: Any) -> Matcher:
    """Compile a pattern (parsed JSON); raises `PatternError` when it is not one."""
    if not isinstance(pattern, Mapping):
        raise PatternError("Filter policy must be a JSON object")
    fields: list[tuple[str, _Leaf | Matcher]] = []
    alternatives: list[list[Matcher]] = []
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise PatternError('"$or" must be an array of at least two objects')
            alternatives.append([compile_pattern(item) for item in value])
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(value)))
        elif isinstance(value, Mapping):
            fields.append((key, compile_pattern(value)))
        else:
            raise PatternError(f'"{key}" must be an object or an array')
    return Matcher(fields, alternatives)
