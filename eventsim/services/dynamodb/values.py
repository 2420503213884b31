"""Attribute values: DynamoDB's types, number semantics, comparison, size and validation.

Values travel in DynamoDB's typed form, ``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}``,
``{"SS": [...]}``, ``{"M": {...}}``, ``{"L": [...]}``, ``{"BOOL": True}``, ``{"NULL": True}``,
as botocore's json parser delivers them (blobs as bytes). Items are stored as the same form
with blobs in base64 (`to_json` / `from_json`), which is also the form of stream records.

Numbers follow DynamoDB: decimals of up to 38 significant digits, magnitudes from 1E-130 to
below 1E+126, answered in canonical form (``"01.50"`` reads back as ``"1.5"``).
"""

from __future__ import annotations

import base64
import decimal
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from eventsim.errors import ValidationException

__all__ = [
    "NUMBER_CONTEXT",
    "TYPES",
    "AttributeValue",
    "Item",
    "canonical_number",
    "from_json",
    "item_size",
    "long_type_name",
    "parse_number",
    "to_json",
    "type_of",
    "validate_item",
    "validate_sized_item",
    "validate_value",
    "values_equal",
]

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "BOOL", "NULL")

NUMBER_CONTEXT = decimal.Context(
    prec=38, rounding=decimal.ROUND_HALF_EVEN, Emax=125, Emin=-130,
    traps=[decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)

_EXACT = decimal.Context(
    prec=38, Emax=125, Emin=-130,
    traps=[decimal.InvalidOperation, decimal.Overflow, decimal.Inexact],
)

_LONG_NAMES = {
    "S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING_SET", "NS": "NUMBER_SET",
    "BS": "BINARY_SET", "M": "MAP", "L": "LIST", "BOOL": "BOOLEAN", "NULL": "NULL",
}
_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "binary set"}
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,37}")
"""Integers that `canonical_number(parse_number(text))` gives back unchanged."""


def type_of(value: Mapping[str, Any]) -> str:
    """The type descriptor of a value (``"S"``, ``"NS"``...)."""
    return next(iter(value))


def long_type_name(kind: str) -> str:
    """The spelling AWS uses in some operand-type messages (``STRING``, ``NUMBER_SET``)."""
    return _LONG_NAMES.get(kind, kind)


def parse_number(text: str) -> Decimal:
    """A number as DynamoDB accepts it, or AWS's ValidationException (worded as DynamoDB
    answers it, e.g. "The parameter cannot be converted to a numeric value: NaN")."""
    bad = ValidationException(f"The parameter cannot be converted to a numeric value: {text}")
    if not isinstance(text, str) or not text.strip() or text != text.strip():
        raise bad
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        raise bad from None
    if not number.is_finite():
        raise bad
    return check_number(number)


def check_number(number: Decimal) -> Decimal:
    """Enforce DynamoDB's precision and range on a computed or parsed number."""
    if number.is_zero():
        return Decimal(0)
    digits = number.normalize(decimal.Context(prec=1000)).as_tuple().digits
    if len(digits) > 38:
        raise ValidationException(
            "Attempting to store more than 38 significant digits in a Number"
        )
    if number.copy_abs() >= Decimal("1E126"):
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        )
    if number.copy_abs() < Decimal("1E-130"):
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range"
        )
    return number


def canonical_number(number: Decimal) -> str:
    """DynamoDB's canonical text of a number: no exponent, no redundant zeros."""
    if number.is_zero():
        return "0"
    text = format(number.normalize(decimal.Context(prec=1000)), "f")
    return text


def add_numbers(a: Decimal, b: Decimal) -> Decimal:
    """a + b with 38 digits of precision and DynamoDB's range: a sum that would need more
    digits is refused, not rounded."""
    try:
        return check_number(_EXACT.add(a, b))
    except decimal.Inexact:
        raise ValidationException(
            "Attempting to store more than 38 significant digits in a Number"
        ) from None
    except decimal.Overflow:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        ) from None


def _blob(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        # The Python API may be handed base64 text, as the AWS CLI and JSON files spell it.
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise ValidationException("Invalid binary value: not base64") from None
    raise ValidationException("Invalid binary value")


def validate_value(value: Any, where: str = "") -> AttributeValue:
    """Check one attribute value the way DynamoDB does; return it in canonical form."""
    if type(value) is dict and len(value) == 1:
        # The common values, as the gateway's parser delivers them: a string, or a number
        # already in canonical form (an integer without redundant zeros).
        raw = value.get("S")
        if type(raw) is str:
            return {"S": raw}
        raw = value.get("N")
        if type(raw) is str and _CANONICAL_INTEGER.fullmatch(raw):
            return {"N": raw}
    return _validate_value(value)


def _validate_value(value: Any) -> AttributeValue:
    # `type(...) is dict` first: the ABC's isinstance is a Python-level call.
    if not (type(value) is dict or isinstance(value, Mapping)) or len(value) != 1:
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes" if isinstance(value, Mapping) and value else
            "Supplied AttributeValue is empty, must contain exactly one of the supported "
            "datatypes"
        )
    kind, raw = next(iter(value.items()))
    if kind == "S":
        if not isinstance(raw, str):
            raise ValidationException("Invalid string value")
        return {"S": raw}
    if kind == "N":
        return {"N": canonical_number(parse_number(raw))}
    if kind == "B":
        return {"B": _blob(raw)}
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise ValidationException("Invalid BOOL value")
        return {"BOOL": raw}
    if kind == "NULL":
        if raw is not True:
            raise ValidationException(
                "One or more parameter values were invalid: Null attribute value types must "
                "have the value of true"
            )
        return {"NULL": True}
    if kind in ("SS", "NS", "BS"):
        if not isinstance(raw, list | tuple) or not raw:
            raise ValidationException(
                f"One or more parameter values were invalid: An {_SET_NAMES[kind]}  may not "
                "be empty"
            )
        members: list[Any]
        if kind == "SS":
            members = [m if isinstance(m, str) else _invalid_string() for m in raw]
        elif kind == "NS":
            members = [validate_value({"N": m})["N"] for m in raw]
        else:
            members = [_blob(m) for m in raw]
        keys = [Decimal(m) for m in members] if kind == "NS" else members
        if len(set(keys)) != len(keys):
            raise ValidationException(
                "One or more parameter values were invalid: Input collection "
                f"{_render_list(kind, raw)} contains duplicates."
            )
        return {kind: members}
    if kind == "M":
        if not isinstance(raw, Mapping):
            raise ValidationException("Invalid map value")
        return {"M": {str(k): validate_value(v) for k, v in raw.items()}}
    if kind == "L":
        if not isinstance(raw, list | tuple):
            raise ValidationException("Invalid list value")
        return {"L": [validate_value(v) for v in raw]}
    raise ValidationException(
        f"Supplied AttributeValue has an unsupported datatype: {kind}"
    )


def _invalid_string() -> str:
    raise ValidationException("Invalid string value")


def _render_list(kind: str, raw: Any) -> str:
    return "[" + ", ".join(str(m) for m in raw) + "]"


def validate_item(item: Any) -> Item:
    """Check every attribute of an item; return it canonical."""
    return validate_sized_item(item)[0]


def validate_sized_item(item: Any) -> tuple[Item, int | None]:
    """`validate_item`, and the item's `item_size` measured in the same pass (None when a
    name is not a string: `item_size` says what is wrong with it, when it is asked)."""
    if not (type(item) is dict or isinstance(item, Mapping)):
        raise ValidationException("Item must be a map of attribute names to values")
    out: Item = {}
    size = 0
    sized = True
    for name, value in item.items():
        if not name:
            raise ValidationException(
                "One or more parameter values were invalid: An attribute name may not be empty"
            )
        if type(name) is str:
            size += len(name) if name.isascii() else len(name.encode("utf-8"))
        else:
            sized = False
        # `validate_value`'s fast path, inline: most attributes are strings and integers, and
        # a call per attribute is a good part of the cost of an item.
        if type(value) is dict and len(value) == 1:
            raw = value.get("S")
            if type(raw) is str:
                out[name] = {"S": raw}
                size += len(raw) if raw.isascii() else len(raw.encode("utf-8"))
                continue
            raw = value.get("N")
            if type(raw) is str and _CANONICAL_INTEGER.fullmatch(raw):
                out[name] = {"N": raw}
                size += _number_size(raw)
                continue
        checked = out[name] = _validate_value(value)
        size += value_size(checked)
    return out, size if sized else None


def values_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """DynamoDB equality: same type and value; sets compare as sets, numbers numerically."""
    ka, kb = type_of(a), type_of(b)
    if ka != kb:
        return False
    va, vb = a[ka], b[kb]
    if ka == "N":
        return Decimal(va) == Decimal(vb)
    if ka == "NS":
        return {Decimal(x) for x in va} == {Decimal(x) for x in vb}
    if ka in ("SS", "BS"):
        return set(va) == set(vb)
    if ka == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb, strict=True))
    if ka == "M":
        return va.keys() == vb.keys() and all(values_equal(va[k], vb[k]) for k in va)
    return bool(va == vb)


def items_equal(a: Item | None, b: Item | None) -> bool:
    """Whether two items (or absences) are the same."""
    if a is None or b is None:
        return a is b
    return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)


def _number_size(text: str) -> int:
    if "e" in text or "E" in text:
        text = canonical_number(Decimal(text))
    significant = len(text.replace("-", "").replace(".", "").strip("0")) or 1
    return (significant + 1) // 2 + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes a value counts for, by the rules in "Item sizes and formats" (DynamoDB guide)."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw) if raw.isascii() else len(raw.encode("utf-8"))
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(_number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())


def item_size(item: Item) -> int:
    """The size of an item: names plus values."""
    total = 0
    for name, value in item.items():
        total += len(name) if name.isascii() else len(name.encode("utf-8"))
        # `value_size` of strings and numbers, inline (the commonest values)
        raw = value.get("S")
        if raw is not None:
            total += len(raw) if raw.isascii() else len(raw.encode("utf-8"))
            continue
        raw = value.get("N")
        total += _number_size(raw) if raw is not None else value_size(value)
    return total


def _value_to_json(value: Mapping[str, Any]) -> Any:
    ((kind, raw),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(raw).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in raw]}
    if kind == "M":
        return {"M": {k: _value_to_json(v) for k, v in raw.items()}}
    if kind == "L":
        return {"L": [_value_to_json(v) for v in raw]}
    return {kind: raw}


def _value_from_json(value: Mapping[str, Any]) -> AttributeValue:
    kind = type_of(value)
    raw = value[kind]
    if kind == "B":
        return {"B": base64.b64decode(raw)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in raw]}
    if kind == "M":
        return {"M": {k: _value_from_json(v) for k, v in raw.items()}}
    if kind == "L":
        return {"L": [_value_from_json(v) for v in raw]}
    return {kind: raw}


def to_json(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """An item in DynamoDB JSON as text carries it (blobs in base64). Strings and numbers are
    the same in both forms: their values are shared with `item`, not copied (values are
    never changed in place; an update makes a new item)."""
    return {k: v if "S" in v or "N" in v else _value_to_json(v) for k, v in item.items()}


def from_json(data: Mapping[str, Any]) -> Item:
    """The inverse of `to_json` (sharing strings and numbers as it does)."""
    return {k: v if "S" in v or "N" in v else _value_from_json(v) for k, v in data.items()}
