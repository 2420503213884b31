"""Functions: their configuration and how they are invoked.

Invocation itself is the engine's job; this service validates and hands the call to an
`InvocationBackend` that the simulator supplies, so that services never import the engine.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Literal, Protocol

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.base import ServiceContext
from eventsim.services.lambda_.arns import function_name_from_arn
from eventsim.services.lambda_.errors import (
    FunctionAlreadyExists,
    FunctionNotFound,
    InvalidRequestContentException,
    RequestTooLargeException,
)
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.services.lambda_.models import FunctionConfig, RuntimeKind, runtime_kind_for
from eventsim.tracing import Cause

__all__ = ["InvocationBackend", "LambdaService", "function_name_from_arn"]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# The runtimes an inline or process environment can run today.
_PYTHON_RUNTIMES = {
    "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
}
# These run in process environments only (eventsim's Node.js bootstrap; the function's own
# bootstrap executable).
_PROCESS_RUNTIMES = {"nodejs18.x", "nodejs20.x", "nodejs22.x", "provided.al2", "provided.al2023"}
_MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
_MAX_ASYNC_PAYLOAD = 1024 * 1024  # 1 MB for asynchronous invocations since 2025 (was 256 KB)


class InvocationBackend(Protocol):
    """What the engine provides for running functions."""

    async def invoke_sync(
        self, function: FunctionConfig, payload: str, cause: Cause
    ) -> InvocationRecord: ...

    async def enqueue(self, function: FunctionConfig, payload: str, cause: Cause) -> str:
        """Queue an asynchronous invocation durably; return its request id."""
        ...


class LambdaService:
    """Create, read, delete and invoke functions."""

    def __init__(self, ctx: ServiceContext, *, default_runtime: RuntimeKind = "inline") -> None:
        self._ctx = ctx
        self._functions: dict[str, FunctionConfig] = {}
        self._default_runtime = default_runtime
        self.backend: InvocationBackend | None = None

    async def load(self) -> None:
        """Read every function's configuration into memory (called at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT config FROM functions").fetchall()
        )
        self._functions = {}
        for r in rows:
            config = FunctionConfig.from_json(r["config"])
            self._functions[config.name] = config

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._ctx.region}:{self._ctx.account_id}:function:{name}"

    def peek(self, name: str) -> FunctionConfig | None:
        """The function's configuration, or None; no error (for the engine's hot path)."""
        return self._functions.get(name)

    def exists(self, name_or_arn: str) -> bool:
        return function_name_from_arn(name_or_arn) in self._functions

    async def create_function(
        self,
        *,
        name: str,
        handler: str,
        code_dir: str | Path,
        runtime: str = "python3.12",
        timeout: int = 3,
        memory_size: int = 128,
        environment: dict[str, str] | None = None,
        reserved_concurrency: int | None = None,
        maximum_retry_attempts: int = 2,
        maximum_event_age: int = 21600,
        on_success: str | None = None,
        on_failure: str | None = None,
        runtime_kind: RuntimeKind | None = None,
        replace: bool = False,
    ) -> FunctionConfig:
        """Define a function. `replace=True` updates an existing one in place."""
        if not _NAME.match(name):
            raise ValidationException(
                f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            )
        if runtime not in _PYTHON_RUNTIMES and runtime not in _PROCESS_RUNTIMES:
            raise InvalidParameterValueException(
                f"Value {runtime} at 'runtime' is not supported by eventsim yet; "
                f"supported: {', '.join(sorted(_PYTHON_RUNTIMES | _PROCESS_RUNTIMES))}"
            )
        if "." not in handler and not runtime.startswith("provided"):
            raise InvalidParameterValueException(
                f"Handler '{handler}' must be of the form module.function"
            )
        if not 1 <= timeout <= 900:
            raise InvalidParameterValueException("Timeout must be between 1 and 900 seconds.")
        if not 128 <= memory_size <= 10240:
            raise InvalidParameterValueException("MemorySize must be between 128 and 10240 MB.")
        if not 0 <= maximum_retry_attempts <= 2:
            raise InvalidParameterValueException("MaximumRetryAttempts must be between 0 and 2.")
        if not 60 <= maximum_event_age <= 21600:
            raise InvalidParameterValueException(
                "MaximumEventAgeInSeconds must be between 60 and 21600."
            )
        code_path, exists = await asyncio.to_thread(_resolve_directory, code_dir)
        if not exists:
            raise InvalidParameterValueException(f"Code directory {code_path} does not exist.")
        config = FunctionConfig(
            name=name, handler=handler, code_dir=str(code_path), arn=self.arn(name),
            runtime=runtime, timeout=timeout, memory_size=memory_size,
            environment={k: str(v) for k, v in (environment or {}).items()},
            reserved_concurrency=reserved_concurrency,
            maximum_retry_attempts=maximum_retry_attempts, maximum_event_age=maximum_event_age,
            on_success=on_success, on_failure=on_failure,
            runtime_kind=runtime_kind_for(runtime, runtime_kind or self._default_runtime),
        )
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> None:
            exists = conn.execute("SELECT 1 FROM functions WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise FunctionAlreadyExists(name)
            conn.execute(
                "INSERT OR REPLACE INTO functions (name, config, created_at) VALUES (?,?,?)",
                (name, config.to_json(), now),
            )

        await self._ctx.db.write(unit)
        self._functions[name] = config
        return config

    async def get_function(self, name: str) -> FunctionConfig:
        """The configuration of one function, by name or ARN."""
        config = self._functions.get(function_name_from_arn(name))
        if config is None:
            raise FunctionNotFound(self.arn(function_name_from_arn(name)))
        return config

    async def list_functions(self) -> list[FunctionConfig]:
        return sorted(self._functions.values(), key=lambda f: f.name)

    async def delete_function(self, name: str) -> None:
        config = await self.get_function(name)
        await self._ctx.db.write(
            lambda c: c.execute("DELETE FROM functions WHERE name = ?", (config.name,))
        )
        self._functions.pop(config.name, None)

    async def invoke(
        self,
        name: str,
        payload: Any = None,
        *,
        invocation_type: Literal["RequestResponse", "Event", "DryRun"] = "RequestResponse",
    ) -> InvocationRecord | None:
        """Invoke a function, as Lambda's Invoke does.

        `payload` is any JSON-able value, or already-encoded JSON as str/bytes. RequestResponse
        returns the finished invocation; Event queues it durably and returns None; DryRun only
        checks that the function exists.
        """
        config = await self.get_function(name)
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
        if invocation_type == "Event":
            await self.backend.enqueue(config, text, cause)
            return None
        if invocation_type != "RequestResponse":
            raise InvalidParameterValueException(f"Unknown invocation type {invocation_type}")
        return await self.backend.invoke_sync(config, text, cause)


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


def _resolve_directory(path: str | Path) -> tuple[Path, bool]:
    # File system calls: run in a thread, off the event loop.
    resolved = Path(path).resolve()
    return resolved, resolved.is_dir()
