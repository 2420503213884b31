"""The REST half of rest-xml and rest-json: members bound to the URI, the query string, headers
and the status code, and a payload member or a structured body.

Both classes compile a plan per operation when they are built (which header is which member,
which query name, which label), so a request costs a few dict look-ups per header it carries
rather than a walk over every member of the input shape.
"""

from __future__ import annotations

import abc
import base64
import enum
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape  # type: ignore[import-untyped]

from eventsim.gateway.protocols.base import (
    RFC822,
    HttpRequest,
    HttpResponse,
    ParsedRequest,
    RequestParser,
    ResponseSerializer,
    format_timestamp,
    parse_scalar,
)
from eventsim.gateway.routing import RestOperationRouter
from eventsim.tracing import RequestIds

__all__ = ["BaseRestRequestParser", "BaseRestResponseSerializer"]

LOG = logging.getLogger(__name__)

_Member = tuple[str, Shape]


@dataclass
class _InputPlan:
    shape: StructureShape | None
    uri: dict[str, _Member] = field(default_factory=dict)
    headers: dict[str, _Member] = field(default_factory=dict)
    """Lower-cased header name -> member."""
    header_maps: list[tuple[str, str, Shape]] = field(default_factory=list)
    """(lower-cased prefix, member name, map shape), e.g. ``x-amz-meta-`` -> Metadata."""
    query: dict[str, _Member] = field(default_factory=dict)
    query_map: _Member | None = None
    payload: _Member | None = None
    payload_root: str | None = None
    body_members: bool = False
    header_routes: dict[str, _HeaderRoute] = field(default_factory=dict)
    """Header name as sent -> what it is, filled as names are seen (clients repeat theirs)."""


class _Route(enum.Enum):
    IGNORE = "ignore"
    STRING = "string"
    TYPED = "typed"
    MAP_ENTRY = "map entry"


_HeaderRoute = tuple[_Route, str, Any, str]
_HEADER_ROUTES_CACHED = 512
_IGNORED_HEADER: _HeaderRoute = (_Route.IGNORE, "", None, "")


def _route_header(plan: _InputPlan, name: str) -> _HeaderRoute:
    lowered = name.lower()
    found = plan.headers.get(lowered)
    if found is not None:
        member_name, shape = found
        plain = shape.type_name == "string" and not shape.serialization.get("jsonvalue")
        return (_Route.STRING if plain else _Route.TYPED, member_name, shape, "")
    for prefix, member_name, shape in plan.header_maps:
        if lowered.startswith(prefix):
            # Header names are case-insensitive: map keys (S3 metadata names) are lower case.
            return (_Route.MAP_ENTRY, member_name, shape, lowered[len(prefix):])
    return _IGNORED_HEADER


def _input_plan(operation: OperationModel) -> _InputPlan:
    shape = operation.input_shape
    plan = _InputPlan(shape)
    if shape is None:
        return plan
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        serialization = member.serialization
        location = serialization.get("location")
        wire_name = serialization.get("name", name)
        if location == "uri":
            plan.uri[wire_name] = (name, member)
        elif location == "header":
            plan.headers[wire_name.lower()] = (name, member)
        elif location == "headers":
            plan.header_maps.append((wire_name.lower(), name, member))
        elif location == "querystring":
            if member.type_name == "map":
                plan.query_map = (name, member)
            else:
                plan.query[wire_name] = (name, member)
        elif name == payload:
            plan.payload = (name, member)
            plan.payload_root = serialization.get("name", member.name)
        elif payload is None:
            plan.body_members = True
    return plan


class BaseRestRequestParser(RequestParser):
    """Parses the REST envelope; subclasses read structured bodies (XML or JSON)."""

    router_class: type[RestOperationRouter] = RestOperationRouter

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        self.router = self.router_class(service_model)
        self._plans = {
            name: _input_plan(service_model.operation_model(name))
            for name in service_model.operation_names
        }

    def parse(self, request: HttpRequest) -> ParsedRequest:
        return self.parse_head(request)(request.body)

    def parse_head(self, request: HttpRequest) -> Callable[[bytes], ParsedRequest]:
        query = request.query_params
        operation, labels = self.router.match(request.method, request.path, query,
                                              request.headers)
        plan = self._plans[operation.name]
        params: dict[str, Any] = {}
        for label, raw in labels.items():
            found = plan.uri.get(label)
            if found is not None:
                text = unquote(raw) if "%" in raw else raw
                member_name, shape = found
                params[member_name] = (text if shape.type_name == "string"
                                       else self._scalar(shape, text, label))
        if plan.headers or plan.header_maps:
            self._parse_headers(request.headers, plan, params)
        if query and (plan.query or plan.query_map):
            self._parse_query(query, plan, params)

        def finish(body: bytes) -> ParsedRequest:
            request.body = body
            body = self.prepare_body(request, operation, params)
            if plan.payload is not None:
                self._parse_payload(body, operation, plan, params)
            elif plan.body_members and body.strip() and plan.shape is not None:
                params.update(self.parse_structure(body, plan.shape, None))
            return ParsedRequest(operation, params)

        return finish

    def prepare_body(
        self, request: HttpRequest, operation: OperationModel, params: dict[str, Any]
    ) -> bytes:
        """The body the payload is read from (S3 decodes aws-chunked and checks digests here)."""
        return request.body

    @abc.abstractmethod
    def parse_structure(
        self, body: bytes, shape: StructureShape, root_name: str | None
    ) -> dict[str, Any]:
        """A structured body (XML or JSON) read as `shape`."""

    def _scalar(self, shape: Shape, text: str, wire_name: str) -> Any:
        try:
            return parse_scalar(shape, text)
        except (ValueError, TypeError):
            raise self.invalid_parameter(wire_name, text) from None

    def _parse_headers(
        self, headers: Mapping[str, str], plan: _InputPlan, params: dict[str, Any]
    ) -> None:
        cache = plan.header_routes
        for name, value in headers.items():
            route = cache.get(name)
            if route is None:
                route = _route_header(plan, name)
                if len(cache) < _HEADER_ROUTES_CACHED:
                    cache[name] = route
            kind, member_name, shape, key = route
            if kind is _Route.IGNORE:
                continue
            if kind is _Route.STRING:
                params[member_name] = value
            elif kind is _Route.MAP_ENTRY:
                params.setdefault(member_name, {})[key] = value
            elif shape.type_name == "list":
                item = shape.member
                params[member_name] = [
                    self._scalar(item, part.strip(), name) for part in value.split(",")
                ]
            elif shape.type_name == "timestamp":
                # A header date that does not parse is kept as sent (S3 stores Expires
                # verbatim whatever it holds).
                try:
                    params[member_name] = parse_scalar(shape, value)
                except ValueError:
                    params[member_name] = value
            else:
                params[member_name] = self._scalar(shape, value, name)

    def _parse_query(
        self, query: Mapping[str, list[str]], plan: _InputPlan, params: dict[str, Any]
    ) -> None:
        rest: dict[str, Any] = {}
        for name, values in query.items():
            found = plan.query.get(name)
            if found is None:
                rest[name] = values
                continue
            member_name, shape = found
            if shape.type_name == "list":
                item = shape.member
                params[member_name] = [self._scalar(item, value, name) for value in values]
            else:
                params[member_name] = self._scalar(shape, values[0], name)
        if plan.query_map is not None and rest:
            member_name, shape = plan.query_map
            value_shape = shape.value
            if value_shape.type_name == "list":
                params[member_name] = rest
            else:
                params[member_name] = {name: values[0] for name, values in rest.items()}

    def _parse_payload(
        self, body: bytes, operation: OperationModel, plan: _InputPlan, params: dict[str, Any]
    ) -> None:
        assert plan.payload is not None
        member_name, shape = plan.payload
        kind = shape.type_name
        if kind == "blob":
            if body or shape.serialization.get("streaming"):
                params[member_name] = body
        elif kind == "string":
            if body:
                params[member_name] = body.decode("utf-8")
        elif body.strip():
            params[member_name] = self.parse_structure(
                body, shape, plan.payload_root
            )


@dataclass
class _OutputPlan:
    shape: StructureShape | None
    headers: dict[str, tuple[str, Shape]] = field(default_factory=dict)
    """Member name -> (header name, shape)."""
    header_maps: dict[str, str] = field(default_factory=dict)
    """Member name -> header prefix."""
    status: str | None = None
    payload: _Member | None = None
    payload_root: str | None = None
    body_members: bool = False


def _output_plan(operation: OperationModel) -> _OutputPlan:
    shape = operation.output_shape
    plan = _OutputPlan(shape)
    if shape is None:
        return plan
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        serialization = member.serialization
        location = serialization.get("location")
        if location == "header":
            plan.headers[name] = (serialization.get("name", name), member)
        elif location == "headers":
            plan.header_maps[name] = serialization.get("name", "")
        elif location == "statusCode":
            plan.status = name
        elif name == payload:
            plan.payload = (name, member)
            plan.payload_root = serialization.get("name", member.name)
        elif payload is None and location is None:
            plan.body_members = True
    return plan


class BaseRestResponseSerializer(ResponseSerializer):
    """Serializes the REST envelope; subclasses write structured bodies and errors."""

    CONTENT_TYPE = "application/json"

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        self._plans = {
            name: _output_plan(service_model.operation_model(name))
            for name in service_model.operation_names
        }

    def serialize_response(
        self,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        plan = self._plans[operation.name]
        response = HttpResponse(status=operation.http.get("responseCode", 200))
        headers = response.headers
        for name, value in result.items():
            if value is None:
                continue
            header = plan.headers.get(name)
            if header is not None:
                headers[header[0]] = self.header_text(header[1], value)
            elif name in plan.header_maps:
                prefix = plan.header_maps[name]
                for key, item in value.items():
                    headers[prefix + key] = str(item)
            elif name == plan.status:
                response.status = int(value)
        if plan.payload is not None:
            member_name, shape = plan.payload
            value = result.get(member_name)
            if value is not None:
                if shape.type_name == "blob":
                    response.body = value.encode("utf-8") if isinstance(value, str) else value
                elif shape.type_name == "string":
                    response.body = value.encode("utf-8")
                else:
                    response.body = self.serialize_structure(
                        operation, shape, value, plan.payload_root
                    )
                    headers.setdefault("Content-Type", self.CONTENT_TYPE)
        elif plan.body_members and plan.shape is not None:
            response.body = self.serialize_structure(operation, plan.shape, result, None)
            headers.setdefault("Content-Type", self.CONTENT_TYPE)
        self.finish_response(response, operation, result, request, ids)
        return response

    @abc.abstractmethod
    def serialize_structure(
        self,
        operation: OperationModel,
        shape: StructureShape,
        value: Mapping[str, Any],
        root_name: str | None,
    ) -> bytes:
        """A structured body; `root_name` is the payload member's element name, if any."""

    def finish_response(
        self,
        response: HttpResponse,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> None:
        """Add what the model does not say (request id headers, S3's 206...)."""
        response.headers["x-amzn-RequestId"] = ids.request_id

    @staticmethod
    def header_text(shape: Shape, value: Any) -> str:
        """A member's value as header text: RFC 822 dates unless the shape says otherwise."""
        kind = shape.type_name
        if kind == "timestamp":
            return format_timestamp(value, shape.serialization.get("timestampFormat", RFC822))
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "list":
            return ", ".join(str(item) for item in value)
        if kind == "blob":
            data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            return base64.b64encode(data).decode("ascii")
        if kind == "string" and shape.serialization.get("jsonvalue"):
            return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")
        return str(value)
