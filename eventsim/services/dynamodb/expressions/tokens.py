"""The tokenizer of DynamoDB's expression language.

Keywords (AND, OR, NOT, BETWEEN, IN, SET, REMOVE, ADD, DELETE) come out as NAME tokens; the
parser decides by position what a word means, as DynamoDB does (``SET`` is a keyword at the
start of a clause and a reserved word in a path).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Token", "tokenize"]

_PUNCTUATION = {
    "(": "LPAREN", ")": "RPAREN", "[": "LBRACK", "]": "RBRACK", ",": "COMMA", ".": "DOT",
    "=": "EQ", "+": "PLUS", "-": "MINUS",
}
_COMPARATORS = {"<>": "NE", "<=": "LE", ">=": "GE", "<": "LT", ">": "GT"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text and where it lies in the source."""

    kind: str
    text: str
    start: int
    end: int


def _word_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens, ending with an EOF token.

    A character that starts no token becomes an ``INVALID`` token, so that the parser reports
    it with DynamoDB's "Syntax error; token: ..." message at the place it stands.
    """
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c in "#:":
            i += 1
            while i < n and _word_char(source[i]):
                i += 1
            kind = "NAMEREF" if c == "#" else "VALREF"
            tokens.append(Token(kind if i > start + 1 else "INVALID", source[start:i], start, i))
            continue
        if c.isascii() and c.isdigit():
            while i < n and source[i].isascii() and source[i].isdigit():
                i += 1
            tokens.append(Token("INT", source[start:i], start, i))
            continue
        if c.isascii() and (c.isalpha() or c == "_"):
            while i < n and _word_char(source[i]):
                i += 1
            tokens.append(Token("NAME", source[start:i], start, i))
            continue
        two = source[i:i + 2]
        if two in _COMPARATORS:
            tokens.append(Token(_COMPARATORS[two], two, start, i + 2))
            i += 2
            continue
        if c in _COMPARATORS:
            tokens.append(Token(_COMPARATORS[c], c, start, i + 1))
            i += 1
            continue
        if c in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[c], c, start, i + 1))
            i += 1
            continue
        tokens.append(Token("INVALID", c, start, i + 1))
        i += 1
    tokens.append(Token("EOF", "<EOF>", n, n))
    return tokens
