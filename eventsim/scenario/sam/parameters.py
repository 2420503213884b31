"""A template's ``Parameters``: defaults, overrides, types and allowed values.

Overrides are written as ``sam deploy --parameter-overrides`` takes them: ``Key=Value`` or
``ParameterKey=Key,ParameterValue=Value``, several in one string separated by spaces.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from eventsim.errors import ConfigError
from eventsim.scenario.sam.intrinsics import hint
from eventsim.scenario.sam.reader import Lines, line_of

__all__ = ["parse_overrides", "resolve_parameters"]

_LONG_FORM = re.compile(r"^ParameterKey=([^,]+),ParameterValue=(.*)$")
_KNOWN = {"Type", "Default", "Description", "AllowedValues", "AllowedPattern", "MinLength",
          "MaxLength", "MinValue", "MaxValue", "NoEcho", "ConstraintDescription"}


def parse_overrides(texts: Iterable[str]) -> dict[str, str]:
    """``["Env=dev Size=3", "ParameterKey=Name,ParameterValue=a b"]`` → a mapping."""
    out: dict[str, str] = {}
    for text in texts:
        try:
            words = shlex.split(text)
        except ValueError as exc:
            raise ConfigError(f"--parameter-overrides {text!r}: {exc}") from None
        for word in words:
            match = _LONG_FORM.match(word)
            if match is not None:
                key, value = match.groups()
            elif "=" in word and not word.startswith("="):
                key, value = word.split("=", 1)
            else:
                raise ConfigError(f"--parameter-overrides {word!r}: write Key=Value or "
                                  "ParameterKey=Key,ParameterValue=Value")
            out[key] = value
    return out


def resolve_parameters(declared: Any, overrides: Mapping[str, str], source: str,
                       lines: Lines, warnings: list[str] | None = None) -> dict[str, Any]:
    """Each parameter's value: the override, else ``Default``; checked against its type and
    constraints. A list type (``CommaDelimitedList``, ``List<...>``) gives a list. A Systems
    Manager parameter type adds a warning to `warnings`: eventsim has no Parameter Store."""
    if declared is None:
        declared = {}
    if not isinstance(declared, dict):
        raise ConfigError(f"{source}:{line_of(lines, ('Parameters',))}: Parameters: is a "
                          "mapping of parameter names")
    problems = []
    for key in overrides:
        if key not in declared:
            problems.append(f"{source}: --parameter-overrides {key}: the template has no "
                            f"parameter {key}{hint(key, declared)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        at = ("Parameters", name)
        where = f"{source}:{line_of(lines, at)}: Parameters.{name}"
        if not isinstance(spec, dict) or "Type" not in spec:
            problems.append(f"{where}: a parameter is a mapping with a Type")
            continue
        unknown = sorted(set(spec) - _KNOWN)
        if unknown:
            problems.append(f"{source}:{line_of(lines, (*at, unknown[0]))}: Parameters.{name}."
                            f"{unknown[0]}: not a parameter property{hint(unknown[0], _KNOWN)}")
            continue
        if name in overrides:
            raw: Any = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            problems.append(f"{where}: no Default and no --parameter-overrides {name}=VALUE")
            continue
        if str(spec["Type"]).startswith("AWS::SSM::") and warnings is not None:
            warnings.append(f"{source}:{line_of(lines, (*at, 'Type'))}: Parameters.{name}.Type: "
                            f"eventsim has no Parameter Store, so {name} is "
                            f"{raw!r} itself, not the value stored under that name")
        try:
            values[name] = _typed(name, spec, raw)
        except ValueError as exc:
            origin = "--parameter-overrides" if name in overrides else "Default"
            problems.append(f"{where}: {origin} {raw!r}: {exc}")
    if problems:
        raise ConfigError("\n".join(problems))
    return values


def _typed(name: str, spec: dict[str, Any], raw: Any) -> Any:
    kind = str(spec["Type"])
    listed = kind == "CommaDelimitedList" or kind.startswith("List<")
    if listed:
        items = raw if isinstance(raw, list) else [p.strip() for p in str(raw).split(",")]
        values: list[Any] = [str(i) for i in items]
        for value in values:
            _check(spec, value, number=kind == "List<Number>")
        return values
    text = "true" if raw is True else "false" if raw is False else str(raw)
    _check(spec, text, number=kind == "Number")
    return text


def _check(spec: dict[str, Any], value: str, *, number: bool) -> None:
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and value not in [str(a) for a in allowed]:
        raise ValueError(f"not one of AllowedValues {', '.join(str(a) for a in allowed)}")
    if number:
        try:
            figure = float(value)
        except ValueError:
            raise ValueError("is not a number") from None
        if "MinValue" in spec and figure < float(spec["MinValue"]):
            raise ValueError(f"is below MinValue {spec['MinValue']}")
        if "MaxValue" in spec and figure > float(spec["MaxValue"]):
            raise ValueError(f"is above MaxValue {spec['MaxValue']}")
        return
    pattern = spec.get("AllowedPattern")
    if isinstance(pattern, str) and re.fullmatch(pattern, value) is None:
        message = spec.get("ConstraintDescription") or f"does not match AllowedPattern {pattern}"
        raise ValueError(str(message))
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise ValueError(f"is shorter than MinLength {spec['MinLength']}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise ValueError(f"is longer than MaxLength {spec['MaxLength']}")
