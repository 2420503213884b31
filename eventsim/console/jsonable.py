"""JSON for the console: service results hold bytes, datetimes and Decimals."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from typing import Any

from aiohttp import web

__all__ = ["iso", "json_response", "to_jsonable"]


def iso(epoch: float | None) -> str | None:
    """An epoch time as ISO 8601 in UTC with milliseconds, as the console shows every time."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def to_jsonable(value: Any) -> Any:
    """`value` with bytes as text (UTF-8) or ``{"base64": ...}``, datetimes as ISO strings,
    Decimals as numbers, and readable streams read."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(data).decode()}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    read = getattr(value, "read", None)
    if callable(read):
        return to_jsonable(read())
    return value


def _default(value: Any) -> Any:
    converted = to_jsonable(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return converted


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON answer; values JSON does not know are converted by `to_jsonable`."""
    return web.json_response(data, status=status,
                             dumps=lambda v: json.dumps(v, default=_default))
