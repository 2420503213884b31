"""Comparing what moto and eventsim answer to the same boto3 calls.

`outcome(call)` runs one boto3 call and reduces its answer to what must agree between two
implementations: for a success, the shape of the response (keys and value types, with
``ResponseMetadata`` dropped); for an error, the code and HTTP status. Ids, timestamps and
other values that differ by nature drop out because only types are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

__all__ = ["Outcome", "outcome", "shape"]

Outcome = tuple[str, Any]


def shape(value: Any) -> Any:
    """Keys and value types of a response; a list is shown by its first item."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items()) if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, dt.datetime):
        return "datetime"
    if hasattr(value, "read"):
        return "stream"
    return type(value).__name__


def outcome(call: Callable[[], Any]) -> Outcome:
    """("ok", shape) for a success, ("error", (code, status)) for an AWS error."""
    try:
        return "ok", shape(call())
    except ClientError as exc:
        error = exc.response["Error"]
        return "error", (error["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"])
