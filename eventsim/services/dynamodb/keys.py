"""Key values encoded as bytes whose byte order is DynamoDB's order.

SQLite compares BLOBs with memcmp, so a table's sort key column holds `encode_key(value)`
and ``ORDER BY sk`` is the order Query returns: strings by their UTF-8 bytes, binary by
bytes, numbers numerically. A number is encoded as a sign class, then its decimal exponent,
then its digits (all inverted for negatives, with a terminator so that a shorter negative
sorts after a longer one sharing its digits: -1.2 > -1.23).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from eventsim.services.dynamodb.values import NUMBER_CONTEXT

__all__ = ["encode_key", "encode_number"]

_EXP_BIAS = 1000  # exponents of DynamoDB numbers lie within -130..126
_INTEGER = re.compile(r"-?[1-9][0-9]{0,37}")
"""Integers `_encode_integer` encodes from their text: every integer DynamoDB accepts."""
_INVERT = str.maketrans("0123456789", "9876543210")


def encode_number(number: Decimal) -> bytes:
    """Order-preserving bytes for a number."""
    if number.is_zero():
        return b"\x02"
    # In DynamoDB's 38 digits: Python's default context (28) would round longer numbers,
    # and two different keys would share a stored key.
    sign, digits, exponent = number.normalize(NUMBER_CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    # value = 0.d1d2...dn x 10**adjusted: compare by adjusted exponent, then digit string.
    adjusted = exponent + len(digits)
    text = bytes(0x30 + d for d in digits)
    if not sign:
        return b"\x03" + (adjusted + _EXP_BIAS).to_bytes(2, "big") + text
    inverted = bytes(0x30 + 9 - (b - 0x30) for b in text)
    return b"\x01" + (0xFFFF - (adjusted + _EXP_BIAS)).to_bytes(2, "big") + inverted + b"\xff"


def _encode_integer(text: str) -> bytes:
    """`encode_number` of a non-zero integer written without redundant zeros, from its text:
    its digits less trailing zeros, and as many digits before the point as it has."""
    if text[0] != "-":
        return b"\x03" + (len(text) + _EXP_BIAS).to_bytes(2, "big") + text.rstrip("0").encode()
    digits = text[1:]
    inverted = digits.rstrip("0").translate(_INVERT).encode()
    return b"\x01" + (0xFFFF - (len(digits) + _EXP_BIAS)).to_bytes(2, "big") + inverted + b"\xff"


def encode_key(value: dict[str, Any]) -> bytes:
    """The sortable form of a key attribute value (S, N or B)."""
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return bytes(raw.encode("utf-8"))
    if kind == "N":
        if _INTEGER.fullmatch(raw):
            return _encode_integer(raw)
        return encode_number(Decimal(raw))
    return bytes(raw)
