"""CloudWatch Logs filter patterns for unstructured log events.

What `FilterLogEvents` takes as ``filterPattern``, in its term syntax
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):

- ``ERROR Exception``: every term must occur (terms are case-sensitive substrings);
- ``"Task timed out"``: a quoted term may hold spaces and any other character;
- ``?ERROR ?WARN``: at least one of the ``?`` terms must occur;
- ``ERROR -Retrying``: no ``-`` term may occur;
- ``%ERROR\\s+\\d+%``: a regular expression between percent signs.

An empty pattern matches every event. A JSON pattern (``{ $.level = "ERROR" }``) matches the
fields of JSON events (`eventsim.services.logs.json_patterns`); space-delimited patterns
(``[ip, user, ...]``) are answered NotImplemented rather than matched as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from eventsim.errors import NotImplementedOperation
from eventsim.services.logs.errors import InvalidParameterException
from eventsim.services.logs.json_patterns import compile_json_pattern

__all__ = ["Matcher", "compile_pattern"]

Matcher = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class _Term:
    kind: str
    """``all`` (must occur), ``any`` (one of these must occur) or ``none`` (must not)."""
    test: Matcher


def compile_pattern(pattern: str | None) -> Matcher:
    """A function telling whether a message matches ``pattern``."""
    text = (pattern or "").strip()
    if not text:
        return _everything
    if text[0] == "{":
        return compile_json_pattern(text)
    if text[0] == "[":
        raise NotImplementedOperation(
            "eventsim does not implement space-delimited filter patterns "
            f"({text[:40]!r}); use terms, quoted phrases, ?alternatives, -exclusions, a "
            "%regular expression% or a JSON pattern { $.field = value }.")
    terms = [_term(token, pattern or "") for token in _tokens(text, pattern or "")]
    required = [t.test for t in terms if t.kind == "all"]
    alternatives = [t.test for t in terms if t.kind == "any"]
    excluded = [t.test for t in terms if t.kind == "none"]

    def matches(message: str) -> bool:
        return (all(test(message) for test in required)
                and (not alternatives or any(test(message) for test in alternatives))
                and not any(test(message) for test in excluded))
    return matches


def _everything(message: str) -> bool:
    return True


def _tokens(text: str, pattern: str) -> list[str]:
    """Split on white space, keeping quoted terms (with their quotes) and %regexes% whole."""
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in "?-":
            i += 1
        if i < n and text[i] in "\"%":
            close = text.find(text[i], i + 1)
            if close < 0:
                raise InvalidParameterException(
                    f"Invalid filter pattern {pattern!r}: unterminated {text[i]} at "
                    f"character {i + 1}.")
            i = close + 1
        else:
            while i < n and not text[i].isspace():
                i += 1
        tokens.append(text[start:i])
    return tokens


def _term(token: str, pattern: str) -> _Term:
    kind = "all"
    if token[0] == "?":
        kind, token = "any", token[1:]
    elif token[0] == "-":
        kind, token = "none", token[1:]
    if not token:
        raise InvalidParameterException(
            f"Invalid filter pattern {pattern!r}: an operator without a term.")
    if len(token) >= 2 and token[0] == token[-1] == "%":
        try:
            regex = re.compile(token[1:-1])
        except re.error as exc:
            raise InvalidParameterException(
                f"Invalid filter pattern {pattern!r}: {exc}.") from None
        return _Term(kind, lambda message: regex.search(message) is not None)
    if len(token) >= 2 and token[0] == token[-1] == '"':
        token = token[1:-1]
    elif '"' in token:
        raise InvalidParameterException(
            f"Invalid filter pattern {pattern!r}: a quote inside the term {token!r}.")
    literal = token
    return _Term(kind, lambda message: literal in message)
