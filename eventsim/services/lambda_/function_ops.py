"""Function definitions: create (or replace), update, read, list and delete functions."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.lambda_.catalog import Catalog
from eventsim.services.lambda_.errors import FunctionAlreadyExists
from eventsim.services.lambda_.models import FunctionConfig, RuntimeKind, runtime_kind_for
from eventsim.services.lambda_.rules import check_configuration

__all__ = ["FunctionOperations"]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class FunctionOperations(Catalog):
    """The operations that define, change, read and delete functions (their ``$LATEST``)."""

    layer_dirs: Callable[[list[str]], list[str]]
    """`LayerOperations.layer_dirs`: where a function's layers are, checked."""

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
        recursive_loop: str = "Terminate",
        layers: list[str] | None = None,
        replace: bool = False,
    ) -> FunctionConfig:
        """Define a function. `replace=True` updates an existing one in place. `layers`: the
        version ARNs of its layers (`publish_layer_version`), in order."""
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
            dead_letter_target=dead_letter_target, recursive_loop=recursive_loop,
            layers=list(layers or []), layer_dirs=self.layer_dirs(list(layers or [])),
        )
        check_configuration(config)
        config = await self._with_code_dir(config, code_dir)
        now = self._ctx.clock.time()

        previous = self._functions.get(name)
        if replace and previous is not None:
            # Version numbers are never reused, even by a function defined anew.
            config = dataclasses.replace(config, last_published=previous.last_published)

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
        config = self._latest(name)
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")
        code_dir = changes.pop("code_dir", None)
        if "layers" in changes:
            changes["layers"] = list(changes["layers"] or [])
            changes["layer_dirs"] = self.layer_dirs(changes["layers"])
        if "environment" in changes:
            changes["environment"] = {k: str(v) for k, v in changes["environment"].items()}
        config = dataclasses.replace(config, **changes)
        if "runtime" in changes:
            config = dataclasses.replace(
                config, runtime_kind=runtime_kind_for(config.runtime, config.runtime_kind))
        check_configuration(config)
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
        """The configuration of one function, by name or ARN, with or without a qualifier
        (see `resolve`)."""
        return self._resolve(name, None, route=False)

    def allows_recursion(self, name: str) -> bool:
        """Whether a chain of requests that has looped 16 times may still invoke the function
        (its RecursiveLoop is ``Allow``); a function that is gone allows nothing."""
        latest = self._functions.get(name)
        return latest is not None and latest.recursive_loop == "Allow"

    async def list_functions(self) -> list[FunctionConfig]:
        return sorted(self._functions.values(), key=lambda f: f.name)

    async def delete_function(self, name: str) -> list[FunctionConfig]:
        """Delete a function with all its versions and aliases; returns the versions (whose
        code directories the caller may remove)."""
        config = self._latest(name)
        versions = self.versions(config.name)

        def unit(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM functions WHERE name = ?", (config.name,))
            c.execute("DELETE FROM function_versions WHERE name = ?", (config.name,))
            c.execute("DELETE FROM function_aliases WHERE name = ?", (config.name,))

        await self._ctx.db.write(unit)
        self._functions.pop(config.name, None)
        self._modified.pop(config.name, None)
        for version in self._versions.pop(config.name, {}):
            self._version_times.pop((config.name, version), None)
        for alias in self._aliases.pop(config.name, {}):
            self._alias_times.pop((config.name, alias), None)
        self._derived = {k: v for k, v in self._derived.items() if k[0] != config.name}
        return versions


_UPDATABLE = frozenset({"handler", "runtime", "timeout", "memory_size", "environment", "role",
                        "description", "code_dir", "reserved_concurrency",
                        "dead_letter_target", "recursive_loop", "layers"})


def _resolve_directory(path: str | Path) -> tuple[Path, bool]:
    # File system calls: run in a thread, off the event loop.
    resolved = Path(path).resolve()
    return resolved, resolved.is_dir()
