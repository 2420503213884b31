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


@pytest.mark.parametrize("pattern", ['{ $.level = "ERROR" }', "[ip, user, status = 500]"])
def test_structured_patterns_are_not_implemented(pattern: str) -> None:
    with pytest.raises(AwsError) as raised:
        compile_pattern(pattern)
    assert raised.value.code == "NotImplemented"
