"""The contract between the invoker and an execution environment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from eventsim.services.lambda_.models import FunctionConfig

__all__ = [
    "Cancel",
    "InvokeRequest",
    "InvokeResult",
    "InvokeStatus",
    "OnResult",
    "Runtime",
    "run_to_end",
]

T = TypeVar("T")

InvokeStatus = Literal["Success", "Error", "Timeout"]


@dataclass(slots=True)
class InvokeRequest:
    """One invocation handed to a runtime. Treat as immutable (not frozen only because one is
    made per invocation, and a frozen dataclass of ten fields costs several microseconds more
    to make, on the event loop's thread)."""

    function: FunctionConfig
    payload: bytes
    """The event, JSON-encoded, exactly as the handler will receive it."""
    request_id: str
    trace_header: str
    """``_X_AMZN_TRACE_ID`` for this invocation (see `eventsim.tracing`)."""
    environment: dict[str, str]
    """The complete environment of the handler: Lambda's variables plus the function's. The
    one entry a runtime sets: AWS_LAMBDA_LOG_STREAM_NAME, to the log stream of the execution
    environment that runs the invocation (Lambda keeps one stream per environment), before the
    handler sees it; the invocation's record reads it back from here."""
    deadline_ms: int
    """Epoch milliseconds at which the invocation times out (real time: handlers run in it)."""
    client_context: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    invocation_type: str = "RequestResponse"
    invoked_function_arn: str = ""
    """The ARN the caller invoked: unqualified, or with the version or alias it named
    (empty: the function's unqualified ARN)."""


@dataclass(slots=True)
class InvokeResult:
    """What came out of an invocation (slots: one is made per invocation)."""

    status: InvokeStatus
    payload: bytes | None = None
    """The handler's return value as JSON (Success), or the error document (Error/Timeout)."""
    error: dict[str, Any] | None = None
    """``{errorMessage, errorType, requestId, stackTrace}`` as the Python runtime reports it."""
    logs: str = ""
    duration_ms: float = 0.0
    init_duration_ms: float | None = None
    """Set on a cold start: how long loading the handler took."""
    extra: dict[str, Any] = field(default_factory=dict)


OnResult = Callable[["InvokeResult | BaseException"], None]
"""Receives an invocation's result on the event loop; an exception only for eventsim's own bugs
(or `asyncio.CancelledError` after a cancel)."""

Cancel = Callable[[], None]
"""Abandons an invocation that has not finished."""


class Runtime(Protocol):
    """Runs invocations in execution environments of one kind (inline or process)."""

    def start(self, request: InvokeRequest, on_result: OnResult) -> Cancel:
        """Start one invocation without waiting for it: the engine's hot path, which must not
        cost a task per invocation."""
        ...

    async def invoke(self, request: InvokeRequest) -> InvokeResult:
        """Run one invocation to its end (success, error or timeout). Never raises for a
        handler's failure; raises only for eventsim's own bugs."""
        ...

    async def aclose(self) -> None:
        """Stop every environment."""
        ...


async def run_to_end(start: Callable[[Callable[[T | BaseException], None]], Cancel]) -> T:
    """Await an invocation started callback-style: ``start(done)`` begins it and returns its
    `Cancel`; ``done`` gets the result (or eventsim's own exception) once. Cancelling the
    awaiting task abandons the invocation."""
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

    def done(outcome: T | BaseException) -> None:
        if future.done():
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    cancel = start(done)
    try:
        return await future
    except asyncio.CancelledError:
        cancel()
        raise
