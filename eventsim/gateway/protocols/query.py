"""The query protocol (SNS): form-encoded parameters in, XML out.

A request names its operation in ``Action`` (and the API version in ``Version``), in a
form-encoded POST body or in the query string of a GET. Its input is flat ``name=value`` pairs,
written by botocore's ``QuerySerializer`` and read back here by the same rules:

- a structure member is ``Parent.Member`` (the member's ``locationName`` if it has one);
- a list is ``Name.member.N`` (``N`` from 1; the item's ``locationName`` replaces ``member``),
  or ``Name.N`` when flattened; an empty list is ``Name=`` with no value;
- a map is ``Name.entry.N.key`` / ``Name.entry.N.value`` (key and value renamed by their
  ``locationName``: SNS's message attributes are ``MessageAttributes.entry.N.Name`` and
  ``MessageAttributes.entry.N.Value.DataType``), without ``.entry`` when flattened;
- booleans ``true``/``false``, timestamps ISO 8601, blobs base64.

A response is ``<XResponse xmlns=...><XResult>..</XResult><ResponseMetadata><RequestId/>
</ResponseMetadata></XResponse>``, the result written by the XML rules of
`eventsim.gateway.protocols.xml`; an error is ``<ErrorResponse><Error><Type/><Code/>
<Message/></Error><RequestId/></ErrorResponse>`` with the error's HTTP status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape, StructureShape  # type: ignore[import-untyped]

from eventsim.errors import AwsError
from eventsim.gateway.protocols.base import (
    HttpRequest,
    HttpResponse,
    ParsedRequest,
    RequestParser,
    ResponseSerializer,
    parse_scalar,
)
from eventsim.gateway.protocols.rest_xml import error_fields_xml
from eventsim.gateway.protocols.xml import XML_DECLARATION, element_name, write_xml
from eventsim.tracing import RequestIds

__all__ = ["InvalidAction", "QueryRequestParser", "QueryResponseSerializer"]

LOG = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"


class InvalidAction(AwsError):
    """The ``Action`` names no operation of the service."""

    code = "InvalidAction"
    status_code = 400
    sender_fault = True

    def __init__(self, action: str) -> None:
        super().__init__(f"The action {action} is not valid for this web service.")


class _Node:
    """The parameters under one dotted prefix: the value at it and the names below it."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


def _tree(pairs: list[tuple[str, str]]) -> _Node:
    root = _Node()
    for name, value in pairs:
        node = root
        for part in name.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            node = child
        node.value = value
    return root


def _numbered(node: _Node) -> list[_Node]:
    """A node's children named 1, 2, 3... in numeric order (other names are ignored)."""
    items = [(int(name), child) for name, child in node.children.items() if name.isdigit()]
    items.sort(key=lambda item: item[0])
    return [child for _, child in items]


class QueryRequestParser(RequestParser):
    """Query requests: ``Action`` picks the operation, the other pairs fill its input."""

    def parse(self, request: HttpRequest) -> ParsedRequest:
        pairs = parse_qsl(request.query, keep_blank_values=True) if request.query else []
        content_type = request.headers.get("Content-Type", "")
        if request.body and (not content_type or content_type.startswith(_FORM)):
            pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        params = dict(pairs)
        action = params.pop("Action", "")
        params.pop("Version", None)
        if action not in self.service_model.operation_names:
            raise InvalidAction(action)
        operation = self.service_model.operation_model(action)
        shape = operation.input_shape
        if shape is None:
            return ParsedRequest(operation, {})
        value = self._read_structure(shape, _tree(list(params.items())), "")
        return ParsedRequest(operation, value)

    def _read(self, shape: Shape, node: _Node, name: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._read_structure(shape, node, name)
        if kind == "list":
            if node.value == "" and not node.children:
                return []
            if shape.serialization.get("flattened"):
                items = _numbered(node)
            else:
                wrapper = node.children.get(shape.member.serialization.get("name", "member"))
                items = _numbered(wrapper) if wrapper is not None else []
            return [self._read(shape.member, item, f"{name}.{i}")
                    for i, item in enumerate(items, 1)]
        if kind == "map":
            entries = node if shape.serialization.get("flattened") else node.children.get("entry")
            result: dict[Any, Any] = {}
            if entries is None:
                return result
            key_name = shape.key.serialization.get("name", "key")
            value_name = shape.value.serialization.get("name", "value")
            for i, entry in enumerate(_numbered(entries), 1):
                key_node = entry.children.get(key_name)
                if key_node is None:
                    continue
                key = self._read(shape.key, key_node, f"{name}.{i}.{key_name}")
                value_node = entry.children.get(value_name)
                result[key] = (None if value_node is None else
                               self._read(shape.value, value_node, f"{name}.{i}.{value_name}"))
            return result
        text = node.value if node.value is not None else ""
        try:
            return parse_scalar(shape, text)
        except ValueError:
            raise self.invalid_parameter(name, text) from None

    def _read_structure(self, shape: StructureShape, node: _Node, prefix: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for member_name, member in shape.members.items():
            key = element_name(member, member_name)
            child = node.children.get(key)
            if child is None:
                continue
            result[member_name] = self._read(member, child, f"{prefix}{key}")
        return result


class QueryResponseSerializer(ResponseSerializer):
    """Query responses and errors, in the service's XML namespace."""

    CONTENT_TYPE = "text/xml"

    def _namespace(self) -> str:
        ns = self.service_model.metadata.get("xmlNamespace")
        return f' xmlns="{ns}"' if ns else ""

    def serialize_response(
        self,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        name = operation.name
        shape = operation.output_shape
        parts = [XML_DECLARATION, f"<{name}Response{self._namespace()}>"]
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
            parts.append(write_xml(shape, result, wrapper))
        parts.append(f"<ResponseMetadata><RequestId>{ids.request_id}</RequestId>"
                     f"</ResponseMetadata></{name}Response>")
        return HttpResponse(
            status=200,
            headers={"Content-Type": self.CONTENT_TYPE, "x-amzn-RequestId": ids.request_id},
            body="".join(parts).encode("utf-8"),
        )

    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        kind = "Sender" if error.sender_fault else "Receiver"
        body = (
            f"{XML_DECLARATION}<ErrorResponse{self._namespace()}><Error><Type>{kind}</Type>"
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"{error_fields_xml(error)}</Error><RequestId>{ids.request_id}</RequestId>"
            "</ErrorResponse>"
        )
        return HttpResponse(
            status=error.status_code,
            headers={"Content-Type": self.CONTENT_TYPE, "x-amzn-RequestId": ids.request_id},
            body=body.encode("utf-8"),
        )
