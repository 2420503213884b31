"""CloudWatch Logs filter patterns for JSON log events: ``{ $.level = "ERROR" }``.

The syntax of "Using filter patterns to match terms in JSON log events" (CloudWatch Logs User
Guide), for the structured logs handlers write (Powertools' Logger, ``json.dumps`` lines):

- ``{ $.name = "text" }``, ``!=``: a string, ``*`` matching any run of characters;
- ``{ $.count >= 3 }``: a number with ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``;
- ``{ $.flag IS TRUE }``, ``IS FALSE``, ``IS NULL``, ``{ $.name NOT EXISTS }``;
- ``&&`` and ``||`` (``&&`` binds tighter) and parentheses;
- selectors ``$.a.b`` and ``$.list[0]``.

An event that is not a JSON object matches no JSON pattern. A comparison of a field that is
absent (or of another type) is false, ``!=`` included.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

from eventsim.services.logs.errors import InvalidParameterException

__all__ = ["compile_json_pattern"]

Matcher = Callable[[str], bool]
_Test = Callable[[Any], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<op>&&|\|\||<=|>=|!=|=|<|>|\(|\))
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<selector>\$(?:\.[A-Za-z0-9_$@-]+|\[\d+\])*)
    | (?P<word>[^\s()=<>!&|"]+)
    )""", re.VERBOSE)
_MISSING = object()


def compile_json_pattern(pattern: str) -> Matcher:
    """A function telling whether a message matches the JSON ``pattern`` (``{ ... }``)."""
    text = pattern.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise _invalid(pattern, "a JSON pattern is written between { and }")
    parser = _Parser(pattern, _tokens(text[1:-1], pattern))
    test = parser.expression()
    if parser.peek() is not None:
        raise _invalid(pattern, f"unexpected {parser.peek()!r}")

    def matches(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return isinstance(document, dict) and test(document)
    return matches


def _tokens(text: str, pattern: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise _invalid(pattern, f"cannot read it from {text[at:].strip()[:20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, pattern: str, tokens: list[tuple[str, str]]) -> None:
        self._pattern = pattern
        self._tokens = tokens
        self._at = 0

    def peek(self) -> str | None:
        return self._tokens[self._at][1] if self._at < len(self._tokens) else None

    def _take(self) -> tuple[str, str]:
        if self._at >= len(self._tokens):
            raise _invalid(self._pattern, "it ends too soon")
        token = self._tokens[self._at]
        self._at += 1
        return token

    def expression(self) -> _Test:
        tests = [self._conjunction()]
        while self.peek() == "||":
            self._take()
            tests.append(self._conjunction())
        return tests[0] if len(tests) == 1 else lambda doc: any(t(doc) for t in tests)

    def _conjunction(self) -> _Test:
        tests = [self._factor()]
        while self.peek() == "&&":
            self._take()
            tests.append(self._factor())
        return tests[0] if len(tests) == 1 else lambda doc: all(t(doc) for t in tests)

    def _factor(self) -> _Test:
        if self.peek() == "(":
            self._take()
            inner = self.expression()
            if self._take()[1] != ")":
                raise _invalid(self._pattern, "a ( without its )")
            return inner
        kind, selector = self._take()
        if kind != "selector":
            raise _invalid(self._pattern, f"expected a selector such as $.name, not {selector!r}")
        path = _path(selector)
        kind, word = self._take()
        if kind == "word" and word.upper() in ("IS", "NOT"):
            return self._keyword(path, word.upper())
        if kind != "op" or word not in ("=", "!=", "<", "<=", ">", ">="):
            raise _invalid(self._pattern, f"expected a comparison after {selector}, not {word!r}")
        return self._comparison(path, word, self._take())

    def _keyword(self, path: list[str | int], first: str) -> _Test:
        _, second = self._take()
        second = second.upper()
        if first == "NOT" and second == "EXISTS":
            return lambda doc: _find(doc, path) is _MISSING
        if first == "IS" and second in ("TRUE", "FALSE", "NULL"):
            wanted = {"TRUE": True, "FALSE": False, "NULL": None}[second]
            return lambda doc: _find(doc, path) is wanted
        raise _invalid(self._pattern, f"{first} {second} is not a test (IS TRUE, IS FALSE, "
                                      "IS NULL, NOT EXISTS)")

    def _comparison(self, path: list[str | int], op: str, value: tuple[str, str]) -> _Test:
        kind, text = value
        number = _number(text) if kind == "word" else None
        if number is not None:
            compare = _NUMERIC[op]

            def numeric(doc: Any) -> bool:
                found = _find(doc, path)
                return (isinstance(found, int | float) and not isinstance(found, bool)
                        and compare(found, number))
            return numeric
        if op not in ("=", "!="):
            raise _invalid(self._pattern, f"{op} compares numbers, not {text!r}")
        wanted = json.loads(text) if kind == "string" else text
        same = (lambda s: fnmatch.fnmatchcase(s, wanted)) if "*" in wanted \
            else (lambda s: s == wanted)

        def textual(doc: Any) -> bool:
            found = _find(doc, path)
            return isinstance(found, str) and same(found) == (op == "=")
        return textual


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _path(selector: str) -> list[str | int]:
    return [int(index) if index else name
            for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", selector[1:])]


def _find(document: Any, path: list[str | int]) -> Any:
    """The value at ``path``, or `_MISSING`."""
    here = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(here, list) or step >= len(here):
                return _MISSING
            here = here[step]
        elif isinstance(here, dict) and step in here:
            here = here[step]
        else:
            return _MISSING
    return here


def _invalid(pattern: str, why: str) -> InvalidParameterException:
    return InvalidParameterException(f"Invalid filter pattern {pattern!r}: {why}.")
