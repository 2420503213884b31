"""A recursive-descent parser for DynamoDB's expressions.

Grammar (keywords case-insensitive, function names case-sensitive, as in DynamoDB)::

    condition   := or
    or          := and ("OR" and)*
    and         := not ("AND" not)*
    not         := "NOT" not | primary
    primary     := "(" condition ")"
                 | function "(" operand ("," operand)* ")"         -- attribute_exists, ...
                 | operand comparator operand
                 | operand "BETWEEN" operand "AND" operand
                 | operand "IN" "(" operand ("," operand)* ")"
    operand     := path | ":value" | "size" "(" path ")"
    path        := (NAME | "#name") ("." (NAME | "#name") | "[" INT "]")*

    update      := clause+                                         -- each clause at most once
    clause      := "SET" set ("," set)* | "REMOVE" path ("," path)*
                 | "ADD" path ":value" ("," ...)* | "DELETE" path ":value" ("," ...)*
    set         := path "=" setvalue
    setvalue    := setoperand (("+" | "-") setoperand)?
    setoperand  := path | ":value" | "if_not_exists" "(" path "," setvalue ")"
                 | "list_append" "(" setvalue "," setvalue ")"

    projection  := path ("," path)*

The precedence is AWS's: comparators, IN, BETWEEN and functions bind tightest, then NOT,
then AND, then OR. Names and values are substituted while parsing, so the tree holds
attribute names and values, and errors read as DynamoDB's.
"""

from __future__ import annotations

from typing import NoReturn

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.expressions.evaluate import compare_values
from eventsim.services.dynamodb.expressions.reserved import is_reserved
from eventsim.services.dynamodb.expressions.substitution import Substitutions
from eventsim.services.dynamodb.expressions.tokens import Token, tokenize

__all__ = [
    "parse_condition",
    "parse_projection",
    "parse_update",
]

_COMPARATORS = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_CONDITION_FUNCTIONS = {
    "attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
    "begins_with": 2, "contains": 2,
}
_UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_ATTRIBUTE_TYPES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")
MAX_IN_OPERANDS = 100


class _Parser:
    def __init__(self, source: str, kind: str, subs: Substitutions) -> None:
        self.source = source
        self.kind = kind
        self.subs = subs
        self.tokens = tokenize(source)
        self.pos = 0
        if self.tokens[0].kind == "EOF":
            self.fail("The expression can not be empty;")

    # -- helpers ---------------------------------------------------------------------------

    def fail(self, message: str) -> NoReturn:
        raise ValidationException(f"Invalid {self.kind}: {message}")

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != "EOF":
            self.pos += 1
        return tok

    def syntax_error(self) -> NoReturn:
        """DynamoDB's message: the offending token and the text around it."""
        tok = self.tok
        start = self.tokens[self.pos - 1].start if self.pos > 0 else tok.start
        end = self.peek().end if tok.kind != "EOF" else tok.end
        self.fail(f'Syntax error; token: "{tok.text}", near: "{self.source[start:end]}"')

    def expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            self.syntax_error()
        return self.advance()

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "NAME" and self.tok.text.upper() == word

    def finish(self) -> None:
        if self.tok.kind != "EOF":
            self.syntax_error()

    # -- paths and operands ----------------------------------------------------------------

    def name_element(self) -> str:
        tok = self.tok
        if tok.kind == "NAMEREF":
            self.advance()
            return self.subs.name(tok.text, self.kind)
        if tok.kind == "NAME" and tok.text.upper() not in _KEYWORDS:
            if is_reserved(tok.text):
                self.fail(f"Attribute name is a reserved keyword; reserved keyword: {tok.text}")
            self.advance()
            return tok.text
        self.syntax_error()

    def path(self) -> n.Path:
        elements: list[str | int] = [self.name_element()]
        while True:
            if self.tok.kind == "DOT":
                self.advance()
                elements.append(self.name_element())
            elif self.tok.kind == "LBRACK":
                self.advance()
                index = self.expect("INT")
                self.expect("RBRACK")
                elements.append(int(index.text))
            else:
                return n.Path(tuple(elements))

    def value(self) -> n.Value:
        tok = self.expect("VALREF")
        return n.Value(tok.text, self.subs.value(tok.text, self.kind))

    def is_call(self) -> bool:
        return self.tok.kind == "NAME" and self.peek().kind == "LPAREN"

    def operand(self) -> n.Operand:
        tok = self.tok
        if tok.kind == "VALREF":
            return self.value()
        if self.is_call():
            name = tok.text
            if name == "size":
                self.advance()
                self.advance()
                arg = self.call_path_argument("size")
                if self.tok.kind == "COMMA":
                    self.count_error("size", 1 + self.count_remaining_args())
                self.expect("RPAREN")
                return n.Size(arg)
            if name in _CONDITION_FUNCTIONS or name in _UPDATE_FUNCTIONS:
                self.fail(
                    "The function is not allowed to be used this way in an expression; "
                    f"function: {name}"
                )
            self.fail(f"Invalid function name; function: {name}")
        if tok.kind in ("NAME", "NAMEREF"):
            return self.path()
        self.syntax_error()

    def call_path_argument(self, function: str) -> n.Path:
        if self.tok.kind in ("NAME", "NAMEREF") and not self.is_call():
            return self.path()
        if self.tok.kind in ("VALREF", "NAME"):
            self.fail(
                "Operator or function requires a document path; operator or function: "
                f"{function}"
            )
        self.syntax_error()

    def count_remaining_args(self) -> int:
        depth, count, i = 0, 0, self.pos
        while self.tokens[i].kind != "EOF":
            kind = self.tokens[i].kind
            if kind == "LPAREN":
                depth += 1
            elif kind == "RPAREN":
                if depth == 0:
                    break
                depth -= 1
            elif kind == "COMMA" and depth == 0:
                count += 1
            i += 1
        return count

    def count_error(self, function: str, count: int) -> NoReturn:
        self.fail(
            "Incorrect number of operands for operator or function; operator or function: "
            f"{function}, number of operands: {count}"
        )

    # -- conditions ------------------------------------------------------------------------

    def condition(self) -> n.Condition:
        left = self.conjunction()
        while self.is_word("OR"):
            self.advance()
            left = n.Or(left, self.conjunction())
        return left

    def conjunction(self) -> n.Condition:
        left = self.negation()
        while self.is_word("AND"):
            self.advance()
            left = n.And(left, self.negation())
        return left

    def negation(self) -> n.Condition:
        if self.is_word("NOT"):
            self.advance()
            return n.Not(self.negation())
        return self.primary()

    def primary(self) -> n.Condition:
        if self.tok.kind == "LPAREN":
            self.advance()
            inner = self.condition()
            self.expect("RPAREN")
            return inner
        if self.is_call() and self.tok.text in _CONDITION_FUNCTIONS:
            return self.function()
        left = self.operand()
        if self.tok.kind in _COMPARATORS:
            op = _COMPARATORS[self.advance().kind]
            return n.Compare(op, left, self.operand())
        if self.is_word("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.is_word("AND"):
                self.syntax_error()
            self.advance()
            high = self.operand()
            self.check_between(low, high)
            return n.Between(left, low, high)
        if self.is_word("IN"):
            self.advance()
            self.expect("LPAREN")
            options = [self.operand()]
            while self.tok.kind == "COMMA":
                self.advance()
                options.append(self.operand())
            self.expect("RPAREN")
            if len(options) > MAX_IN_OPERANDS:
                self.fail(
                    "The IN operator is provided with too many operands; number of operands: "
                    f"{len(options)}"
                )
            return n.In(left, tuple(options))
        self.syntax_error()

    def check_between(self, low: n.Operand, high: n.Operand) -> None:
        if isinstance(low, n.Value) and isinstance(high, n.Value):
            if compare_values(low.value, high.value, ">") is True:
                self.fail(
                    "The BETWEEN operator requires upper bound to be greater than or equal to "
                    f"lower bound; lower bound operand: AttributeValue: {_show(low.value)}, "
                    f"upper bound operand: AttributeValue: {_show(high.value)}"
                )

    def function(self) -> n.Function:
        name = self.advance().text
        self.advance()  # (
        expected = _CONDITION_FUNCTIONS[name]
        args: list[n.Operand] = [self.call_path_argument(name)]
        while self.tok.kind == "COMMA":
            self.advance()
            args.append(self.operand())
        if self.tok.kind != "RPAREN":
            self.syntax_error()
        if len(args) != expected:
            self.count_error(name, len(args))
        self.advance()
        if name == "attribute_type":
            self.check_type_argument(args[1])
        if name == "begins_with" and isinstance(args[1], n.Value):
            kind = next(iter(args[1].value))
            if kind not in ("S", "B"):
                self.fail(
                    "Incorrect operand type for operator or function; operator or function: "
                    f"begins_with, operand type: {kind}"
                )
        return n.Function(name, tuple(args))

    def check_type_argument(self, arg: n.Operand) -> None:
        if not isinstance(arg, n.Value):
            return
        kind, raw = next(iter(arg.value.items()))
        if kind != "S":
            self.fail(
                "Incorrect operand type for operator or function; operator or function: "
                f"attribute_type, operand type: {kind}"
            )
        if raw not in _ATTRIBUTE_TYPES:
            self.fail(
                f"Invalid attribute type name found; type: {raw}, valid types: "
                "{" + ",".join(_ATTRIBUTE_TYPES) + "}"
            )

    # -- updates ---------------------------------------------------------------------------

    def update(self) -> n.Update:
        sections: dict[str, list[object]] = {}
        while self.tok.kind != "EOF":
            clause = self.tok.text.upper() if self.tok.kind == "NAME" else ""
            if clause not in _CLAUSES:
                self.syntax_error()
            if clause in sections:
                self.fail(f'The "{clause}" section can only be used once in an update expression;')
            self.advance()
            actions = sections[clause] = [self.action(clause)]
            while self.tok.kind == "COMMA":
                self.advance()
                actions.append(self.action(clause))
        update = n.Update(
            sets=tuple(a for a in sections.get("SET", ()) if isinstance(a, n.Set)),
            removes=tuple(a for a in sections.get("REMOVE", ()) if isinstance(a, n.Remove)),
            adds=tuple(a for a in sections.get("ADD", ()) if isinstance(a, n.Add)),
            deletes=tuple(a for a in sections.get("DELETE", ()) if isinstance(a, n.Delete)),
        )
        self.check_overlaps(update)
        return update

    def action(self, clause: str) -> n.Set | n.Remove | n.Add | n.Delete:
        path = self.path()
        if clause == "SET":
            self.expect("EQ")
            return n.Set(path, self.set_value())
        if clause == "REMOVE":
            return n.Remove(path)
        if self.tok.kind != "VALREF":
            self.syntax_error()
        value = self.value()
        return n.Add(path, value) if clause == "ADD" else n.Delete(path, value)

    def set_value(self) -> n.SetValue:
        left = self.set_operand()
        if self.tok.kind in ("PLUS", "MINUS"):
            op = self.advance().text
            return n.Arith(op, left, self.set_operand())
        return left

    def set_operand(self) -> n.SetValue:
        tok = self.tok
        if tok.kind == "VALREF":
            return self.value()
        if self.is_call():
            name = tok.text
            if name in _CONDITION_FUNCTIONS or name == "size":
                self.fail(f"The function is not allowed in an update expression; function: {name}")
            if name not in _UPDATE_FUNCTIONS:
                self.fail(f"Invalid function name; function: {name}")
            self.advance()
            self.advance()
            if name == "if_not_exists":
                path = self.call_path_argument(name)
                args: list[n.SetValue] = [path]
            else:
                args = [self.set_value()]
            while self.tok.kind == "COMMA":
                self.advance()
                args.append(self.set_value())
            if self.tok.kind != "RPAREN":
                self.syntax_error()
            if len(args) != 2:
                self.count_error(name, len(args))
            self.advance()
            if name == "if_not_exists":
                assert isinstance(args[0], n.Path)
                return n.IfNotExists(args[0], args[1])
            return n.ListAppend(args[0], args[1])
        if tok.kind in ("NAME", "NAMEREF"):
            return self.path()
        self.syntax_error()

    def check_overlaps(self, update: n.Update) -> None:
        self.check_paths_apart([
            a.path for group in (update.sets, update.removes, update.adds, update.deletes)
            for a in group
        ])

    def check_paths_apart(self, paths: list[n.Path]) -> None:
        """No path may be another, or lie inside another (updates and projections)."""
        for i, one in enumerate(paths):
            for two in paths[i + 1:]:
                shorter = min(len(one.elements), len(two.elements))
                if one.elements[:shorter] == two.elements[:shorter]:
                    self.fail(
                        "Two document paths overlap with each other; must remove or rewrite "
                        f"one of these paths; path one: {one.render()}, path two: {two.render()}"
                    )


def _show(value: dict[str, object]) -> str:
    kind, raw = next(iter(value.items()))
    return "{" + f"{kind}:{raw}" + "}"


def parse_condition(
    source: str, subs: Substitutions, kind: str = "ConditionExpression"
) -> n.Condition:
    """Parse a ConditionExpression, FilterExpression or KeyConditionExpression (``kind`` names
    it in error messages)."""
    parser = _Parser(source, kind, subs)
    cond = parser.condition()
    parser.finish()
    return cond


def parse_update(source: str, subs: Substitutions) -> n.Update:
    """Parse an UpdateExpression."""
    parser = _Parser(source, "UpdateExpression", subs)
    update = parser.update()
    parser.finish()
    return update


def parse_projection(source: str, subs: Substitutions) -> tuple[n.Path, ...]:
    """Parse a ProjectionExpression."""
    parser = _Parser(source, "ProjectionExpression", subs)
    paths = [parser.path()]
    while parser.tok.kind == "COMMA":
        parser.advance()
        paths.append(parser.path())
    parser.finish()
    parser.check_paths_apart(paths)
    return tuple(paths)
