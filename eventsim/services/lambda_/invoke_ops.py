"""Invoking a function: the payload checked against AWS's limits, then handed to the backend."""

from __future__ import annotations

import json
from typing import Any, Literal

from eventsim.errors import InvalidParameterValueException
from eventsim.services.lambda_.catalog import Catalog
from eventsim.services.lambda_.errors import (
    InvalidRequestContentException,
    RequestTooLargeException,
)
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.tracing import Cause, current_request

__all__ = ["InvokeOperations"]

_MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
_MAX_ASYNC_PAYLOAD = 1024 * 1024  # 1 MB for asynchronous invocations since 2025 (was 256 KB)


class InvokeOperations(Catalog):
    """Invoke, as Lambda's Invoke does (RequestResponse, Event, DryRun)."""

    async def invoke(
        self,
        name: str,
        payload: Any = None,
        *,
        invocation_type: Literal["RequestResponse", "Event", "DryRun"] = "RequestResponse",
        client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord | None:
        """Invoke a function, as Lambda's Invoke does.

        `name` may carry a qualifier (``fn:3``, ``fn:live``, or a qualified ARN): the version
        it names runs, through an alias with its weighted routing. `payload` is any JSON-able
        value, or already-encoded JSON as str/bytes. RequestResponse
        returns the finished invocation; Event queues it durably and returns None; DryRun only
        checks that the function exists. `client_context` reaches the handler as
        ``context.client_context`` (synchronous invocations only, as on AWS).
        """
        config = self._resolve(name, None, route=True)
        text = _encode_payload(payload)
        limit = _MAX_ASYNC_PAYLOAD if invocation_type == "Event" else _MAX_SYNC_PAYLOAD
        if len(text.encode()) > limit:
            raise RequestTooLargeException(
                f"{invocation_type} request payload size ({len(text.encode())} bytes) exceeded "
                f"maximum allowed payload size ({limit} bytes)."
            )
        if invocation_type == "DryRun":
            return None
        if self.backend is None:
            raise RuntimeError("no invocation backend: the simulator is not started")
        cause = Cause.for_write(f"lambda:Invoke {config.name}", self._ctx.clock.time())
        # Through the gateway, the invocation's request id is the Invoke request's, as on AWS
        # (the x-amzn-RequestId of the answer is the handler's context.aws_request_id).
        ids = current_request.get()
        request_id = ids.request_id if ids is not None else None
        if invocation_type == "Event":
            await self.backend.enqueue(config, text, cause, request_id)
            return None
        if invocation_type != "RequestResponse":
            raise InvalidParameterValueException(f"Unknown invocation type {invocation_type}")
        return await self.backend.invoke_sync(config, text, cause, request_id, client_context)


def _encode_payload(payload: Any) -> str:
    if payload is None:
        return "{}"
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    if isinstance(payload, str):
        try:
            json.loads(payload)
        except ValueError as exc:
            raise InvalidRequestContentException(
                f"Could not parse request body into json: {exc}"
            ) from exc
        return payload
    return json.dumps(payload)
