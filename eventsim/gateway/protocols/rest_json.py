"""The rest-json protocol (Lambda): the REST envelope with JSON bodies.

Body values are read and written by their shapes: blobs travel as base64 text and reach services
as bytes; timestamps arrive as botocore sends them (epoch seconds; ISO 8601 text is read too) and
leave as epoch seconds, as Lambda answers (``"LastModified": 1.5736860214E9``). A blob *payload*
member (Invoke's ``Payload``) is the raw body either way: `BaseRestRequestParser` and
`BaseRestResponseSerializer` deal with it, and with headers and status codes.

Errors are what Lambda sends: the status, ``x-amzn-ErrorType: <Code>`` and a JSON body
``{"Type": "User" | "Service", "message": "..."}`` plus the error's own fields
(``Reason``, ``retryAfterSeconds``...).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape  # type: ignore[import-untyped]

from eventsim.errors import AwsError
from eventsim.gateway.protocols.base import (
    HttpRequest,
    HttpResponse,
    parse_timestamp,
    to_datetime,
)
from eventsim.gateway.protocols.json import SerializationException
from eventsim.gateway.protocols.rest import BaseRestRequestParser, BaseRestResponseSerializer
from eventsim.services.lambda_.errors import InvalidRequestContentException
from eventsim.tracing import RequestIds

__all__ = ["RestJSONRequestParser", "RestJSONResponseSerializer"]

LOG = logging.getLogger(__name__)

_BAD_BODY: dict[str, Callable[[str], AwsError]] = {
    "lambda": lambda detail: InvalidRequestContentException(
        f"Could not parse request body into json: {detail}"
    ),
}
"""The error each service answers for a body it cannot read (others: SerializationException)."""


class _BadValue(ValueError):
    """A body value that is not of its member's type; the message says where."""


class RestJSONRequestParser(BaseRestRequestParser):
    """rest-json requests: members bound to the URI, query and headers, and a JSON body."""

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        self._bad_body = _BAD_BODY.get(service_model.service_name, SerializationException)

    def parse_structure(
        self, body: bytes, shape: StructureShape, root_name: str | None
    ) -> dict[str, Any]:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._bad_body(f"the body is not valid JSON ({exc})") from None
        try:
            return _read_structure(shape, document, "")
        except _BadValue as exc:
            raise self._bad_body(str(exc)) from None


def _read(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong_type(path, "a list", value)
        return [_read(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)
                if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            raise _wrong_type(path, "a map", value)
        return {k: _read(shape.value, v, f"{path}.{k}") for k, v in value.items()
                if v is not None}
    if kind == "string":
        if not isinstance(value, str):
            raise _wrong_type(path, "a string", value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong_type(path, "an integer", value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong_type(path, "a number", value)
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _wrong_type(path, "a boolean", value)
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise _wrong_type(path, "base64 text", value)
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise _BadValue(f"{path} is not valid base64") from None
    if kind == "timestamp":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        if isinstance(value, str):
            try:
                return parse_timestamp(value, shape.serialization.get("timestampFormat"))
            except ValueError:
                pass
        raise _wrong_type(path, "a timestamp", value)
    return value  # document shapes: any JSON


def _read_structure(shape: StructureShape, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(path, "an object", value)
    result: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        if member_shape.serialization.get("location"):
            continue  # bound to the URI, query or headers, never read from the body
        wire = member_shape.serialization.get("name", member)
        item = value.get(wire)
        if item is not None:
            result[member] = _read(member_shape, item, f"{path}.{member}" if path else member)
    return result


def _wrong_type(path: str, expected: str, value: Any) -> _BadValue:
    return _BadValue(f"expected {expected} for {path or 'the body'}, got "
                     f"{json.dumps(value, default=str)[:40]}")


class RestJSONResponseSerializer(BaseRestResponseSerializer):
    """rest-json responses and Lambda-style errors."""

    CONTENT_TYPE = "application/json"

    def serialize_structure(
        self,
        operation: OperationModel,
        shape: StructureShape,
        value: Mapping[str, Any],
        root_name: str | None,
    ) -> bytes:
        return json.dumps(_write_structure(shape, value), separators=(",", ":")).encode()

    def finish_response(
        self,
        response: HttpResponse,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> None:
        super().finish_response(response, operation, result, request, ids)
        # A raw payload (Invoke's) is JSON too as far as Lambda's clients are told.
        if response.body:
            response.headers.setdefault("Content-Type", self.CONTENT_TYPE)

    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        document: dict[str, Any] = {"Type": "User" if error.sender_fault else "Service"}
        document.update(error.fields)
        if error.message:
            document["message"] = error.message
        return HttpResponse(
            status=error.status_code,
            headers={
                "Content-Type": self.CONTENT_TYPE,
                "x-amzn-ErrorType": error.code,
                "x-amzn-RequestId": ids.request_id,
            },
            body=(b"" if request.method == "HEAD"
                  else json.dumps(document, separators=(",", ":"), default=str).encode()),
        )


def _write(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _write_structure(shape, value)
    if kind == "list":
        return [_write(shape.member, item) for item in value]
    if kind == "map":
        return {str(k): _write(shape.value, v) for k, v in value.items()}
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    if kind == "timestamp":
        moment = to_datetime(value)
        if shape.serialization.get("timestampFormat") == "iso8601":
            return moment.isoformat().replace("+00:00", "Z")
        return round(moment.timestamp(), 3)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    return value


def _write_structure(shape: StructureShape, value: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    members = shape.members
    for name, item in value.items():
        member_shape = members.get(name)
        if item is None or member_shape is None or member_shape.serialization.get("location"):
            continue  # absent, unknown to botocore, or already sent as a header/status
        result[member_shape.serialization.get("name", name)] = _write(member_shape, item)
    return result
