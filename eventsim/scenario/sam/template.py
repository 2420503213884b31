"""One SAM/CloudFormation template, read and indexed: its sections, parameters, resources and
their physical names, and what ``Ref``/``Fn::GetAtt`` of each gives.

Properties are addressed by their path in the template (``("Resources", "Fn", "Properties",
"Timeout")``). A function's properties are its own merged over ``Globals.Function``; a merged
value taken from the globals remembers that it came from there, so a message about it names
the Globals line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsim.errors import ConfigError
from eventsim.scenario.sam.intrinsics import (
    Context,
    IntrinsicError,
    Resolver,
    hint,
    is_intrinsic,
)
from eventsim.scenario.sam.parameters import resolve_parameters
from eventsim.scenario.sam.reader import Lines, Loc, dotted, line_of, read_template
from eventsim.scenario.sam.types import (
    INERT_TYPES,
    TYPES,
    UNSUPPORTED_TYPES,
    Arns,
    ResourceType,
)

__all__ = ["Resource", "Template"]

_SECTIONS = {"AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters",
             "Rules", "Mappings", "Conditions", "Globals", "Resources", "Outputs"}
_RESOURCE_KEYS = {"Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy",
                  "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "IgnoreGlobals"}
_SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_GLOBALS_NOT_ALLOWED = {"FunctionName", "Events"}
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")
_MISSING: Any = object()


@dataclass
class Resource:
    """A resource of the template."""

    logical_id: str
    type_name: str
    type: ResourceType | None
    """None for a type eventsim only accepts (permissions) or skips."""
    properties: dict[str, Any]
    condition: str | None


@dataclass
class Template:
    """A template read from `path`, with parameters applied. Build with `Template.load`."""

    source: str
    base_dir: Path
    data: dict[str, Any]
    lines: Lines
    arns: Arns
    stack_name: str
    parameters: dict[str, Any]
    resources: dict[str, Resource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _origins: dict[Loc, Loc] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    _naming: set[str] = field(default_factory=set)
    resolver: Resolver = field(init=False)

    @classmethod
    def load(cls, path: str | Path, *, parameters: dict[str, str] | None = None,
             region: str, account_id: str, stack_name: str) -> Template:
        """Read and index a template. Raises `ConfigError` naming file, line and field."""
        source = str(path)
        data, lines = read_template(Path(path), source)
        if not isinstance(data, dict):
            found = "an empty file" if data is None else f"a {type(data).__name__}"
            raise ConfigError(f"{source}:{lines.get((), 1)}: a template is a mapping, "
                              f"found {found}")
        unknown = [k for k in data if k not in _SECTIONS]
        if unknown:
            key = unknown[0]
            raise ConfigError(f"{source}:{line_of(lines, (key,))}: {key}: not a template "
                              f"section{hint(str(key), _SECTIONS)}")
        warnings: list[str] = []
        values = resolve_parameters(data.get("Parameters"), parameters or {}, source, lines,
                                    warnings)
        template = cls(source=source, base_dir=Path(path).resolve().parent, data=data,
                       lines=lines, arns=Arns(region, account_id), stack_name=stack_name,
                       parameters=values, warnings=warnings)
        template._check_transform()
        template.resolver = Resolver(Context(
            region=region, account_id=account_id, stack_name=stack_name, parameters=values,
            mappings=_mapping(data.get("Mappings")), conditions=_mapping(data.get("Conditions")),
            lookup=template._lookup))
        template._index()
        return template

    # -- messages -------------------------------------------------------------------------

    def template_path(self, path: Loc) -> Loc:
        """Where a (merged) property path is written in the file."""
        for end in range(len(path), 0, -1):
            origin = self._origins.get(path[:end])
            if origin is not None:
                return (*origin, *path[end:])
        return path

    def where(self, path: Loc) -> str:
        """``file:line: Resources.X.Properties.Y`` for messages."""
        at = self.template_path(path)
        line = line_of(self.lines, at)
        return f"{self.source}:{line}: {dotted(at)}" if line else f"{self.source}: {dotted(at)}"

    def error(self, path: Loc, message: str) -> ConfigError:
        return ConfigError(f"{self.where(path)}: {message}")

    def warn(self, path: Loc, message: str) -> None:
        self.warnings.append(f"{self.where(path)}: {message}")

    def resolve(self, value: Any, path: Loc) -> Any:
        """`value` (found at `path`) with its intrinsics resolved; errors name the line."""
        try:
            return self.resolver.resolve(value, path)
        except IntrinsicError as exc:
            raise self.error(exc.path, exc.message) from None

    def included(self, resource: Resource) -> bool:
        """Whether the resource's ``Condition`` (if any) holds."""
        if resource.condition is None:
            return True
        at = ("Resources", resource.logical_id, "Condition")
        try:
            return self.resolver.condition(resource.condition, at)
        except IntrinsicError as exc:
            raise self.error(exc.path, exc.message) from None

    # -- names ----------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The name the resource gets: its name property, else its logical id."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource = self.resources[logical_id]
        kind = resource.type
        at = ("Resources", logical_id, "Properties")
        if logical_id in self._naming:
            prop = kind.name_property if kind is not None and kind.name_property else ""
            raise IntrinsicError((*at, prop) if prop else at,
                                 f"the name of {logical_id} depends on itself")
        self._naming.add(logical_id)
        try:
            name: Any = None
            if kind is not None and kind.name_property in resource.properties:
                prop = kind.name_property
                name = self.resolver.resolve(resource.properties[prop], (*at, prop))
                if not isinstance(name, str) or not name:
                    raise IntrinsicError((*at, prop), f"{prop} must be a string")
            if name is None:
                # Bucket and table names need 3 characters; a logical id may have one.
                name = logical_id
                if kind is not None and kind.kind in ("bucket", "table") and len(name) < 3:
                    name = f"{self.stack_name}-{name}"
                if kind is not None and kind.kind == "bucket":
                    name = name.lower()
                fifo = {"queue": "FifoQueue", "topic": "FifoTopic"}.get(kind.kind if kind else "")
                if fifo and str(self.resolver.resolve(
                        resource.properties.get(fifo, False), (*at, fifo))).lower() == "true":
                    name += ".fifo"
        finally:
            self._naming.discard(logical_id)
        self._names[logical_id] = name
        return str(name)

    def _lookup(self, logical_id: str, attribute: str | None, path: Loc) -> Any:
        resource = self.resources.get(logical_id)
        if resource is None:
            what = "parameter, pseudo parameter or resource" if attribute is None else "resource"
            raise IntrinsicError(path, f"no {what} {logical_id} in the template"
                                 + hint(logical_id, [*self.resources, *self.parameters]))
        if not self.included(resource):
            raise IntrinsicError(path, f"{logical_id} is not created: its Condition "
                                 f"{resource.condition} is false")
        name = self.physical_name(logical_id)
        if resource.type is not None:
            ref, attributes = resource.type.ref, resource.type.attributes
        elif resource.type_name in INERT_TYPES:
            ref, attributes = INERT_TYPES[resource.type_name]
        else:
            self.warn(path, f"{logical_id} is a {resource.type_name}, which eventsim does not "
                      f"simulate; its {'Ref' if attribute is None else attribute} is a stand-in")
            return name if attribute is None else f"{name}.{attribute}"
        if attribute is None:
            return ref(name, self.arns)
        if attribute not in attributes:
            known = ", ".join(sorted(attributes)) or "none"
            raise IntrinsicError(path, f"{resource.type_name} {logical_id} has no attribute "
                                 f"{attribute} (eventsim knows: {known})")
        if attribute == "StreamArn" and not path_is_event_source(path):
            self.warn(path, "a table's StreamArn is known only once the table exists; here it "
                      "ends in /stream/* (an event source naming it gets the real one)")
        return attributes[attribute](name, self.arns)

    # -- indexing -------------------------------------------------------------------------

    def _check_transform(self) -> None:
        transform = self.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        for index, name in enumerate(names):
            if name is None or name == _SAM_TRANSFORM:
                continue
            at: Loc = ("Transform", index) if isinstance(transform, list) else ("Transform",)
            self.warn(at, f"eventsim applies only the {_SAM_TRANSFORM} transform; {name} is "
                      "ignored")

    def _index(self) -> None:
        resources = self.data.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise ConfigError(f"{self.source}:{line_of(self.lines, ('Resources',))}: Resources: "
                              "a template needs a Resources mapping with at least one resource")
        globals_ = self._globals()
        for logical_id, body in resources.items():
            at: Loc = ("Resources", logical_id)
            if not isinstance(logical_id, str) or not _LOGICAL_ID.match(logical_id):
                raise self.error(at, "a logical id is letters and digits only")
            if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
                raise self.error(at, "a resource is a mapping with a Type")
            for key in body:
                if key not in _RESOURCE_KEYS:
                    raise self.error((*at, key),
                                     f"not a resource attribute{hint(key, _RESOURCE_KEYS)}")
            type_name = body["Type"]
            properties = body.get("Properties") or {}
            if not isinstance(properties, dict):
                raise self.error((*at, "Properties"), "Properties is a mapping")
            kind = TYPES.get(type_name)
            if kind is None and type_name not in INERT_TYPES:
                reason = UNSUPPORTED_TYPES.get(type_name, "eventsim does not simulate it")
                self.warn((*at, "Type"), f"{type_name} skipped: {reason}")
            if kind is not None and kind.kind == "function" and globals_:
                shared = self._not_ignored(globals_, body.get("IgnoreGlobals"), at)
                properties = self._merge(shared, properties, ("Globals", "Function"),
                                         (*at, "Properties"), (*at, "Properties"))
            condition = body.get("Condition")
            if condition is not None and not isinstance(condition, str):
                raise self.error((*at, "Condition"), "Condition names a condition of Conditions")
            self.resources[logical_id] = Resource(logical_id, type_name, kind, properties,
                                                  condition)

    def _globals(self) -> dict[str, Any]:
        section = self.data.get("Globals")
        if section is None:
            return {}
        if not isinstance(section, dict):
            raise self.error(("Globals",), "Globals is a mapping of resource kinds")
        for key in section:
            if key in ("Api", "HttpApi", "LayerVersion", "StateMachine", "CapacityProvider"):
                self.warn(("Globals", key), "eventsim builds no such resources; ignored")
            elif key not in ("Function", "SimpleTable"):
                raise self.error(("Globals", key), "not a Globals section (Function, Api, "
                                 "HttpApi, SimpleTable, LayerVersion)")
        function = section.get("Function") or {}
        if not isinstance(function, dict):
            raise self.error(("Globals", "Function"), "Globals.Function is a mapping")
        for key in function:
            if key in _GLOBALS_NOT_ALLOWED:
                raise self.error(("Globals", "Function", key), f"{key} cannot be a global")
        return function

    def _not_ignored(self, globals_: dict[str, Any], ignore: Any, at: Loc) -> dict[str, Any]:
        """SAM's ``IgnoreGlobals``: ``"*"`` or a list of global properties to leave out."""
        if ignore is None:
            return globals_
        if ignore == "*":
            return {}
        if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
            raise self.error((*at, "IgnoreGlobals"), 'IgnoreGlobals is "*" or a list of '
                             "property names")
        return {k: v for k, v in globals_.items() if k not in ignore}

    def _merge(self, glob: Any, local: Any, gpath: Loc, lpath: Loc, here: Loc) -> Any:
        """SAM's Globals rules: a function's own value wins, mappings merge key by key, lists
        are the global items then the function's."""
        if local is _MISSING:
            self._origins[here] = gpath
            return glob
        if glob is _MISSING:
            return local
        if isinstance(glob, dict) and isinstance(local, dict) and not is_intrinsic(glob) \
                and not is_intrinsic(local):
            merged = {}
            for key in [*glob, *(k for k in local if k not in glob)]:
                merged[key] = self._merge(glob.get(key, _MISSING), local.get(key, _MISSING),
                                          (*gpath, key), (*lpath, key), (*here, key))
            return merged
        if isinstance(glob, list) and isinstance(local, list):
            for index in range(len(glob)):
                self._origins[(*here, index)] = (*gpath, index)
            for index in range(len(local)):
                self._origins[(*here, len(glob) + index)] = (*lpath, index)
            return [*glob, *local]
        return local


def path_is_event_source(path: Loc) -> bool:
    """Whether a value at `path` names an event source (where a table's StreamArn is
    replaced by the table itself)."""
    parts = [p for p in path if isinstance(p, str)]
    return ("Events" in parts and "Stream" in parts) or "EventSourceArn" in parts


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
