"""CloudWatch Logs filter patterns in their term syntax: what matches, and what is refused."""

import pytest

from eventsim import AwsError
from eventsim.services.logs.patterns import compile_pattern

MESSAGES = [
    "START RequestId: 1 Version: $LATEST\n",
    "ERROR could not resize cat.jpg\n",
    "WARN slow: 900 ms\n",
    "Task timed out after 3.00 seconds\n",
    "error in lower case\n",
]


def _matching(pattern: str | None) -> list[str]:
    matches = compile_pattern(pattern)
    return [m for m in MESSAGES if matches(m)]


@pytest.mark.parametrize("pattern", [None, "", "   "])
def test_an_empty_pattern_matches_every_event(pattern: str | None) -> None:
    assert _matching(pattern) == MESSAGES


def test_terms_are_case_sensitive_substrings_that_must_all_occur() -> None:
    assert _matching("ERROR") == [MESSAGES[1]]
    assert _matching("ERROR cat.jpg") == [MESSAGES[1]]
    assert _matching("ERROR dog") == []


def test_a_quoted_term_keeps_its_spaces() -> None:
    assert _matching('"Task timed out"') == [MESSAGES[3]]
    assert _matching('"timed Task"') == []


def test_question_marked_terms_are_alternatives() -> None:
    assert _matching("?ERROR ?WARN") == [MESSAGES[1], MESSAGES[2]]


def test_minus_terms_exclude() -> None:
    assert _matching("ms -WARN") == []
    assert _matching("e -ERROR -WARN -START") == [MESSAGES[3], MESSAGES[4]]


def test_a_percent_term_is_a_regular_expression() -> None:
    assert _matching(r"%\d+ ms%") == [MESSAGES[2]]
    assert _matching("%^[Ee]rror%") == [MESSAGES[4]]


@pytest.mark.parametrize("pattern", ['"unclosed', "%unclosed", "?", 'ERR"OR', "%(%"])
def test_malformed_patterns_are_invalid_parameters(pattern: str) -> None:
    with pytest.raises(AwsError) as raised:
        compile_pattern(pattern)
    assert raised.value.code == "InvalidParameterException"
    assert repr(pattern) in raised.value.message


def test_space_delimited_patterns_are_not_implemented() -> None:
    with pytest.raises(AwsError) as raised:
        compile_pattern("[ip, user, status = 500]")
    assert raised.value.code == "NotImplemented"


EVENTS = [
    '{"level": "ERROR", "message": "resize failed", "status": 500, "cold": true}\n',
    '{"level": "INFO", "message": "resized cat.jpg", "status": 200, "cold": false,'
    ' "image": {"width": 128, "tags": ["cat", "small"]}}\n',
    '{"level": "WARNING", "message": "slow", "status": 200, "user": null}\n',
    "plain text, not JSON\n",
    '["a", "list"]\n',
]


def _json_matching(pattern: str) -> list[int]:
    matches = compile_pattern(pattern)
    return [i for i, event in enumerate(EVENTS) if matches(event)]


@pytest.mark.parametrize(("pattern", "expected"), [
    ('{ $.level = "ERROR" }', [0]),
    ("{ $.level = ERROR }", [0]),
    ('{ $.level != "ERROR" }', [1, 2]),
    ('{ $.message = "resize*" }', [0, 1]),
    ("{ $.status >= 300 }", [0]),
    ("{ $.status = 200 }", [1, 2]),
    ("{ $.status != 200 }", [0]),
    ("{ $.image.width < 256 }", [1]),
    ('{ $.image.tags[0] = "cat" }', [1]),
    ("{ $.cold IS TRUE }", [0]),
    ("{ $.cold IS FALSE }", [1]),
    ("{ $.user IS NULL }", [2]),
    ("{ $.image NOT EXISTS }", [0, 2]),
    ('{ $.level = "INFO" || $.status >= 500 }', [0, 1]),
    ('{ ($.level = "INFO" || $.level = "WARNING") && $.status = 200 }', [1, 2]),
    ('{ $.level = "ERROR" && $.status = 200 || $.user IS NULL }', [2]),
])
def test_json_patterns_match_the_fields_of_json_events(pattern: str, expected: list[int]) -> None:
    assert _json_matching(pattern) == expected


@pytest.mark.parametrize("pattern", [
    "{ $.level = }", "{ level = 1 }", "{ $.a < text }", "{ ($.a = 1 }", "{ $.a IS MAYBE }",
    "{ $.a = 1 $.b = 2 }",
])
def test_malformed_json_patterns_are_invalid_parameters(pattern: str) -> None:
    with pytest.raises(AwsError) as raised:
        compile_pattern(pattern)
    assert raised.value.code == "InvalidParameterException"
