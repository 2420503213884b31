"""What the engine provides for running functions: the service validates an invocation and
hands it to an `InvocationBackend` the simulator supplies, so that services never import the
engine."""

from __future__ import annotations

from typing import Any, Protocol

from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.tracing import Cause

__all__ = ["InvocationBackend"]


class InvocationBackend(Protocol):
    """What the engine provides for running functions."""

    async def invoke_sync(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None, client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord: ...

    async def enqueue(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None,
    ) -> str:
        """Queue an asynchronous invocation durably; return its request id."""
        ...
