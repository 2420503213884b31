"""Reading a scenario file: YAML with line numbers, validation, and reference checks.

Every problem becomes a `ConfigError` whose message has one line per problem::

    scenarios/x.yaml:12: functions.make-thumbnail.Timeout: Input should be a valid integer

The YAML is composed into nodes first, and a walk over the nodes records the line of every
mapping key and sequence item by its path (``("functions", "make-thumbnail", "Timeout")``); a
pydantic error's ``loc`` is looked up there (the longest prefix that exists, so a missing field
points at its parent).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from eventsim.config import DEFAULT_ACCOUNT, DEFAULT_REGION
from eventsim.errors import ConfigError
from eventsim.scenario import model
from eventsim.scenario.model import (
    DeleteItemStep,
    DeleteObjectStep,
    DynamoDBEventSpec,
    InvocationsExpectation,
    InvokeStep,
    ItemExpectation,
    KinesisEventSpec,
    LogsExpectation,
    LoopDetectedExpectation,
    ObjectExpectation,
    OnFailureSpec,
    OrderExpectation,
    PublishStep,
    PutItemStep,
    PutObjectStep,
    PutRecordsStep,
    PutRecordStep,
    QueueExpectation,
    RecordsFromStep,
    S3EventSpec,
    Scenario,
    SendMessageStep,
    SNSEventSpec,
    SQSEventSpec,
    StreamExpectation,
    TableStreamExpectation,
    TraceExpectation,
    UpdateItemStep,
    handler_module_path,
    line_of,
)
from eventsim.scenario.variables import resolve_variables

__all__ = ["load_scenario", "parse_scenario"]

Loc = tuple[str | int, ...]
Lines = dict[Loc, int]
Prepare = Callable[[dict[str, Any], Lines], dict[str, Any]]
"""Changes a file's data (with its lines) before validation: how a SAM template adds its
resources and functions under a scenario file's steps (`eventsim.scenario.sam`)."""

_DEFAULT_SIM = {"region": DEFAULT_REGION, "account": DEFAULT_ACCOUNT}


def load_scenario(
    path: str | Path, *, sim: Mapping[str, str] | None = None, prepare: Prepare | None = None,
) -> Scenario:
    """Read, validate and check a scenario file. Raises `ConfigError` naming file and line.

    `sim` gives ``${sim:region}`` and ``${sim:account}`` (default: the simulator's defaults).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from None
    return parse_scenario(text, source=source, base_dir=Path(path).resolve().parent, sim=sim,
                          prepare=prepare)


def parse_scenario(
    text: str,
    *,
    source: str = "<scenario>",
    base_dir: Path | None = None,
    sim: Mapping[str, str] | None = None,
    prepare: Prepare | None = None,
) -> Scenario:
    """Validate scenario YAML given as text; relative paths resolve against `base_dir`.

    ``${...}`` references are substituted first (`eventsim.scenario.variables`).
    """
    data, lines = _parse_yaml(text, source)
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{source}:{lines.get((), 1)}: a scenario is a mapping, found {found}")
    data = resolve_variables(data, lines, source, sim=sim or _DEFAULT_SIM)
    if prepare is not None:
        data = prepare(data, lines)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(exc, data, lines, source))) from None
    scenario.attach_source(source, base_dir or Path.cwd(), lines)
    problems = list(_check_references(scenario))
    if problems:
        raise ConfigError("\n".join(problems))
    return scenario


# -- YAML with lines ----------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A safe loader; `_record_lines` walks what it composes. CloudFormation's short forms
    ``!Ref X`` and ``!GetAtt X.Y`` become their long forms (``{Ref: X}``,
    ``{Fn::GetAtt: [X, Y]}``), so a property pasted from a SAM template reads the same."""


def _ref(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Ref": loader.construct_scalar(node)}  # type: ignore[arg-type]


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.SequenceNode):
        return {"Fn::GetAtt": loader.construct_sequence(node)}
    return {"Fn::GetAtt": str(loader.construct_scalar(node)).split(".", 1)}  # type: ignore[arg-type]


_Loader.add_constructor("!Ref", _ref)
_Loader.add_constructor("!GetAtt", _get_att)


def _parse_yaml(text: str, source: str) -> tuple[Any, Lines]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {(): node.start_mark.line + 1}
        _record_lines(loader, node, (), lines, source, set())
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        context = ""
        if exc.context and exc.problem:
            start = exc.context_mark
            at = f" at line {start.line + 1}" if start is not None and start is not mark else ""
            context = f" ({exc.context}{' started' if at else ''}{at})"
        raise ConfigError(f"{source}{line}: invalid YAML: {problem}{context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _record_lines(
    loader: _Loader, node: yaml.Node, path: Loc, lines: Lines, source: str, active: set[int]
) -> None:
    if id(node) in active:  # a recursive alias: its lines are already known
        return
    active.add(id(node))
    try:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    # ``<<: *defaults``: the merged keys belong to this mapping.
                    merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [
                        value_node]
                    for item in merged:
                        _record_lines(loader, item, path, lines, source, active)
                    continue
                key = loader.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if isinstance(key, str | int) and not isinstance(key, bool):
                    if key in seen:
                        raise ConfigError(
                            f"{source}:{line}: {_dotted((*path, key))}: duplicate key "
                            f"(first at line {seen[key]})"
                        )
                    seen[key] = line
                    lines[(*path, key)] = line
                    _record_lines(loader, value_node, (*path, key), lines, source, active)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
                _record_lines(loader, item, (*path, index), lines, source, active)
    finally:
        active.discard(id(node))


# -- pydantic errors as file:line: field: reason --------------------------------------------------


def _describe(exc: ValidationError, data: Any, lines: Lines, source: str) -> list[str]:
    messages = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        shown = _data_path(loc, data)
        line = line_of(lines, shown)
        where = f"{source}:{line}" if line else source
        field = _dotted(shown) or "(top level)"
        messages.append(f"{where}: {field}: {_reason(error, shown)}")
    return messages


def _data_path(loc: tuple[Any, ...], data: Any) -> Loc:
    """The part of a pydantic ``loc`` that names places in the file (no union tags)."""
    shown: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if part == "[key]":
            break  # the error is about the mapping key itself, which `shown` already names
        if isinstance(current, dict) and part in current:
            shown.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            shown.append(part)
            current = current[part]
        elif last or not isinstance(current, dict | list):
            shown.append(part)  # a missing field, or one inside a scalar
            current = None
    return tuple(shown)


def _dotted(path: Loc) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _reason(error: Any, shown: Loc) -> str:
    kind = error["type"]
    message = str(error["msg"])
    loc = tuple(error["loc"])
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        name = str(shown[-1]) if shown else ""
        # The known names span every model: one may be this very name, valid elsewhere.
        guess = [g for g in difflib.get_close_matches(name, _KNOWN_FIELDS, n=3, cutoff=0.75)
                 if g != name]
        hint = f"; did you mean {guess[0]}?" if guess else ""
        return f"unknown field{hint}"
    if kind == "missing":
        return "field required"
    if kind == "string_pattern_mismatch":
        if "[key]" in loc:
            return "a function name is 1 to 64 letters, digits, hyphens or underscores"
        if loc and loc[-1] == "Handler":
            return "must be module.function, e.g. app.lambda_handler"
    if kind in ("step_kind", "expectation_kind"):
        found = error.get("input")
        if isinstance(found, dict):
            keys = ", ".join(str(k) for k in found) or "nothing"
            return f"{message}; found {keys}"
    return message


def _field_names(models: list[type[BaseModel]]) -> list[str]:
    names: set[str] = set()
    for cls in models:
        for name, info in cls.model_fields.items():
            names.add(info.alias or name)
        kind = getattr(cls, "KIND", None)
        if isinstance(kind, str):
            names.add(kind)
    return sorted(names)


_KNOWN_FIELDS = _field_names([
    value for value in vars(model).values()
    if isinstance(value, type) and issubclass(value, BaseModel)
])


# -- references ---------------------------------------------------------------------------------


def _check_references(scenario: Scenario) -> Iterator[str]:
    buckets = set(scenario.resources.bucket_names)
    functions = set(scenario.functions)

    def bucket(name: str, *path: str | int) -> Iterator[str]:
        if name not in buckets:
            known = ", ".join(sorted(buckets)) or "none"
            yield (f"{scenario.where(*path)}: {_dotted(path)}: no bucket {name} in "
                   f"resources.buckets (known: {known})")

    streams = {s.name for s in scenario.resources.streams}

    def stream(name: str, *path: str | int) -> Iterator[str]:
        if name not in streams and not name.startswith("arn:"):
            known = ", ".join(sorted(streams)) or "none"
            yield (f"{scenario.where(*path)}: {_dotted(path)}: no stream {name} in "
                   f"resources.streams (known: {known})")

    def named(kind: str, known: set[str], where_listed: str) -> Any:
        def check(name: str, *path: str | int) -> Iterator[str]:
            if name not in known and not name.startswith("arn:"):
                listed = ", ".join(sorted(known)) or "none"
                yield (f"{scenario.where(*path)}: {_dotted(path)}: no {kind} {name} in "
                       f"{where_listed} (known: {listed})")
        return check

    queue = named("queue", {q.name for q in scenario.resources.queues}, "resources.queues")
    topic = named("topic", {t.name for t in scenario.resources.topics}, "resources.topics")
    streamed = {t.name for t in scenario.resources.tables if t.stream_specification}
    tables = {t.name for t in scenario.resources.tables}
    table = named("table", tables, "resources.tables")

    def table_stream(name: str, *path: str | int) -> Iterator[str]:
        if name in tables and name not in streamed:
            yield (f"{scenario.where(*path)}: {_dotted(path)}: table {name} has no stream "
                   "(give it a StreamSpecification)")
        else:
            yield from table(name, *path)

    def function(name: str, *path: str | int) -> Iterator[str]:
        if name not in functions:
            known = ", ".join(sorted(functions)) or "none"
            yield f"{scenario.where(*path)}: {_dotted(path)}: no function {name} (known: {known})"

    def file(name: str, *path: str | int) -> Iterator[str]:
        if not scenario.resolve_path(name).is_file():
            yield (f"{scenario.where(*path)}: {_dotted(path)}: no file {name} (looked in "
                   f"{scenario.base_dir} and the current directory)")

    destinations = ({q.name for q in scenario.resources.queues}
                    | {t.name for t in scenario.resources.topics} | functions)

    def destination_name(name: str, *path: str | int) -> Iterator[str]:
        if name.startswith("arn:") or any(c in name for c in "*?["):
            return
        if name not in destinations:
            known = ", ".join(sorted(destinations)) or "none"
            yield (f"{scenario.where(*path)}: {_dotted(path)}: no queue, topic or function "
                   f"{name} (known: {known})")

    def destination(spec: OnFailureSpec | None, *path: str | int) -> Iterator[str]:
        if spec is None:
            return
        if spec.type == "SNS":
            yield from topic(spec.destination, *path, "Destination")
        elif spec.type == "Lambda":
            if not spec.destination.startswith("arn:"):
                yield from function(spec.destination, *path, "Destination")
        else:
            yield from queue(spec.destination, *path, "Destination")

    at: Loc
    for index, q in enumerate(scenario.resources.queues):
        if q.redrive_policy is not None:
            yield from queue(q.redrive_policy.dead_letter_target_arn, "resources", "queues", index,
                             "RedrivePolicy", "deadLetterTargetArn")
    for index, t in enumerate(scenario.resources.topics):
        for sub_index, sub in enumerate(t.subscriptions):
            at = ("resources", "topics", index, "subscriptions", sub_index, "Endpoint")
            if sub.protocol == "sqs":
                yield from queue(sub.endpoint, *at)
            elif sub.protocol == "lambda" and not sub.endpoint.startswith("arn:"):
                yield from function(sub.endpoint, *at)
    for fname, spec in scenario.functions.items():
        at = ("functions", fname)
        code = scenario.resolve_path(spec.code_uri)
        if not code.is_dir():
            yield (f"{scenario.where(*at, 'CodeUri')}: {_dotted((*at, 'CodeUri'))}: no directory "
                   f"{spec.code_uri} (looked in {scenario.base_dir} and the current directory)")
        elif spec.runtime.startswith("python"):
            module = handler_module_path(spec.handler)
            if not ((code / f"{module}.py").is_file() or (code / module).is_dir()):
                yield (f"{scenario.where(*at, 'Handler')}: {_dotted((*at, 'Handler'))}: no module "
                       f"{module}.py in {spec.code_uri}")
        dlq = spec.dead_letter_queue
        if dlq is not None:
            check = topic if dlq.type == "SNS" else queue
            yield from check(dlq.target_arn, *at, "DeadLetterQueue", "TargetArn")
        invoke_destinations = spec.event_invoke_config.destination_config
        if invoke_destinations is not None:
            for member, dest in (("OnSuccess", invoke_destinations.on_success),
                                 ("OnFailure", invoke_destinations.on_failure)):
                yield from destination(dest, *at, "EventInvokeConfig", "DestinationConfig",
                                       member)
        for ename, event in spec.events.items():
            props_at = (*at, "Events", ename, "Properties")
            if isinstance(event, S3EventSpec):
                yield from bucket(event.properties.bucket, *props_at, "Bucket")
            elif isinstance(event, SQSEventSpec):
                yield from queue(event.properties.queue, *props_at, "Queue")
            elif isinstance(event, SNSEventSpec):
                yield from topic(event.properties.topic, *props_at, "Topic")
            elif isinstance(event, DynamoDBEventSpec):
                yield from table_stream(event.properties.stream, *props_at, "Stream")
            else:
                yield from stream(event.properties.stream, *props_at, "Stream")
            if isinstance(event, KinesisEventSpec | DynamoDBEventSpec):
                config = event.properties.destination_config
                if config is not None:
                    yield from destination(config.on_failure, *props_at, "DestinationConfig",
                                           "OnFailure")
    for index, step in enumerate(scenario.steps):
        at = ("steps", index, step.KIND)
        if isinstance(step, PutObjectStep | DeleteObjectStep):
            yield from bucket(step.bucket, *at, "bucket")
        if isinstance(step, PutObjectStep) and step.file is not None:
            yield from file(step.file, *at, "file")
        if isinstance(step, PublishStep):
            yield from topic(step.topic, *at, "topic")
        if isinstance(step, SendMessageStep):
            yield from queue(step.queue, *at, "queue")
        if isinstance(step, PutItemStep | UpdateItemStep | DeleteItemStep):
            yield from table(step.table, *at, "table")
        if isinstance(step, PutRecordStep | PutRecordsStep):
            yield from stream(step.stream, *at, "stream")
        if isinstance(step, RecordsFromStep):
            yield from file(step.file, *at, "file")
            if step.stream is not None:
                yield from stream(step.stream, *at, "stream")
            if step.queue is not None:
                yield from queue(step.queue, *at, "queue")
            if step.table is not None:
                yield from table(step.table, *at, "table")
        if isinstance(step, InvokeStep):
            yield from function(step.function, *at, "function")
            if step.event_file is not None:
                yield from file(step.event_file, *at, "event_file")
                yield from _json_file(scenario, step.event_file, at)
    for index, expectation in enumerate(scenario.expect):
        at = ("expect", index, expectation.KIND)
        if isinstance(expectation, InvocationsExpectation | LoopDetectedExpectation
                      | LogsExpectation):
            yield from function(expectation.function, *at, "function")
        if isinstance(expectation, OrderExpectation):
            for n, name in enumerate(expectation.functions):
                yield from function(name, *at, "functions", n)
        if isinstance(expectation, ObjectExpectation):
            yield from bucket(expectation.bucket, *at, "bucket")
        if isinstance(expectation, ItemExpectation):
            yield from table(expectation.table, *at, "table")
        if isinstance(expectation, TableStreamExpectation):
            yield from table_stream(expectation.table, *at, "table")
        if isinstance(expectation, QueueExpectation):
            yield from queue(expectation.name, *at, "name")
        if isinstance(expectation, StreamExpectation):
            yield from stream(expectation.name, *at, "name")
        if isinstance(expectation, TraceExpectation):
            for n, step_name in enumerate(expectation.chain):
                if ":" not in step_name:
                    yield from function(step_name, *at, "chain", n)
            ended = expectation.outcome
            if ended is not None and ended.destination is not None:
                yield from destination_name(ended.destination, *at, "outcome", "destination")
            origin = expectation.origin
            if origin is not None:
                from_at = (*at, "from")
                if origin.s3 is not None:
                    yield from bucket(origin.s3.bucket, *from_at, "s3", "bucket")
                if origin.invoke is not None and not origin.invoke.startswith("arn:"):
                    yield from function(origin.invoke, *from_at, "invoke")
                if origin.topic is not None:
                    yield from topic(origin.topic, *from_at, "topic")
                if origin.queue is not None:
                    yield from queue(origin.queue, *from_at, "queue")
                if origin.stream is not None:
                    yield from stream(origin.stream, *from_at, "stream")
                if origin.table is not None:
                    yield from table_stream(origin.table, *from_at, "table")


def _json_file(scenario: Scenario, name: str, at: Loc) -> Iterator[str]:
    path = scenario.resolve_path(name)
    if not path.is_file():
        return
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        yield f"{scenario.where(*at, 'event_file')}: {_dotted((*at, 'event_file'))}: {name}: {exc}"
