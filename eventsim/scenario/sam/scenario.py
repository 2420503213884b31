"""A template as a `Scenario`, alone or under a scenario file's steps and expectations.

Alone, the template's resources and functions make a scenario with no steps: running it
creates and wires everything and checks that it settles. With a scenario file, the file's
``steps`` and ``expect`` run against the template's resources (and any the file adds); they
name a template resource by its logical id (``bucket: Uploads``, ``function:
ThumbnailFunction``, or ``!Ref Uploads``) or by its physical name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eventsim.errors import ConfigError
from eventsim.scenario.model import Scenario
from eventsim.scenario.sam.build import Built
from eventsim.scenario.sam.reader import Lines, Loc, line_of
from eventsim.scenario.sam.template import Template

__all__ = ["scenario_of_template", "with_template"]

_FIELDS = {"bucket": "bucket", "topic": "topic", "queue": "queue", "table": "table",
           "stream": "stream", "function": "function", "functions": "function"}
_NAME_FIELD = {"queue": "queue", "stream": "stream"}
"""The ``name`` of these expectations is a queue's or a stream's."""


def scenario_of_template(template: Template, built: Built, name: str | None = None) -> Scenario:
    """The template alone as a validated scenario whose lines are the template's."""
    data: dict[str, Any] = {"name": name or Path(template.source).name, **built.data}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(exc, data, template, built))) from None
    lines: Lines = {}
    _lines(data, (), template, built, lines)
    scenario.attach_source(template.source, template.base_dir, lines)
    return scenario


def with_template(built: Built, source: str) -> Any:
    """A ``prepare`` hook for `parse_scenario`: adds the template's resources and functions
    to a scenario file's data and turns logical ids in its steps and expectations into
    names."""

    def prepare(data: dict[str, Any], lines: dict[tuple[str | int, ...], int]) -> dict[str, Any]:
        data = dict(data)
        own = data.get("resources")
        resources = {k: list(v) for k, v in built.data["resources"].items()}
        if isinstance(own, dict):
            for key, value in own.items():
                resources[key] = [*resources.get(key, []), *value] \
                    if isinstance(value, list) else value
        elif own is not None:
            resources = own  # not a mapping: let the model say so
        data["resources"] = resources
        functions = dict(built.data["functions"])
        own_functions = data.get("functions")
        if isinstance(own_functions, dict):
            for name, spec in own_functions.items():
                if name in functions:
                    line = line_of(lines, ("functions", name))
                    raise ConfigError(f"{source}:{line}: functions.{name}: the template "
                                      "defines this function already")
                functions[name] = _events_named(spec, built)
            data["functions"] = functions
        elif own_functions is None:
            data["functions"] = functions
        for section in ("steps", "expect"):
            entries = data.get(section)
            if isinstance(entries, list):
                data[section] = [_named(entry, built) for entry in entries]
        return data

    return prepare


_EVENT_SOURCES = {"S3": ("Bucket", "bucket"), "SNS": ("Topic", "topic"),
                  "SQS": ("Queue", "queue"), "Kinesis": ("Stream", "stream"),
                  "DynamoDB": ("Stream", "table")}


def _events_named(spec: Any, built: Built) -> Any:
    """A scenario file's own function may take events from the template's resources, named
    by logical id (``Queue: Jobs`` or ``Queue: !Ref Jobs``)."""
    events = spec.get("Events") if isinstance(spec, dict) else None
    if not isinstance(events, dict):
        return spec
    named = {}
    for event_name, event in events.items():
        source = _EVENT_SOURCES.get(str(event.get("Type"))) if isinstance(event, dict) else None
        props = event.get("Properties") if source is not None else None
        if isinstance(props, dict) and source is not None and source[0] in props:
            field, kind = source
            event = {**event, "Properties": {
                **props, field: _physical(props[field], built.names[kind])}}
        named[event_name] = event
    return {**spec, "Events": named}


def _named(entry: Any, built: Built) -> Any:
    if not isinstance(entry, dict) or len(entry) != 1:
        return entry
    kind, body = next(iter(entry.items()))
    if not isinstance(body, dict):
        return entry
    body = dict(body)
    for key, value in body.items():
        target = _NAME_FIELD.get(kind) if key == "name" else _FIELDS.get(key)
        if target is None:
            continue
        if isinstance(value, list):
            body[key] = [_physical(v, built.names[target]) for v in value]
        else:
            body[key] = _physical(value, built.names[target])
    return {kind: body}


def _physical(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref" and isinstance(argument, str):
            value = argument
        elif function == "Fn::GetAtt" and isinstance(argument, list) and argument:
            value = argument[0]
    return names.get(value, value) if isinstance(value, str) else value


# -- lines and messages ---------------------------------------------------------------------


def _origin(built: Built, path: Loc) -> Loc | None:
    for end in range(len(path), 0, -1):
        origin = built.origins.get(path[:end])
        if origin is not None:
            return (*origin, *path[end:])
    return None


def _lines(value: Any, path: Loc, template: Template, built: Built, out: Lines) -> None:
    origin = _origin(built, path)
    if origin is not None:
        line = line_of(template.lines, template.template_path(origin))
        if line is not None:
            out[path] = line
    if isinstance(value, dict):
        for key, item in value.items():
            _lines(item, (*path, key), template, built, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _lines(item, (*path, index), template, built, out)


def _describe(exc: ValidationError, data: Any, template: Template, built: Built) -> list[str]:
    messages = []
    for error in exc.errors(include_url=False):
        shown = _data_path(tuple(error["loc"]), data)
        origin = _origin(built, shown) or ("Resources",)
        kind, message = error["type"], str(error["msg"])
        if kind == "extra_forbidden":
            message = "not a property eventsim knows"
        elif kind == "missing":
            message = "required"
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        messages.append(f"{template.where(origin)}: {message}")
    return messages


def _data_path(loc: tuple[Any, ...], data: Any) -> Loc:
    """The part of a pydantic ``loc`` that names places in the data (no union tags)."""
    shown: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if part == "[key]":
            break
        if isinstance(current, dict) and part in current:
            shown.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            shown.append(part)
            current = current[part]
        elif index == len(loc) - 1 or not isinstance(current, dict | list):
            shown.append(part)
            current = None
    return tuple(shown)
