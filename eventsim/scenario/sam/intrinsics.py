"""CloudFormation's intrinsic functions, resolved against one template.

    resolver = Resolver(context)
    value = resolver.resolve(raw, ("Resources", "Fn", "Properties", "Environment"))

Supported: ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` (a string, or ``[string, variables]``, with
``${AWS::Region}``, ``${Param}``, ``${Resource}``, ``${Resource.Attr}`` and ``${!Literal}``),
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with ``Conditions`` (``Fn::Equals``,
``Fn::Not``, ``Fn::And``, ``Fn::Or``, ``Condition``), ``Fn::FindInMap``, ``Fn::Base64``,
``Fn::GetAZs``, ``Fn::Length``, ``Fn::ToJsonString`` and the pseudo parameters
(``AWS::NoValue`` removes the property that holds it). ``Fn::ImportValue``, ``Fn::Cidr`` and
``Fn::Transform`` need other stacks or macros: an `IntrinsicError`.

What ``Ref`` and ``Fn::GetAtt`` of a resource give is the template's business: the resolver
asks `Context.lookup`. Every error carries the path of the value that failed, so the caller
can name the file and line.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsim.scenario.sam.reader import Loc

__all__ = ["NO_VALUE", "Context", "IntrinsicError", "Resolver", "hint", "is_intrinsic"]


class IntrinsicError(Exception):
    """An intrinsic function that cannot be resolved; `path` is where it is written."""

    def __init__(self, path: Loc, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()
"""What ``Ref: AWS::NoValue`` resolves to: the property holding it is dropped."""

_FUNCTIONS = frozenset({
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
    "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::FindInMap", "Fn::Base64", "Fn::GetAZs",
    "Fn::Length", "Fn::ToJsonString", "Fn::ImportValue", "Fn::Cidr", "Fn::Transform",
})
_UNSUPPORTED = {
    "Fn::ImportValue": "it reads another stack's exports",
    "Fn::Cidr": "eventsim has no VPCs",
    "Fn::Transform": "it runs a macro",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

Lookup = Callable[[str, "str | None", Loc], Any]
"""``lookup(logical_id, attribute, path)``: ``Ref`` (attribute None) or ``Fn::GetAtt`` of a
resource; raises `IntrinsicError` when there is no such resource or attribute."""


@dataclass
class Context:
    """What intrinsics resolve against."""

    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    lookup: Lookup | None = None

    def pseudo(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/"
                            f"{self.stack_name}/00000000-0000-0000-0000-000000000000",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }


def is_intrinsic(value: Any) -> bool:
    """Whether `value` is a long-form intrinsic function call (``{"Fn::Sub": ...}``)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _FUNCTIONS


class Resolver:
    """Resolves the intrinsic functions in a value; conditions are evaluated once each."""

    def __init__(self, context: Context) -> None:
        self._ctx = context
        self._pseudo = context.pseudo()
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    def resolve(self, value: Any, path: Loc) -> Any:
        """`value` with every intrinsic replaced by what it gives (`NO_VALUE` for a dropped
        property at the top)."""
        if is_intrinsic(value):
            name, argument = next(iter(value.items()))
            return self._call(name, argument, (*path, name))
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                resolved = self.resolve(item, (*path, key))
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = (self.resolve(item, (*path, i)) for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def condition(self, name: str, path: Loc) -> bool:
        """The value of a condition of the template's ``Conditions``."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self._ctx.conditions:
            raise IntrinsicError(path, f"no condition {name} in Conditions"
                                 + hint(name, self._ctx.conditions))
        if name in self._evaluating:
            raise IntrinsicError(path, f"condition {name} depends on itself")
        self._evaluating.add(name)
        try:
            result = self._truth(self._ctx.conditions[name], ("Conditions", name))
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    # -- functions ------------------------------------------------------------------------

    def _call(self, name: str, arg: Any, path: Loc) -> Any:
        if name in _UNSUPPORTED:
            raise IntrinsicError(path, f"eventsim cannot resolve {name}: {_UNSUPPORTED[name]}")
        if name == "Ref":
            return self._ref(self._string(arg, path, "Ref"), path)
        if name == "Fn::GetAtt":
            return self._get_att(arg, path)
        if name == "Fn::Sub":
            return self._sub(arg, path)
        if name == "Fn::Join":
            delimiter, items = self._pair(arg, path, name)
            delimiter = self._string(delimiter, (*path, 0), name)
            items = self.resolve(items, (*path, 1))
            if not isinstance(items, list):
                raise IntrinsicError(path, "Fn::Join takes [delimiter, [values...]]")
            return delimiter.join(self._text(v, (*path, 1, i), name) for i, v in enumerate(items))
        if name == "Fn::Select":
            index, items = self._pair(arg, path, name)
            index = self.resolve(index, (*path, 0))
            items = self.resolve(items, (*path, 1))
            try:
                position = int(index)
            except (TypeError, ValueError):
                raise IntrinsicError(path, f"Fn::Select index {index!r} is not a number") from None
            if not isinstance(items, list):
                raise IntrinsicError(path, "Fn::Select takes [index, [values...]]")
            if not 0 <= position < len(items):
                raise IntrinsicError(path, f"Fn::Select index {position} is outside a list of "
                                     f"{len(items)}")
            return items[position]
        if name == "Fn::Split":
            delimiter, text = self._pair(arg, path, name)
            delimiter = self._string(delimiter, (*path, 0), name)
            return self._string(text, (*path, 1), name).split(delimiter)
        if name == "Fn::If":
            if not isinstance(arg, list) or len(arg) != 3:
                raise IntrinsicError(path, "Fn::If takes [condition, value if true, "
                                     "value if false]")
            chosen = 1 if self.condition(self._string(arg[0], (*path, 0), name), path) else 2
            return self.resolve(arg[chosen], (*path, chosen))
        if name in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self._truth({name: arg}, path[:-1])
        if name == "Fn::FindInMap":
            return self._find_in_map(arg, path)
        if name == "Fn::Base64":
            return base64.b64encode(self._string(arg, path, name).encode()).decode()
        if name == "Fn::GetAZs":
            region = self.resolve(arg, path) or self._ctx.region
            return [f"{region}{zone}" for zone in "abc"]
        if name == "Fn::Length":
            items = self.resolve(arg, path)
            if not isinstance(items, list):
                raise IntrinsicError(path, "Fn::Length takes a list")
            return len(items)
        # Fn::ToJsonString
        return json.dumps(self.resolve(arg, path), separators=(",", ":"))

    def _ref(self, name: str, path: Loc) -> Any:
        if name in self._pseudo:
            return self._pseudo[name]
        if name.startswith("AWS::"):
            raise IntrinsicError(path, f"{name} is not a pseudo parameter")
        if name in self._ctx.parameters:
            return self._ctx.parameters[name]
        return self._resource(name, None, path)

    def _get_att(self, arg: Any, path: Loc) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            raise IntrinsicError(path, "Fn::GetAtt takes [LogicalId, Attribute] or "
                                 "LogicalId.Attribute")
        logical = self._string(arg[0], (*path, 0), "Fn::GetAtt")
        attribute = self._string(arg[1], (*path, 1), "Fn::GetAtt")
        return self._resource(logical, attribute, path)

    def _resource(self, logical: str, attribute: str | None, path: Loc) -> Any:
        if self._ctx.lookup is None:
            raise IntrinsicError(path, f"no resource {logical}")
        return self._ctx.lookup(logical, attribute, path)

    def _sub(self, arg: Any, path: Loc) -> str:
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                raise IntrinsicError(path, "Fn::Sub takes a string or [string, {variables}]")
            template = self._string(arg[0], (*path, 0), "Fn::Sub")
            variables = {k: self.resolve(v, (*path, 1, k)) for k, v in arg[1].items()}
        else:
            template = self._string(arg, path, "Fn::Sub")
            variables = {}

        def substitute(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"  # ${!Literal} is written as ${Literal}
            expression = expression.strip()
            if expression in variables:
                value = variables[expression]
            elif "." in expression and not expression.startswith("AWS::"):
                logical, attribute = expression.split(".", 1)
                value = self._resource(logical, attribute, path)
            else:
                value = self._ref(expression, path)
            return self._text(value, path, "Fn::Sub")

        return _SUB_VARIABLE.sub(substitute, template)

    def _find_in_map(self, arg: Any, path: Loc) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            raise IntrinsicError(path, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
        keys = [self._string(k, (*path, i), "Fn::FindInMap") for i, k in enumerate(arg)]
        current: Any = self._ctx.mappings
        where = "Mappings"
        for key in keys:
            if not isinstance(current, dict) or key not in current:
                known = current if isinstance(current, dict) else {}
                raise IntrinsicError(path, f"no key {key} in {where}" + hint(key, known))
            current = current[key]
            where = f"{where}.{key}"
        return self.resolve(current, path)

    def _truth(self, value: Any, path: Loc) -> bool:
        """A condition expression: Fn::Equals/Not/And/Or or {Condition: name}."""
        if isinstance(value, dict) and len(value) == 1:
            name, arg = next(iter(value.items()))
            here = (*path, name)
            if name == "Condition":
                return self.condition(self._string(arg, here, name), here)
            if name == "Fn::Equals":
                left, right = self._pair(arg, here, name)
                same: bool = _text_or_self(self.resolve(left, (*here, 0))) == \
                    _text_or_self(self.resolve(right, (*here, 1)))
                return same
            if name == "Fn::Not":
                if not isinstance(arg, list) or len(arg) != 1:
                    raise IntrinsicError(here, "Fn::Not takes [condition]")
                return not self._truth(arg[0], (*here, 0))
            if name in ("Fn::And", "Fn::Or"):
                if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
                    raise IntrinsicError(here, f"{name} takes 2 to 10 conditions")
                results = [self._truth(c, (*here, i)) for i, c in enumerate(arg)]
                return all(results) if name == "Fn::And" else any(results)
        raise IntrinsicError(path, "a condition is Fn::Equals, Fn::Not, Fn::And, Fn::Or or "
                             "{Condition: Name}")

    # -- helpers --------------------------------------------------------------------------

    def _pair(self, arg: Any, path: Loc, name: str) -> tuple[Any, Any]:
        if not isinstance(arg, list) or len(arg) != 2:
            raise IntrinsicError(path, f"{name} takes a list of two")
        return arg[0], arg[1]

    def _string(self, value: Any, path: Loc, name: str) -> str:
        resolved = self.resolve(value, path)
        if isinstance(resolved, bool) or not isinstance(resolved, str | int | float):
            raise IntrinsicError(path, f"{name} needs a string here, not {_kind(resolved)}")
        return str(resolved)

    def _text(self, value: Any, path: Loc, name: str) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise IntrinsicError(path, f"{name} cannot put {_kind(value)} into a string")


def _text_or_self(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None or value is NO_VALUE else type(value).__name__


def hint(name: str, known: Iterable[str]) -> str:
    """`` (did you mean X?)`` when one of `known` is close to `name`, else nothing."""
    guess = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {guess[0]}?)" if guess else ""
