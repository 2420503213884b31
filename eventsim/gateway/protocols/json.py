"""The json protocol (SQS, DynamoDB, DynamoDB Streams, Kinesis): ``POST /`` with the operation
in ``X-Amz-Target`` (``DynamoDB_20120810.PutItem``) and the input as a JSON body.

Values are read and written by their shapes: blobs travel as base64 text and reach services as
bytes; timestamps travel as epoch seconds and reach services as aware datetimes. A value of the
wrong JSON type is a ``SerializationException``, as AWS answers it.

Errors are ``{"__type": "<prefix>#Code", "message": "..."}`` with the error's status. Services
that moved from the query protocol (SQS: ``awsQueryCompatible`` in the model) also send
``x-amzn-query-error: <query code>;Sender``, which botocore uses to find the modeled exception;
an error class names its query code in a ``query_code`` class attribute.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

from botocore.model import (  # type: ignore[import-untyped]
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
)

from eventsim.errors import AwsError
from eventsim.gateway.protocols.base import (
    HttpRequest,
    HttpResponse,
    ParsedRequest,
    RequestParser,
    ResponseSerializer,
    parse_timestamp,
    to_datetime,
)
from eventsim.tracing import RequestIds

__all__ = [
    "JSONRequestParser",
    "JSONResponseSerializer",
    "SerializationException",
    "UnknownOperationException",
]

LOG = logging.getLogger(__name__)

_ERROR_TYPE_PREFIXES = {
    "dynamodb": "com.amazonaws.dynamodb.v20120810#",
    "dynamodbstreams": "com.amazonaws.dynamodb.v20120810#",
    "sqs": "com.amazonaws.sqs#",
}
"""What each service puts before the code in ``__type`` (Kinesis sends the bare code)."""


class SerializationException(AwsError):
    """The body is not JSON, or a value is not of its member's type."""

    code = "SerializationException"
    status_code = 400
    sender_fault = True


class UnknownOperationException(AwsError):
    """``X-Amz-Target`` names no operation of the service."""

    code = "UnknownOperationException"
    status_code = 400
    sender_fault = True


class JSONRequestParser(RequestParser):
    """json-protocol requests."""

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        self._prefix = service_model.metadata.get("targetPrefix", "")
        self._operations = {
            name: service_model.operation_model(name) for name in service_model.operation_names
        }

    def parse(self, request: HttpRequest) -> ParsedRequest:
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, name = target.rpartition(".")
        operation = self._operations.get(name) if prefix == self._prefix else None
        if operation is None:
            raise UnknownOperationException(f"Unknown operation: {target or '(no X-Amz-Target)'}")
        params: dict[str, Any] = {}
        if request.body.strip():
            try:
                document = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise SerializationException("The request body is not valid JSON.") from None
            shape = operation.input_shape
            if shape is not None:
                params = _read_structure(shape, document, "")
        return ParsedRequest(operation=operation, params=params)


def _read(shape: Shape, value: Any, path: str) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong_type(path, "a list", value)
        return [_read(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _wrong_type(path, "a map", value)
        return {
            _read(shape.key, k, f"{path}.key"): _read(shape.value, v, f"{path}[{k}]")
            for k, v in value.items()
        }
    if kind == "string":
        if not isinstance(value, str):
            raise _wrong_type(path, "a string", value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
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
            raise SerializationException(
                f"Base64 encoded value of {path or 'the body'} is not valid."
            ) from None
    if kind == "timestamp":
        if isinstance(value, bool):
            raise _wrong_type(path, "a timestamp", value)
        if isinstance(value, (int, float)):
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        if isinstance(value, str):
            try:
                return parse_timestamp(value, shape.serialization.get("timestampFormat"))
            except ValueError:
                raise _wrong_type(path, "a timestamp", value) from None
        raise _wrong_type(path, "a timestamp", value)
    return value  # document shapes: any JSON


def _read_structure(shape: StructureShape, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(path, "a structure", value)
    result: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        wire = member_shape.serialization.get("name", member)
        if wire in value and value[wire] is not None:
            result[member] = _read(member_shape, value[wire], f"{path}.{member}" if path
                                   else member)
    return result


def _wrong_type(path: str, expected: str, value: Any) -> SerializationException:
    return SerializationException(
        f"Expected {expected} for {path or 'the body'}, got {type(value).__name__} "
        f"{json.dumps(value)[:40]}"
    )


class JSONResponseSerializer(ResponseSerializer):
    """json-protocol responses and errors."""

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        version = service_model.metadata.get("jsonVersion", "1.0")
        self._content_type = f"application/x-amz-json-{version}"
        self._type_prefix = _ERROR_TYPE_PREFIXES.get(service_model.service_name, "")
        self._query_compatible = "awsQueryCompatible" in service_model.metadata

    def serialize_response(
        self,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        shape = operation.output_shape
        document = _write_structure(shape, result) if shape is not None else {}
        return HttpResponse(
            status=200,
            headers=self._headers(ids),
            body=json.dumps(document, separators=(",", ":")).encode(),
        )

    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        document: dict[str, Any] = {"__type": self._type_prefix + error.code}
        if error.message:
            document["message"] = error.message
        for name, value in error.fields.items():
            document.setdefault(name, value)
        headers = self._headers(ids)
        if self._query_compatible:
            side = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{getattr(error, 'query_code', error.code)};{side}"
        return HttpResponse(
            status=error.status_code,
            headers=headers,
            body=json.dumps(document, separators=(",", ":"), default=str).encode(),
        )

    def _headers(self, ids: RequestIds) -> dict[str, str]:
        return {"Content-Type": self._content_type, "x-amzn-RequestId": ids.request_id}


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
        fmt = shape.serialization.get("timestampFormat")
        moment = to_datetime(value)
        if fmt == "iso8601":
            return moment.isoformat().replace("+00:00", "Z")
        # Epoch seconds, to the millisecond, as AWS's json services answer.
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
        if item is None:
            continue
        member_shape = members.get(name)
        if member_shape is None:
            continue  # not part of the shape: botocore would not read it
        result[member_shape.serialization.get("name", name)] = _write(member_shape, item)
    return result
