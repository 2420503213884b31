"""What a function is: its configuration, as Lambda's API names it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

__all__ = ["LATEST", "FunctionConfig", "RuntimeKind", "runtime_kind_for"]

LATEST = "$LATEST"

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
    # The settings below (asynchronous invocation, policy, tags, how it was invoked) do not
    # change what an execution environment runs, so they take no part in comparisons: the
    # process runtime reuses an environment whose configuration compares equal.
    maximum_retry_attempts: int = field(default=2, compare=False)
    """Asynchronous invocation retries, 0-2 (AWS default 2)."""
    maximum_event_age: int = field(default=21600, compare=False)
    """Seconds an asynchronous event may wait, 60-21600 (AWS default 6 hours)."""
    on_success: str | None = field(default=None, compare=False)
    """Destination ARN for asynchronous successes."""
    on_failure: str | None = field(default=None, compare=False)
    """Destination ARN for asynchronous failures."""
    dead_letter_target: str | None = None
    runtime_kind: RuntimeKind = "inline"
    version: str = LATEST
    """``$LATEST``, or the number of a published version (``"1"``, ``"2"`` ...)."""
    role: str | None = None
    """The execution role's ARN, as given (eventsim checks no permissions)."""
    description: str = ""
    event_invoke_config_at: float | None = field(default=None, compare=False)
    """When PutFunctionEventInvokeConfig last set the four asynchronous settings above; None
    while the function has no event invoke configuration (AWS's defaults apply)."""
    tags: dict[str, str] = field(default_factory=dict, compare=False)
    policy: list[dict[str, Any]] = field(default_factory=list, compare=False)
    """The resource policy's statements of this version (or of the unqualified function, on
    ``$LATEST``), as AddPermission made them."""
    event_invoke_config_given: list[str] = field(default_factory=list, compare=False)
    """Which of ``maximum_retry_attempts`` and ``maximum_event_age`` that configuration set
    (AWS reports only those; the others keep their defaults)."""
    code_size: int | None = None
    """A published version's CodeSize, measured when it was published (None on ``$LATEST``,
    whose code can change)."""
    code_sha256: str | None = None
    """A published version's CodeSha256, likewise."""
    last_published: int = field(default=0, compare=False)
    """On ``$LATEST``: the highest version number ever published (numbers are never reused,
    even after a version is deleted)."""
    published_revision: str | None = field(default=None, compare=False)
    """On ``$LATEST``: its RevisionId when the last version was published from it, so that
    publishing again with nothing changed returns that version, as AWS does."""
    layers: list[str] = field(default_factory=list)
    """The version ARNs of the function's layers, in order."""
    layer_dirs: list[str] = field(default_factory=list)
    """Their content directories, in the same order (`eventsim.services.lambda_.layers`)."""
    recursive_loop: str = field(default="Terminate", compare=False)
    """``Terminate`` (Lambda's default): a chain of requests that has invoked functions 16
    times is stopped before it reaches this function; ``Allow``: it is not. Set on
    ``$LATEST`` and read from there for every version (PutFunctionRecursionConfig)."""
    invoked_qualifier: str | None = field(default=None, compare=False)
    """The qualifier this configuration was reached through (a version number, ``$LATEST`` or
    an alias name), None for the unqualified name: what ``invoked_function_arn`` shows. Set on
    resolved copies only, never stored."""

    @property
    def qualified_arn(self) -> str:
        """This version's ARN: ``arn:...:function:NAME:VERSION``."""
        return f"{self.arn}:{self.version}"

    @property
    def invoked_arn(self) -> str:
        """The ARN the caller named: unqualified, or with the qualifier it used."""
        if self.invoked_qualifier is None:
            return self.arn
        return f"{self.arn}:{self.invoked_qualifier}"

    @property
    def ref(self) -> str:
        """``NAME`` or ``NAME:QUALIFIER``, as the engine's queues name what to invoke."""
        if self.invoked_qualifier is None:
            return self.name
        return f"{self.name}:{self.invoked_qualifier}"

    def to_json(self) -> str:
        data = asdict(self)
        del data["invoked_qualifier"]
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FunctionConfig:
        data: dict[str, Any] = json.loads(text)
        known = _FIELDS
        return cls(**{k: v for k, v in data.items() if k in known})


_FIELDS = frozenset(f.name for f in fields(FunctionConfig))
