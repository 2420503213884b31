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
import weakref
from collections.abc import Callable, Mapping
from itertools import chain
from typing import Any

import orjson
from botocore.model import (  # type: ignore[import-untyped]
    OperationModel,
    ServiceModel,
    Shape,
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
_a2b_base64 = binascii.a2b_base64

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
        self._readers: dict[str, Reader] = {}

    def parse(self, request: HttpRequest) -> ParsedRequest:
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, name = target.rpartition(".")
        operation = self._operations.get(name) if prefix == self._prefix else None
        if operation is None:
            raise UnknownOperationException(f"Unknown operation: {target or '(no X-Amz-Target)'}")
        params: dict[str, Any] = {}
        if request.body.strip():
            try:
                document = orjson.loads(request.body)
            except (orjson.JSONDecodeError, UnicodeDecodeError):
                raise SerializationException("The request body is not valid JSON.") from None
            shape = operation.input_shape
            if shape is not None:
                reader = self._readers.get(name)
                if reader is None:
                    reader = self._readers[name] = _reader(shape)
                try:
                    params = reader(document)
                except _WrongType:
                    # The reader changes the document as it goes: the error is found in a
                    # fresh one.
                    raise _serialization_error(shape, orjson.loads(request.body)) from None
        return ParsedRequest(operation=operation, params=params)


Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]


class _WrongType(Exception):
    """A value is not of its shape's type (the path is found afterwards, on the slow path)."""


def _reader(shape: Shape, made: dict[str, Reader] | None = None) -> Reader:
    """A function reading a JSON value as `shape`, compiled once per shape: a request then
    costs a call per value rather than a walk over the model. Raises `_WrongType`."""
    made = {} if made is None else made
    kind = shape.type_name
    if kind == "structure":
        key = shape.name
        found = made.get(key)
        if found is not None:
            return found
        fields: dict[str, tuple[str, Reader]] = {}
        readers: dict[str, Reader] = {}
        """The readers by wire name, when every member goes by its own name on the wire."""

        def read_structure(value: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise _WrongType
            if readers:
                # The parser's own document, read in place: values become what they read as,
                # members outside the shape and None values go. Strings, the commonest, are
                # checked here rather than by a call.
                gone: list[str] | None = None
                for wire, item in value.items():
                    read = readers.get(wire)
                    if read is _read_string:
                        if type(item) is str:
                            continue
                        if item is not None:
                            raise _WrongType
                    elif read is _read_blob and type(item) is str:
                        try:  # what _read_blob does, without the call (PutRecords: 500 blobs)
                            value[wire] = _a2b_base64(item, strict_mode=True)
                        except (binascii.Error, ValueError):
                            raise _WrongType from None
                        continue
                    elif read is not None and item is not None:
                        value[wire] = read(item)  # a value replaced, not a key added
                        continue
                    if gone is None:
                        gone = []
                    gone.append(wire)
                if gone is not None:
                    for wire in gone:
                        del value[wire]
                return value
            result: dict[str, Any] = {}
            for wire, item in value.items():
                field = fields.get(wire)
                if field is not None and item is not None:
                    result[field[0]] = field[1](item)
            return result

        made[key] = read_structure  # before the members: shapes may be recursive
        for member, member_shape in shape.members.items():
            fields[member_shape.serialization.get("name", member)] = (
                member, _reader(member_shape, made))
        if all(wire == member for wire, (member, _) in fields.items()):
            readers.update((wire, read) for wire, (_, read) in fields.items())
        return read_structure
    if kind == "list":
        read_item = _reader(shape.member, made)

        def read_list(value: Any) -> list[Any]:
            if type(value) is not list:
                raise _WrongType
            return [read_item(item) for item in value]

        return read_list
    if kind == "map":
        read_key, read_value = _reader(shape.key, made), _reader(shape.value, made)

        def read_map(value: Any) -> dict[Any, Any]:
            if type(value) is not dict:
                raise _WrongType
            return {read_key(k): read_value(v) for k, v in value.items()}

        return read_map
    return _SCALAR_READERS.get(kind, _read_any) if kind != "timestamp" else (
        _timestamp_reader(shape.serialization.get("timestampFormat")))


def _read_string(value: Any) -> str:
    if type(value) is not str:
        raise _WrongType
    return value


def _read_integer(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _WrongType


def _read_float(value: Any) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    raise _WrongType


def _read_boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _WrongType
    return value


def _read_blob(value: Any) -> bytes:
    if type(value) is not str:
        raise _WrongType
    try:
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError):  # ValueError: text that is not ASCII
        raise _WrongType from None


def _read_any(value: Any) -> Any:
    return value  # document shapes: any JSON


def _timestamp_reader(fmt: str | None) -> Reader:
    def read_timestamp(value: Any) -> dt.datetime:
        if type(value) is int or type(value) is float:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        if type(value) is str:
            try:
                return parse_timestamp(value, fmt)
            except ValueError:
                raise _WrongType from None
        raise _WrongType

    return read_timestamp


_SCALAR_READERS: dict[str, Reader] = {
    "string": _read_string,
    "integer": _read_integer,
    "long": _read_integer,
    "float": _read_float,
    "double": _read_float,
    "boolean": _read_boolean,
    "blob": _read_blob,
}


def _find_wrong_value(shape: Shape, value: Any, path: str) -> tuple[str, Shape, Any] | None:
    """Where the first value that is not of its shape's type is (for the error message)."""
    kind = shape.type_name
    if kind == "structure" and type(value) is dict:
        for member, member_shape in shape.members.items():
            wire = member_shape.serialization.get("name", member)
            if value.get(wire) is not None:
                found = _find_wrong_value(member_shape, value[wire],
                                          f"{path}.{member}" if path else member)
                if found is not None:
                    return found
        return None
    if kind == "list" and type(value) is list:
        for i, item in enumerate(value):
            found = _find_wrong_value(shape.member, item, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if kind == "map" and type(value) is dict:
        for k, v in value.items():
            found = (_find_wrong_value(shape.key, k, f"{path}.key")
                     or _find_wrong_value(shape.value, v, f"{path}[{k}]"))
            if found is not None:
                return found
        return None
    try:
        _reader(shape)(value)
    except _WrongType:
        return path, shape, value
    return None


_EXPECTED = {
    "structure": "a structure", "list": "a list", "map": "a map", "string": "a string",
    "integer": "an integer", "long": "an integer", "float": "a number", "double": "a number",
    "boolean": "a boolean", "blob": "base64 text", "timestamp": "a timestamp",
}


def _serialization_error(shape: Shape, document: Any) -> SerializationException:
    found = _find_wrong_value(shape, document, "")
    if found is None:  # cannot happen: the fast reader refused something
        return SerializationException("The request body does not match the operation's input.")
    path, wrong_shape, value = found
    where = path or "the body"
    if wrong_shape.type_name == "blob" and type(value) is str:
        return SerializationException(f"Base64 encoded value of {where} is not valid.")
    return SerializationException(
        f"Expected {_EXPECTED.get(wrong_shape.type_name, 'another type')} for {where}, got "
        f"{type(value).__name__} {json.dumps(value)[:40]}"
    )


class JSONResponseSerializer(ResponseSerializer):
    """json-protocol responses and errors."""

    def __init__(self, service_model: ServiceModel) -> None:
        super().__init__(service_model)
        version = service_model.metadata.get("jsonVersion", "1.0")
        self._content_type = f"application/x-amz-json-{version}"
        self._type_prefix = _ERROR_TYPE_PREFIXES.get(service_model.service_name, "")
        self._writers: dict[str, Writer] = {}
        self._query_compatible = "awsQueryCompatible" in service_model.metadata

    def serialize_response(
        self,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        shape = operation.output_shape
        document: Any = {}
        if shape is not None:
            writer = self._writers.get(operation.name)
            if writer is None:
                writer = self._writers[operation.name] = _writer(shape)
            document = writer(result)
        return HttpResponse(
            status=200,
            headers=self._headers(ids),
            body=_dumps(document),
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
            body=_dumps(document),
        )

    def _headers(self, ids: RequestIds) -> dict[str, str]:
        return {"Content-Type": self._content_type, "x-amzn-RequestId": ids.request_id}


def _dumps(document: Any) -> bytes:
    try:
        return orjson.dumps(document, default=str)
    except TypeError:  # an integer beyond 64 bits, or a key that is not a string
        return json.dumps(document, separators=(",", ":"), default=str).encode()


def _writer(shape: Shape, made: dict[str, Writer] | None = None) -> Writer:
    """A function writing a service's value as `shape`'s JSON, compiled once per shape."""
    made = {} if made is None else made
    kind = shape.type_name
    if kind == "structure":
        key = shape.name
        found = made.get(key)
        if found is not None:
            return found
        fields: dict[str, tuple[str, Writer]] = {}

        def write_structure(value: Mapping[str, Any]) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for name, item in value.items():
                field = fields.get(name)
                # None is absent; a name outside the shape botocore would not read.
                if field is not None and item is not None:
                    result[field[0]] = field[1](item)
            return result

        made[key] = write_structure
        for member, member_shape in shape.members.items():
            fields[member] = (member_shape.serialization.get("name", member),
                              _writer(member_shape, made))
        if not all(wire == member and write is _write_as_is
                   for member, (wire, write) in fields.items()):
            return write_structure
        # Members that are all written as they are, under their own names (PutRecords' 500
        # result entries): a dict holding only such members, none None, is its own JSON.
        names = frozenset(fields)

        def write_plain_structure(value: Mapping[str, Any]) -> Mapping[str, Any]:
            if type(value) is dict and value.keys() <= names and None not in value.values():
                return value
            return write_structure(value)

        made[key] = write_plain_structure
        _plain_names[write_plain_structure] = names
        return write_plain_structure
    if kind == "list":
        write_item = _writer(shape.member, made)
        if write_item is _write_as_is:
            return list
        plain = _plain_names.get(write_item)
        if plain is not None:
            return _plain_list_writer(write_item, plain)
        return lambda value: [write_item(item) for item in value]
    if kind == "map":
        write_value = _writer(shape.value, made)
        return lambda value: {str(k): write_value(v) for k, v in value.items()}
    if kind == "blob":
        return _write_blob
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _write_iso8601
        return _write_epoch
    if kind in ("integer", "long"):
        return int
    if kind in ("float", "double"):
        return float
    return _write_as_is


_plain_names: weakref.WeakKeyDictionary[Writer, frozenset[str]] = weakref.WeakKeyDictionary()
"""The member names of each structure writer that passes plain dicts through."""
_DICT_ONLY = frozenset([dict])


def _plain_list_writer(write_item: Writer, names: frozenset[str]) -> Writer:
    """A list of structures written by `write_item`, a plain-structure writer for `names`:
    a list holding only plain dicts of those members, none of whose values is None, is its
    own JSON. It is told by passes that run in C, not a call per entry (PutRecords: 500)."""
    dict_values = dict.values

    def write_plain_list(value: Any) -> Any:
        if (type(value) is list and _DICT_ONLY.issuperset(map(type, value))
                and names.issuperset(chain.from_iterable(value))  # every entry's keys
                # Every value true: none is None (a false one, "" or 0, takes the long way).
                and all(map(all, map(dict_values, value)))):
            return value
        return [write_item(item) for item in value]

    return write_plain_list


def _write_as_is(value: Any) -> Any:
    return value


def _write_blob(value: Any) -> str:
    raw = value.encode() if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


def _write_iso8601(value: Any) -> str:
    return to_datetime(value).isoformat().replace("+00:00", "Z")


def _write_epoch(value: Any) -> float:
    # Epoch seconds, to the millisecond, as AWS's json services answer.
    return round(to_datetime(value).timestamp(), 3)
