"""What a function is: its configuration, as Lambda's API names it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["FunctionConfig", "RuntimeKind", "runtime_kind_for"]

RuntimeKind = Literal["inline", "process"]


def runtime_kind_for(runtime: str, requested: RuntimeKind) -> RuntimeKind:
    """The kind of environment a function runs in: Node.js and ``provided`` runtimes only run
    in processes; Python functions run where they are told."""
    return requested if runtime.startswith("python") else "process"


@dataclass(frozen=True)
class FunctionConfig:
    """A function's configuration. Field names follow Lambda's API in snake_case."""

    name: str
    handler: str
    """``module.function`` (Python) or ``file.export`` (Node.js), relative to `code_dir`."""
    code_dir: str
    """Absolute path of the code directory (CodeUri)."""
    arn: str
    runtime: str = "python3.12"
    timeout: int = 3
    """Seconds (Lambda's default is 3)."""
    memory_size: int = 128
    """MB (Lambda's default is 128)."""
    environment: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    maximum_retry_attempts: int = 2
    """Asynchronous invocation retries, 0-2 (AWS default 2)."""
    maximum_event_age: int = 21600
    """Seconds an asynchronous event may wait, 60-21600 (AWS default 6 hours)."""
    on_success: str | None = None
    """Destination ARN for asynchronous successes."""
    on_failure: str | None = None
    """Destination ARN for asynchronous failures."""
    dead_letter_target: str | None = None
    runtime_kind: RuntimeKind = "inline"
    version: str = "$LATEST"
    role: str | None = None
    """The execution role's ARN, as given (eventsim checks no permissions)."""
    description: str = ""
    event_invoke_config_at: float | None = None
    """When PutFunctionEventInvokeConfig last set the four asynchronous settings above; None
    while the function has no event invoke configuration (AWS's defaults apply)."""
    tags: dict[str, str] = field(default_factory=dict)
    policy: list[dict[str, Any]] = field(default_factory=list)
    """The resource policy's statements, as AddPermission made them (eventsim enforces none)."""
    event_invoke_config_given: list[str] = field(default_factory=list)
    """Which of ``maximum_retry_attempts`` and ``maximum_event_age`` that configuration set
    (AWS reports only those; the others keep their defaults)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FunctionConfig:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)
