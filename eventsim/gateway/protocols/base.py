"""What every protocol shares: the HTTP request and response as plain data, the parser and
serializer base classes, and typed conversion of scalars (timestamps, numbers, booleans, blobs).

The protocol layer never sees aiohttp: `gateway/app.py` turns an aiohttp request into an
`HttpRequest` and an `HttpResponse` back into an aiohttp response, so the round-trip tests drive
the parsers and serializers with botocore alone.
"""

from __future__ import annotations

import abc
import base64
import binascii
import datetime as dt
import email.utils
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs

from botocore.model import OperationModel, ServiceModel, Shape  # type: ignore[import-untyped]

from eventsim.errors import AwsError, ValidationException
from eventsim.ids import new_uuid
from eventsim.tracing import RequestIds

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "ParsedRequest",
    "RequestParser",
    "ResponseSerializer",
    "format_timestamp",
    "parse_scalar",
    "parse_timestamp",
    "to_datetime",
]

LOG = logging.getLogger(__name__)

ISO8601 = "iso8601"
RFC822 = "rfc822"
UNIX = "unixTimestamp"


@dataclass
class HttpRequest:
    """An HTTP request as it arrived: raw (percent-encoded) path, raw query, body read whole."""

    method: str
    path: str
    """The path as sent, still percent-encoded, without the query string."""
    query: str = ""
    """The query string as sent, without the ``?``."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Case-insensitive where it comes from aiohttp (`CIMultiDictProxy`)."""
    body: bytes = b""

    @cached_property
    def query_params(self) -> dict[str, list[str]]:
        """The query string decoded: every name with all of its values, in order."""
        if not self.query:
            return {}
        return parse_qs(self.query, keep_blank_values=True)


@dataclass(slots=True)
class HttpResponse:
    """What a serializer produces; `gateway/app.py` sends it."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(slots=True)
class ParsedRequest:
    """The operation a request is for and its input, keyed by the input shape's member names."""

    operation: OperationModel
    params: dict[str, Any]


class RequestParser(abc.ABC):
    """Turns HTTP requests for one service into `ParsedRequest`s."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model

    @abc.abstractmethod
    def parse(self, request: HttpRequest) -> ParsedRequest:
        """Find the operation and parse its input; raises `AwsError` for a bad request."""

    def parse_head(self, request: HttpRequest) -> Callable[[bytes], ParsedRequest]:
        """Parse what the method, path, query and headers tell, before the body has arrived;
        the function returned finishes with the body.

        A client that sends ``Expect: 100-continue`` (boto3 does for every S3 upload) sends
        its body only once told to continue, so the work done here overlaps with the body's
        journey instead of adding to the request's time. By default everything waits for
        the body: protocols that route by their body (json, query) gain nothing."""

        def finish(body: bytes) -> ParsedRequest:
            request.body = body
            return self.parse(request)

        return finish

    def invalid_parameter(self, name: str, value: str) -> AwsError:
        """The error for a parameter whose text cannot be read as its shape's type."""
        return ValidationException(f"Value '{value}' at '{name}' failed to satisfy constraint: "
                                   "Member must be a valid value of its type")


class ResponseSerializer(abc.ABC):
    """Turns service results and `AwsError`s into HTTP responses for one service."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model

    def new_request_ids(self) -> RequestIds:
        """Fresh ids for a request, in the service's style."""
        return RequestIds(new_uuid())

    @abc.abstractmethod
    def serialize_response(
        self,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        """The response for a result keyed by the output shape's member names."""

    @abc.abstractmethod
    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        """The error response; `operation` is None when the request matched none."""


# -- scalars -------------------------------------------------------------------------------


def parse_scalar(shape: Shape, text: str) -> Any:
    """Read a header, query or URI value as `shape`'s type; ValueError when it cannot be."""
    kind = shape.type_name
    if kind == "string":
        if shape.serialization.get("jsonvalue"):
            return json.loads(base64.b64decode(text))
        return text
    if kind in ("integer", "long"):
        return int(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ValueError(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "timestamp":
        return parse_timestamp(text, shape.serialization.get("timestampFormat"))
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise ValueError(text) from exc
    return text


def parse_timestamp(text: str, fmt: str | None = None) -> dt.datetime:
    """An aware UTC datetime from ISO 8601, RFC 822 or epoch-seconds text (any, whatever `fmt`).

    `fmt` only decides which reading is tried first.
    """
    text = text.strip()
    readers = (_from_rfc822, _from_iso8601, _from_epoch)
    if fmt == ISO8601:
        readers = (_from_iso8601, _from_rfc822, _from_epoch)
    elif fmt == UNIX:
        readers = (_from_epoch, _from_iso8601, _from_rfc822)
    for read in readers:
        try:
            return read(text)
        except (ValueError, TypeError, OverflowError):
            continue
    raise ValueError(f"not a timestamp: {text!r}")


def _from_rfc822(text: str) -> dt.datetime:
    value = email.utils.parsedate_to_datetime(text)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _from_iso8601(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _from_epoch(text: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)


def to_datetime(value: dt.datetime | float | int | str) -> dt.datetime:
    """An aware UTC datetime from what services return: datetime (naive means UTC) or epoch."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, str):
        return parse_timestamp(value)
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def format_timestamp(value: dt.datetime | float | int | str, fmt: str) -> str:
    """`value` as text in `fmt` (``iso8601`` with milliseconds as S3 writes, ``rfc822``, or
    ``unixTimestamp``)."""
    if isinstance(value, str):
        return value
    moment = to_datetime(value)
    if fmt == RFC822:
        return email.utils.format_datetime(moment, usegmt=True)
    if fmt == UNIX:
        return f"{moment.timestamp():.3f}".rstrip("0").rstrip(".")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
