"""Identifiers: the digits and formats asked for, random where AWS's are."""

from __future__ import annotations

import re
import uuid

import pytest

from eventsim.ids import new_uuid, random_hex


@pytest.mark.parametrize("digits", [1, 8, 16, 24, 32])
@pytest.mark.parametrize("upper", [False, True])
def test_random_hex_has_exactly_the_digits_asked_in_the_case_asked(digits: int,
                                                                   upper: bool) -> None:
    pattern = re.compile(("[0-9A-F]" if upper else "[0-9a-f]") + f"{{{digits}}}")
    made = [random_hex(digits, upper) for _ in range(2000)]
    assert all(pattern.fullmatch(h) for h in made)
    # Leading zeros are kept (a sixteenth of the values start with one), and values repeat
    # no more than chance makes them.
    assert any(h.startswith("0") for h in made)
    if digits >= 16:  # 2,000 of 2**64 values: a repeat is all but impossible
        assert len(set(made)) == len(made)


def test_new_uuid_is_a_version_4_rfc_4122_uuid_in_canonical_form() -> None:
    made = [new_uuid() for _ in range(2000)]
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len(set(made)) == len(made)
