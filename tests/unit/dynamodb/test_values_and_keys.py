"""Attribute values: DynamoDB's number rules and the sortable key encoding."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.keys import encode_key, encode_number
from eventsim.services.dynamodb.values import (
    from_json,
    item_size,
    to_json,
    validate_item,
    validate_sized_item,
    validate_value,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("01.50", "1.5"), ("1e3", "1000"), ("-0", "0"), ("0.000", "0"), ("-1.2E-5", "-0.000012"),
     ("123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678")],
)
def test_numbers_are_answered_in_canonical_form(text: str, canonical: str) -> None:
    assert validate_value({"N": text}) == {"N": canonical}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("", "The parameter cannot be converted to a numeric value: "),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        ("1E126", "Number overflow. Attempting to store a number with magnitude larger than "
                  "supported range"),
        ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than "
                   "supported range"),
    ],
)
def test_invalid_numbers_get_aws_messages(text: str, message: str) -> None:
    with pytest.raises(ValidationException) as info:
        validate_value({"N": text})
    assert info.value.message == message


def test_empty_sets_and_duplicates_are_rejected() -> None:
    with pytest.raises(ValidationException, match="may not be empty"):
        validate_value({"SS": []})
    with pytest.raises(ValidationException, match="contains duplicates"):
        validate_value({"NS": ["1", "1.0"]})


def test_number_encoding_sorts_numerically() -> None:
    rng = random.Random(7)
    numbers = [Decimal(0), Decimal("-1.2"), Decimal("-1.23"), Decimal("1.2"), Decimal("1.23"),
               Decimal("1E-130"), Decimal("-1E-130"), Decimal("9.99E+125"), Decimal("-9.99E+125"),
               Decimal(10), Decimal(9), Decimal("0.5"), Decimal(-100)]
    numbers += [Decimal(rng.randint(-10**6, 10**6)) / Decimal(rng.choice([1, 10, 1000]))
                for _ in range(300)]
    by_encoding = sorted(numbers, key=encode_number)
    assert by_encoding == sorted(numbers)


def test_equal_numbers_encode_equally() -> None:
    assert encode_number(Decimal("1.50")) == encode_number(Decimal("1.5"))


def test_string_keys_sort_by_utf8_bytes() -> None:
    words = ["b", "a", "\uff21", "\U0001f600", "ab", ""]
    assert sorted(words, key=lambda w: encode_key({"S": w})) == sorted(
        words, key=lambda w: w.encode("utf-8")
    )


def test_json_form_round_trips_blobs() -> None:
    item = validate_item({"b": {"B": b"\x00\xff"}, "bs": {"BS": [b"\x01"]},
                          "m": {"M": {"x": {"L": [{"B": b"\x02"}]}}}})
    text = to_json(item)
    assert text["b"] == {"B": "AP8="}
    assert from_json(text) == item


def test_item_size_counts_names_and_values() -> None:
    assert item_size({"ab": {"S": "xyz"}}) == 5
    assert item_size({"n": {"N": "12345"}}) == 1 + 4


def test_validation_measures_the_item_as_item_size_does() -> None:
    item = {"ab": {"S": "xyz"}, "é": {"S": "ünï"}, "n": {"N": "12345"}, "-n": {"N": "-100"},
            "f": {"N": "01.50"}, "e": {"N": "1e3"}, "ss": {"SS": ["a", "bé"]},
            "ns": {"NS": ["1", "2.5"]}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
            "z": {"NULL": True}, "m": {"M": {"k": {"L": [{"S": "v"}, {"N": "7"}]}}}}
    checked, size = validate_sized_item(item)
    assert checked == validate_item(item)
    assert size == item_size(checked)
    assert validate_sized_item({5: {"S": "x"}})[1] is None  # item_size's to tell what is wrong
