"""``variables:`` and ``${...}`` substitution, applied to the parsed YAML before validation.

    variables:
      bucket: uploads
      size: 128
      prefix: ${env:PREFIX:-thumbnails}/     # variables may use env, sim and earlier variables
    steps:
      - put_object: {bucket: "${bucket}", key: "${prefix}cat.jpg", ...}
      - invoke: {function: f, event: {size: "${size}"}}     # a whole "${size}" stays 128

Three kinds of reference:

* ``${name}``: a key of ``variables``.
* ``${env:NAME}``: the environment variable NAME; ``${env:NAME:-default}`` when it may be
  unset (or empty, as in the shell).
* ``${sim:region}``, ``${sim:account}``: the simulator's region and account ID.

A string that is exactly one reference takes the referenced value with its type (a number
stays a number, a mapping stays a mapping); a reference inside longer text is replaced by the
value's text (scalars only). ``$${`` writes a literal ``${``. Mapping keys are not substituted.
Every problem names the file, line and field, like the loader's other errors.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Any

from eventsim.errors import ConfigError

__all__ = ["SIM_VALUES", "resolve_variables"]

Loc = tuple[str | int, ...]
Lines = dict[Loc, int]

SIM_VALUES = ("region", "account")
"""The names ``${sim:...}`` knows."""

_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_ENV = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)
_VARIABLE = re.compile(rf"^{_NAME}$")


class _Problem(Exception):
    """One unresolvable reference; the caller adds file, line and field. `origin` is the
    variable definition it came from, so a bad definition is reported once, where it is."""

    origin: Loc | None = None


class _Resolver:
    def __init__(self, variables: Mapping[str, Any], sim: Mapping[str, str],
                 environ: Mapping[str, str]) -> None:
        self._raw = variables
        self._sim = sim
        self._environ = environ
        self._done: dict[str, Any] = {}
        self._resolving: list[str] = []

    def variable(self, name: str) -> Any:
        if name in self._done:
            return self._done[name]
        if name not in self._raw:
            known = ", ".join(sorted(self._raw)) or "none"
            guess = difflib.get_close_matches(name, list(self._raw), n=1, cutoff=0.6)
            hint = f"; did you mean ${{{guess[0]}}}?" if guess else ""
            raise _Problem(f"undefined variable ${{{name}}} (defined in variables: {known}){hint}")
        if name in self._resolving:
            cycle = " -> ".join([*self._resolving[self._resolving.index(name):], name])
            problem = _Problem(f"variables refer to each other in a cycle: {cycle}")
            problem.origin = ("variables", name)
            raise problem
        self._resolving.append(name)
        try:
            value = self.value(self._raw[name])
        except _Problem as exc:
            if exc.origin is None:
                exc.origin = ("variables", name)
            raise
        finally:
            self._resolving.pop()
        self._done[name] = value
        return value

    def reference(self, inner: str) -> Any:
        inner = inner.strip()
        env = _ENV.match(inner)
        if env is not None:
            name, default = env.group(1), env.group(2)
            found = self._environ.get(name)
            if found is not None and (found or default is None):
                return found
            if default is not None:  # unset or empty, as the shell's ${NAME:-default}
                return default
            raise _Problem(f"environment variable {name} is not set (give a default: "
                           f"${{env:{name}:-value}})")
        if inner.startswith("env:"):
            raise _Problem(f"${{{inner}}}: write ${{env:NAME}} or ${{env:NAME:-default}}")
        if inner.startswith("sim:"):
            key = inner.removeprefix("sim:")
            if key not in self._sim:
                raise _Problem(f"${{{inner}}}: sim knows {', '.join(sorted(self._sim))}")
            return self._sim[key]
        if ":" in inner:
            raise _Problem(f"${{{inner}}}: unknown kind {inner.split(':', 1)[0]!r} "
                           "(use a variable name, env:NAME or sim:region|account)")
        if not _VARIABLE.match(inner):
            raise _Problem(f"${{{inner}}} is not a variable reference (names are letters, "
                           "digits, _ . and -)")
        return self.variable(inner)

    def string(self, text: str) -> Any:
        whole = _REFERENCE.fullmatch(text)
        if whole is not None and whole.group(1) is not None:
            return self.reference(whole.group(1))

        def replace(match: re.Match[str]) -> str:
            if match.group(1) is None:
                return "${"
            value = self.reference(match.group(1))
            if isinstance(value, dict | list):
                raise _Problem(f"${{{match.group(1)}}} is a {type(value).__name__}; only a "
                               "whole string can be replaced by one")
            if isinstance(value, bool):
                return "true" if value else "false"
            return "" if value is None else str(value)

        return _REFERENCE.sub(replace, text)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def resolve_variables(
    data: dict[str, Any],
    lines: Lines,
    source: str,
    *,
    sim: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Substitute every ``${...}`` in `data` (a parsed scenario); raise `ConfigError` listing
    each unresolvable reference as ``file:line: field: reason``. ``variables`` comes back
    resolved too."""
    raw = data.get("variables")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        line = lines.get(("variables",), 1)
        raise ConfigError(f"{source}:{line}: variables: a mapping of names to values, found "
                          f"a {type(raw).__name__}")
    problems: list[str] = []
    for name in raw:
        if not isinstance(name, str) or not _VARIABLE.match(name):
            problems.append(f"{source}:{lines.get(('variables', name), 1)}: variables.{name}: "
                            "a variable name is letters, digits, _ . and -, starting with a "
                            "letter or _")
    if problems:
        raise ConfigError("\n".join(problems))
    resolver = _Resolver(raw, sim, os.environ if environ is None else environ)
    resolved: dict[str, Any] = {}
    for name in raw:
        try:
            resolved[name] = resolver.variable(name)
        except _Problem as exc:
            at = exc.origin or ("variables", name)
            problems.append(f"{_where(lines, at, source)}: {_dotted(at)}: {exc}")
    rest = {k: v for k, v in data.items() if k != "variables"}
    out = _walk(resolver, rest, (), lines, source, problems)
    if "variables" in data:
        out = {"variables": resolved, **out}
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))
    assert isinstance(out, dict)
    return out


def _walk(resolver: _Resolver, value: Any, path: Loc, lines: Lines, source: str,
          problems: list[str]) -> Any:
    if isinstance(value, str):
        try:
            return resolver.string(value)
        except _Problem as exc:
            at = exc.origin or path
            problems.append(f"{_where(lines, at, source)}: {_dotted(at)}: {exc}")
            return value
    if isinstance(value, dict):
        return {k: _walk(resolver, v, (*path, k), lines, source, problems)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(resolver, v, (*path, i), lines, source, problems)
                for i, v in enumerate(value)]
    return value


def _where(lines: Lines, path: Loc, source: str) -> str:
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return f"{source}:{line}"
    return source


def _dotted(path: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                   for i, p in enumerate(path)) or "(top level)"
