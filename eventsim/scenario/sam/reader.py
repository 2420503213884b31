"""Reading a template: YAML (or JSON) with CloudFormation's short-form tags, and the line of
every key.

``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt X.Y`` becomes ``{"Fn::GetAtt": ["X", "Y"]}`` and
every other ``!Fn`` its ``{"Fn::Fn": ...}`` long form, so the resolver sees one spelling. Lines
are recorded by path, with a tag counting as its long-form key: the ``X`` of
``Bucket: !Sub "${X}"`` is at ``(..., "Bucket", "Fn::Sub")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from eventsim.errors import ConfigError

__all__ = ["Lines", "Loc", "dotted", "line_of", "read_template"]

Loc = tuple[str | int, ...]
Lines = dict[Loc, int]

_FUNCTIONS = ("Base64", "Cidr", "FindInMap", "GetAZs", "GetAtt", "If", "ImportValue", "Join",
              "Length", "Select", "Split", "Sub", "ToJsonString", "Transform", "Equals", "Not",
              "And", "Or")
_TAGS = {"!Ref": "Ref", "!Condition": "Condition", **{f"!{n}": f"Fn::{n}" for n in _FUNCTIONS}}


class _Loader(yaml.SafeLoader):
    """A safe loader that knows CloudFormation's tags."""


def _construct(key: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if key == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}
    return construct


for _tag, _key in _TAGS.items():
    _Loader.add_constructor(_tag, _construct(_key))


def read_template(path: Path, source: str) -> tuple[Any, Lines]:
    """The template's data and the line of every key and item. Raises `ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {(): node.start_mark.line + 1}
        _record(loader, node, (), lines, source)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor for the tag" in problem:
            tag = problem.rsplit(" ", 1)[-1].strip("'")
            problem = f"{tag} is not a CloudFormation intrinsic function eventsim knows"
        raise ConfigError(f"{source}{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _record(loader: _Loader, node: yaml.Node, path: Loc, lines: Lines, source: str) -> None:
    tag = _TAGS.get(node.tag)
    if tag is not None:
        path = (*path, tag)
        lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # YAML merge keys are rare in templates; their lines stay the parent's
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, str | int) and not isinstance(key, bool):
                if key in seen:
                    raise ConfigError(f"{source}:{line}: {dotted((*path, key))}: duplicate key "
                                      f"(first at line {seen[key]})")
                seen[key] = line
                lines[(*path, key)] = line
                _record(loader, value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _record(loader, item, (*path, index), lines, source)


def line_of(lines: Lines, path: Loc) -> int | None:
    """The line of the longest prefix of `path` the template has."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return lines.get(())


def dotted(path: Loc) -> str:
    """``Resources.Fn.Properties.Events.Up`` / ``...Rules[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
