"""The syntax tree of DynamoDB expressions, with names and values already substituted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Add", "And", "Arith", "Between", "Compare", "Condition", "Delete", "Function", "IfNotExists",
    "In", "ListAppend", "Not", "Operand", "Or", "Path", "Remove", "Set", "SetValue", "Size",
    "Update", "Value",
]


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: attribute names and list indexes (``a.b[2].c`` is a, b, 2, c)."""

    elements: tuple[str | int, ...]

    def __str__(self) -> str:
        out = ""
        for e in self.elements:
            out += f"[{e}]" if isinstance(e, int) else (f".{e}" if out else e)
        return out

    def render(self) -> str:
        """As DynamoDB lists a path in overlap messages: ``[a, b, [2]]``."""
        return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in self.elements) + "]"


@dataclass(frozen=True, slots=True)
class Value:
    """An expression attribute value (``:v``), resolved."""

    name: str
    value: dict[str, Any] = field(compare=False)


@dataclass(frozen=True, slots=True)
class Size:
    """``size(path)`` used as an operand."""

    path: Path


Operand = Path | Value | Size


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # "=", "<>", "<", "<=", ">", ">="
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    operand: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Function:
    """A condition function: attribute_exists, attribute_not_exists, attribute_type,
    begins_with, contains."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = Compare | Between | In | Function | And | Or | Not


@dataclass(frozen=True, slots=True)
class IfNotExists:
    path: Path
    default: SetValue


@dataclass(frozen=True, slots=True)
class ListAppend:
    first: SetValue
    second: SetValue


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # "+" or "-"
    left: SetValue
    right: SetValue


SetValue = Path | Value | IfNotExists | ListAppend | Arith


@dataclass(frozen=True, slots=True)
class Set:
    path: Path
    value: SetValue


@dataclass(frozen=True, slots=True)
class Remove:
    path: Path


@dataclass(frozen=True, slots=True)
class Add:
    path: Path
    value: Value


@dataclass(frozen=True, slots=True)
class Delete:
    path: Path
    value: Value


@dataclass(frozen=True, slots=True)
class Update:
    """An UpdateExpression: its actions, clause by clause, in the order written."""

    sets: tuple[Set, ...] = ()
    removes: tuple[Remove, ...] = ()
    adds: tuple[Add, ...] = ()
    deletes: tuple[Delete, ...] = ()
