"""Functions: their configuration and how they are invoked.

Invocation itself is the engine's job; this service validates and hands the call to an
`InvocationBackend` that the simulator supplies, so that services never import the engine.
"""

from __future__ import annotations

import asyncio
import dataclasses
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
from eventsim.tracing import Cause, current_request

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
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None, client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord: ...

    async def enqueue(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None,
    ) -> str:
        """Queue an asynchronous invocation durably; return its request id."""
        ...


class LambdaService:
    """Create, read, delete and invoke functions."""

    def __init__(self, ctx: ServiceContext, *, default_runtime: RuntimeKind = "inline") -> None:
        self._ctx = ctx
        self._functions: dict[str, FunctionConfig] = {}
        self._modified: dict[str, float] = {}
        self._default_runtime = default_runtime
        self.backend: InvocationBackend | None = None

    async def load(self) -> None:
        """Read every function's configuration into memory (called at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT config, created_at FROM functions").fetchall()
        )
        self._functions = {}
        for r in rows:
            config = FunctionConfig.from_json(r["config"])
            self._functions[config.name] = config
            self._modified[config.name] = r["created_at"]

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._ctx.region}:{self._ctx.account_id}:function:{name}"

    def peek(self, name: str) -> FunctionConfig | None:
        """The function's configuration, or None; no error (for the engine's hot path)."""
        return self._functions.get(name)

    def exists(self, name_or_arn: str) -> bool:
        return function_name_from_arn(name_or_arn) in self._functions

    def last_modified(self, name: str) -> float:
        """When the function was last created or replaced (epoch seconds)."""
        return self._modified[name]

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
        role: str | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        dead_letter_target: str | None = None,
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
        config = FunctionConfig(
            name=name, handler=handler, code_dir=str(code_dir), arn=self.arn(name),
            runtime=runtime, timeout=timeout, memory_size=memory_size,
            environment={k: str(v) for k, v in (environment or {}).items()},
            reserved_concurrency=reserved_concurrency,
            maximum_retry_attempts=maximum_retry_attempts, maximum_event_age=maximum_event_age,
            on_success=on_success, on_failure=on_failure,
            runtime_kind=runtime_kind_for(runtime, runtime_kind or self._default_runtime),
            role=role, description=description, tags=dict(tags or {}),
            dead_letter_target=dead_letter_target,
        )
        _check(config)
        config = await self._with_code_dir(config, code_dir)
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
        self._modified[name] = now
        return config

    async def update_function(self, name: str, **changes: Any) -> FunctionConfig:
        """Change an existing function's configuration (`FunctionConfig` field names: handler,
        runtime, timeout, memory_size, environment, role, description, code_dir,
        reserved_concurrency, dead_letter_target); everything else stays. Its LastModified moves."""
        config = await self.get_function(name)
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")
        code_dir = changes.pop("code_dir", None)
        if "environment" in changes:
            changes["environment"] = {k: str(v) for k, v in changes["environment"].items()}
        config = dataclasses.replace(config, **changes)
        if "runtime" in changes:
            config = dataclasses.replace(
                config, runtime_kind=runtime_kind_for(config.runtime, config.runtime_kind))
        _check(config)
        if code_dir is not None:
            config = await self._with_code_dir(config, code_dir)
        now = self._ctx.clock.time()
        await self._ctx.db.write(lambda c: c.execute(
            "UPDATE functions SET config = ?, created_at = ? WHERE name = ?",
            (config.to_json(), now, config.name),
        ))
        self._functions[config.name] = config
        self._modified[config.name] = now
        return config

    @staticmethod
    async def _with_code_dir(config: FunctionConfig, code_dir: str | Path) -> FunctionConfig:
        code_path, exists = await asyncio.to_thread(_resolve_directory, code_dir)
        if not exists:
            raise InvalidParameterValueException(f"Code directory {code_path} does not exist.")
        return dataclasses.replace(config, code_dir=str(code_path))

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
        self._modified.pop(config.name, None)

    async def set_event_invoke_config(
        self,
        name: str,
        *,
        maximum_retry_attempts: int | None = None,
        maximum_event_age: int | None = None,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> FunctionConfig:
        """Set the asynchronous invocation settings (PutFunctionEventInvokeConfig: what is not
        given goes back to AWS's default, and is remembered as not given)."""
        config = await self.get_function(name)
        given = [setting for setting, value in (("maximum_retry_attempts", maximum_retry_attempts),
                                                ("maximum_event_age", maximum_event_age))
                 if value is not None]
        retries = 2 if maximum_retry_attempts is None else maximum_retry_attempts
        age = 21600 if maximum_event_age is None else maximum_event_age
        if not 0 <= retries <= 2:
            raise InvalidParameterValueException("MaximumRetryAttempts must be between 0 and 2.")
        if not 60 <= age <= 21600:
            raise InvalidParameterValueException(
                "MaximumEventAgeInSeconds must be between 60 and 21600."
            )
        return await self._store(dataclasses.replace(
            config, maximum_retry_attempts=retries, maximum_event_age=age,
            on_success=on_success, on_failure=on_failure,
            event_invoke_config_at=self._ctx.clock.time(), event_invoke_config_given=given,
        ))

    async def delete_event_invoke_config(self, name: str) -> FunctionConfig:
        """Back to AWS's asynchronous defaults: 2 retries, 6 hours, no destinations."""
        config = await self.get_function(name)
        return await self._store(dataclasses.replace(
            config, maximum_retry_attempts=2, maximum_event_age=21600, on_success=None,
            on_failure=None, event_invoke_config_at=None, event_invoke_config_given=[],
        ))

    async def set_tags(self, name: str, tags: dict[str, str]) -> FunctionConfig:
        """Replace a function's tags (its LastModified stays: tags are no configuration)."""
        config = await self.get_function(name)
        return await self._store(dataclasses.replace(config, tags=dict(tags)))

    async def set_policy(self, name: str, statements: list[dict[str, Any]]) -> FunctionConfig:
        """Replace a function's resource policy statements (LastModified stays)."""
        config = await self.get_function(name)
        return await self._store(dataclasses.replace(config, policy=list(statements)))

    async def _store(self, config: FunctionConfig) -> FunctionConfig:
        """Keep a changed configuration; its code and LastModified stay as they were."""
        await self._ctx.db.write(lambda c: c.execute(
            "UPDATE functions SET config = ? WHERE name = ?", (config.to_json(), config.name)
        ))
        self._functions[config.name] = config
        return config

    async def invoke(
        self,
        name: str,
        payload: Any = None,
        *,
        invocation_type: Literal["RequestResponse", "Event", "DryRun"] = "RequestResponse",
        client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord | None:
        """Invoke a function, as Lambda's Invoke does.

        `payload` is any JSON-able value, or already-encoded JSON as str/bytes. RequestResponse
        returns the finished invocation; Event queues it durably and returns None; DryRun only
        checks that the function exists. `client_context` reaches the handler as
        ``context.client_context`` (synchronous invocations only, as on AWS).
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


_UPDATABLE = frozenset({"handler", "runtime", "timeout", "memory_size", "environment", "role",
                        "description", "code_dir", "reserved_concurrency",
                        "dead_letter_target"})


def _check(config: FunctionConfig) -> None:
    """The rules every configuration keeps, on creation and on every update."""
    runtime, handler = config.runtime, config.handler
    if runtime not in _PYTHON_RUNTIMES and runtime not in _PROCESS_RUNTIMES:
        raise InvalidParameterValueException(
            f"Value {runtime} at 'runtime' is not supported by eventsim yet; "
            f"supported: {', '.join(sorted(_PYTHON_RUNTIMES | _PROCESS_RUNTIMES))}"
        )
    if "." not in handler and not runtime.startswith("provided"):
        raise InvalidParameterValueException(
            f"Handler '{handler}' must be of the form module.function"
        )
    for member, value, low, high in (("timeout", config.timeout, 1, 900),
                                     ("memorySize", config.memory_size, 128, 10240)):
        if not low <= value <= high:
            bound = (f"greater than or equal to {low}" if value < low
                     else f"less than or equal to {high}")
            raise ValidationException(
                f"1 validation error detected: Value '{value}' at '{member}' failed to "
                f"satisfy constraint: Member must have value {bound}"
            )
    if not 0 <= config.maximum_retry_attempts <= 2:
        raise InvalidParameterValueException("MaximumRetryAttempts must be between 0 and 2.")
    if not 60 <= config.maximum_event_age <= 21600:
        raise InvalidParameterValueException(
            "MaximumEventAgeInSeconds must be between 60 and 21600."
        )


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
