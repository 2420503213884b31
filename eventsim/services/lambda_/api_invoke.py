"""Lambda's Invoke (and the deprecated InvokeAsync): the request checked, the function run,
and the answer shaped as AWS's status code, FunctionError, LogResult and raw payload."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Literal, cast

from eventsim.errors import TooManyRequestsException, ValidationException
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.errors import InvalidRequestContentException

__all__ = ["Invoking"]

_LOG_TAIL_BYTES = 4096
_MAX_CLIENT_CONTEXT = 3583
_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")


class Invoking(LambdaAPIBase):
    """The invoke operations."""

    async def invoke(
        self,
        *,
        function_name: str,
        invocation_type: str | None = None,
        log_type: str | None = None,
        payload: bytes | None = None,
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        kind = invocation_type or "RequestResponse"
        if kind not in _INVOCATION_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{kind}' at 'invocationType' failed to "
                "satisfy constraint: Member must satisfy enum value set: "
                "[Event, RequestResponse, DryRun]"
            )
        if log_type is not None and log_type not in _LOG_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{log_type}' at 'logType' failed to "
                "satisfy constraint: Member must satisfy enum value set: [None, Tail]"
            )
        context = _client_context(client_context) if client_context is not None else None
        config = await self._function(function_name, qualifier)
        record = await self.functions.invoke(
            config.ref, payload or None,
            invocation_type=cast(Literal["RequestResponse", "Event", "DryRun"], kind),
            client_context=context,
        )
        if kind == "Event":
            return {"StatusCode": 202, "Payload": b""}
        if kind == "DryRun" or record is None:
            return {"StatusCode": 204, "Payload": b""}
        if record.status == "Throttled":
            raise TooManyRequestsException(
                "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
                Type="User",
            )
        result: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": record.version}
        if record.status == "Success":
            result["Payload"] = (record.result or "null").encode()
        else:
            result["FunctionError"] = "Unhandled"
            result["Payload"] = _json_bytes(record.error or {})
        if log_type == "Tail":
            tail = record.logs.encode()[-_LOG_TAIL_BYTES:]
            result["LogResult"] = base64.b64encode(tail).decode("ascii")
        return result

    async def invoke_async(self, *, function_name: str, invoke_args: bytes) -> dict[str, Any]:
        """The deprecated InvokeAsync: an Event invocation answered 202."""
        config = await self._function(function_name, None)
        await self.functions.invoke(config.ref, invoke_args or None, invocation_type="Event")
        return {"Status": 202}


def _client_context(text: str) -> dict[str, Any]:
    """X-Amz-Client-Context: base64 JSON of at most 3,583 bytes (AWS's limit)."""
    if len(text) > _MAX_CLIENT_CONTEXT:
        raise InvalidRequestContentException(
            f"Client context must be at most {_MAX_CLIENT_CONTEXT} bytes, base64-encoded.")
    try:
        value = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, dict):
        raise InvalidRequestContentException(
            "Client context must be a base64-encoded JSON object.")
    return value


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()
