"""Functions: their configuration, published versions and aliases, and how they are invoked.

Invocation itself is the engine's job; this service validates and hands the call to an
`InvocationBackend` that the simulator supplies, so that services never import the engine.

What to run is named the ways Lambda accepts: ``NAME`` (``$LATEST``, unqualified), ``NAME:7``
(a published version), ``NAME:$LATEST``, ``NAME:ALIAS``, or any of those as an ARN. `resolve`
reads a configuration for it; `peek` picks what one invocation runs (through an alias with
weighted routing, a draw from `routing`, which tests may seed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any, Literal, Protocol

from eventsim.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ValidationException,
)
from eventsim.ids import new_uuid
from eventsim.services.base import ServiceContext
from eventsim.services.lambda_.aliases import Alias, choose_version
from eventsim.services.lambda_.arns import function_name_from_arn, split_ref
from eventsim.services.lambda_.errors import (
    AliasNotFound,
    FunctionAlreadyExists,
    FunctionNotFound,
    InvalidRequestContentException,
    RequestTooLargeException,
)
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.services.lambda_.models import (
    LATEST,
    FunctionConfig,
    RuntimeKind,
    runtime_kind_for,
)
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
        self._versions: dict[str, dict[str, FunctionConfig]] = {}
        self._version_times: dict[tuple[str, str], float] = {}
        self._aliases: dict[str, dict[str, Alias]] = {}
        self._alias_times: dict[tuple[str, str], float] = {}
        self._derived: dict[tuple[str, str, str], tuple[
            FunctionConfig, Alias | None, FunctionConfig, FunctionConfig]] = {}
        self._default_runtime = default_runtime
        self.backend: InvocationBackend | None = None
        self.routing = random.Random()
        """The draws of weighted alias routing; seed it (``sim.functions.routing.seed(7)``)
        or replace it for a deterministic run."""

    async def load(self) -> None:
        """Read every function's configuration, versions and aliases (called at start)."""

        def read(c: sqlite3.Connection) -> tuple[list[sqlite3.Row], ...]:
            return (
                c.execute("SELECT config, created_at FROM functions").fetchall(),
                c.execute("SELECT name, version, config, created_at FROM function_versions "
                          "ORDER BY name, version").fetchall(),
                c.execute("SELECT name, alias, config, modified_at FROM function_aliases "
                          "ORDER BY name, alias").fetchall(),
            )

        functions, versions, aliases = await self._ctx.db.read(read)
        self._functions, self._versions, self._aliases = {}, {}, {}
        for r in functions:
            config = FunctionConfig.from_json(r["config"])
            self._functions[config.name] = config
            self._modified[config.name] = r["created_at"]
        for r in versions:
            version = FunctionConfig.from_json(r["config"])
            self._versions.setdefault(r["name"], {})[version.version] = version
            self._version_times[(r["name"], version.version)] = r["created_at"]
        for r in aliases:
            alias = Alias.from_json(r["config"])
            self._aliases.setdefault(r["name"], {})[alias.name] = alias
            self._alias_times[(r["name"], alias.name)] = r["modified_at"]

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._ctx.region}:{self._ctx.account_id}:function:{name}"

    def peek(self, ref: str) -> FunctionConfig | None:
        """What one invocation of ``NAME[:QUALIFIER]`` (or its ARN) runs, or None if that does
        not exist; no error (for the engine's hot path). Through an alias with weighted
        routing, each call draws the version."""
        config = self._functions.get(ref)
        if config is not None:
            return config
        try:
            return self._resolve(ref, None, route=True)
        except (FunctionNotFound, AliasNotFound):
            return None

    def exists(self, name_or_arn: str) -> bool:
        """Whether a function (and the version or alias its qualifier names) exists."""
        try:
            self._resolve(name_or_arn, None, route=False)
        except (FunctionNotFound, AliasNotFound):
            return False
        return True

    def resolve(self, name_or_arn: str, qualifier: str | None = None) -> FunctionConfig:
        """The configuration that a name, qualifier or ARN names: ``$LATEST``, a version, or
        the version an alias points to (no routing draw). The copy says how it was named
        (`FunctionConfig.invoked_qualifier`). Raises `FunctionNotFound` with the qualified
        ARN, as AWS does."""
        return self._resolve(name_or_arn, qualifier, route=False)

    def last_modified(self, name: str | FunctionConfig) -> float:
        """When the function (or the version a configuration is of) was last created, replaced
        or published (epoch seconds)."""
        if isinstance(name, FunctionConfig):
            if name.version != LATEST:
                return self._version_times[(name.name, name.version)]
            name = name.name
        return self._modified[name]

    def _resolve(self, name_or_arn: str, qualifier: str | None, *, route: bool) -> FunctionConfig:
        name, derived = split_ref(name_or_arn)
        if qualifier is None:
            qualifier = derived
        latest = self._functions.get(name)
        if latest is None:
            raise FunctionNotFound(self.arn(name) if qualifier is None
                                   else f"{self.arn(name)}:{qualifier}")
        if qualifier is None:
            return latest
        if qualifier == LATEST:
            return self._derive(latest, latest, LATEST, None)
        if qualifier.isdigit():
            version = self._versions.get(name, {}).get(qualifier)
            if version is None:
                raise FunctionNotFound(f"{latest.arn}:{qualifier}")
            return self._derive(latest, version, qualifier, None)
        alias = self._aliases.get(name, {}).get(qualifier)
        if alias is None:
            raise FunctionNotFound(f"{latest.arn}:{qualifier}")
        chosen = choose_version(alias, self.routing) if route else alias.function_version
        base = latest if chosen == LATEST else self._versions.get(name, {}).get(chosen)
        if base is None:  # a version cannot be deleted while an alias names it
            raise FunctionNotFound(f"{latest.arn}:{chosen}")
        return self._derive(latest, base, alias.name, alias)

    def _derive(self, latest: FunctionConfig, base: FunctionConfig, qualifier: str,
                alias: Alias | None) -> FunctionConfig:
        """`base` as reached through `qualifier`: reserved concurrency is the function's (it
        is set on the function, not on versions); through an alias, the alias's asynchronous
        settings and policy. Cached, so that the engine sees one object per combination."""
        key = (base.name, qualifier, base.version)
        cached = self._derived.get(key)
        if cached is not None and cached[0] is latest and cached[1] is alias \
                and cached[2] is base:
            return cached[3]
        changes: dict[str, Any] = {"invoked_qualifier": qualifier,
                                   "reserved_concurrency": latest.reserved_concurrency}
        if alias is not None:
            changes.update(
                policy=alias.policy, maximum_retry_attempts=alias.maximum_retry_attempts,
                maximum_event_age=alias.maximum_event_age, on_success=alias.on_success,
                on_failure=alias.on_failure, event_invoke_config_at=alias.event_invoke_config_at,
                event_invoke_config_given=alias.event_invoke_config_given,
            )
        derived = dataclasses.replace(base, **changes)
        self._derived[key] = (latest, alias, base, derived)
        return derived

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
        """The configuration of one function, by name or ARN, with or without a qualifier
        (see `resolve`)."""
        return self._resolve(name, None, route=False)

    def _latest(self, name: str) -> FunctionConfig:
        """``$LATEST`` of the function a name or ARN names (any qualifier ignored)."""
        base = function_name_from_arn(name)
        config = self._functions.get(base)
        if config is None:
            raise FunctionNotFound(self.arn(base))
        return config

    async def list_functions(self) -> list[FunctionConfig]:
        return sorted(self._functions.values(), key=lambda f: f.name)

    def versions(self, name: str) -> list[FunctionConfig]:
        """The published versions of a function, oldest first."""
        config = self._latest(name)
        return sorted(self._versions.get(config.name, {}).values(), key=lambda v: int(v.version))

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

    # -- versions -------------------------------------------------------------------------

    async def publish_version(
        self, name: str, *, code_dir: str | Path, code_size: int, code_sha256: str,
        description: str | None = None, published_revision: str | None = None,
    ) -> FunctionConfig:
        """Publish ``$LATEST`` as the next version, on a snapshot of its code (`code_dir`,
        which the caller made and now belongs to the version) with its CodeSize and
        CodeSha256. `published_revision` says what ``$LATEST`` holds now, remembered so that
        the caller can tell when nothing changed since."""
        latest = self._latest(name)
        number = latest.last_published + 1
        version = dataclasses.replace(
            latest, version=str(number), code_dir=str(code_dir), code_size=code_size,
            code_sha256=code_sha256,
            description=latest.description if description is None else description,
            # A new version has its own (empty) policy and no asynchronous configuration.
            policy=[], tags={}, maximum_retry_attempts=2, maximum_event_age=21600,
            on_success=None, on_failure=None, event_invoke_config_at=None,
            event_invoke_config_given=[], last_published=0, published_revision=None,
            invoked_qualifier=None,
        )
        updated = dataclasses.replace(latest, last_published=number,
                                      published_revision=published_revision)
        now = self._ctx.clock.time()

        def unit(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO function_versions (name, version, config, created_at) "
                      "VALUES (?,?,?,?)", (latest.name, number, version.to_json(), now))
            c.execute("UPDATE functions SET config = ? WHERE name = ?",
                      (updated.to_json(), latest.name))

        await self._ctx.db.write(unit)
        self._functions[latest.name] = updated
        self._versions.setdefault(latest.name, {})[version.version] = version
        self._version_times[(latest.name, version.version)] = now
        return self._derive(updated, version, version.version, None)

    async def delete_version(self, name: str, version: str) -> FunctionConfig:
        """Delete one published version (not one an alias names); returns it, so that the
        caller may remove its code directory."""
        latest = self._latest(name)
        found = self._versions.get(latest.name, {}).get(version)
        if found is None:
            raise FunctionNotFound(f"{latest.arn}:{version}")
        users = sorted(a.name for a in self._aliases.get(latest.name, {}).values()
                       if version in a.versions())
        if users:
            raise ResourceConflictException(
                "Unable to delete version because the following aliases reference it: "
                f"[{', '.join(users)}]", Type="User")
        await self._ctx.db.write(lambda c: c.execute(
            "DELETE FROM function_versions WHERE name = ? AND version = ?",
            (latest.name, int(version))))
        del self._versions[latest.name][version]
        self._version_times.pop((latest.name, version), None)
        return found

    # -- aliases --------------------------------------------------------------------------

    def aliases(self, name: str) -> list[Alias]:
        """A function's aliases, by name."""
        config = self._latest(name)
        return sorted(self._aliases.get(config.name, {}).values(), key=lambda a: a.name)

    def get_alias(self, name: str, alias: str) -> Alias:
        config = self._latest(name)
        found = self._aliases.get(config.name, {}).get(alias)
        if found is None:
            raise AliasNotFound(f"{config.arn}:{alias}")
        return found

    def alias_modified(self, alias: Alias) -> float:
        return self._alias_times[(alias.function, alias.name)]

    async def create_alias(
        self, name: str, alias: str, *, function_version: str, description: str = "",
        weights: dict[str, float] | None = None,
    ) -> Alias:
        """CreateAlias: `function_version` and every weighted version must exist."""
        config = self._latest(name)
        if alias in self._aliases.get(config.name, {}):
            raise ResourceConflictException(
                f"Alias already exists: {config.arn}:{alias}", Type="User")
        made = Alias(function=config.name, name=alias, arn=f"{config.arn}:{alias}",
                     function_version=function_version, description=description,
                     weights=self._check_weights(config, function_version, weights or {}),
                     revision_id=new_uuid())
        self._check_version(config, function_version)
        await self._put_alias(made)
        return made

    async def update_alias(
        self, name: str, alias: str, *, function_version: str | None = None,
        description: str | None = None, weights: dict[str, float] | None = None,
    ) -> Alias:
        """UpdateAlias: what is given changes (``weights={}`` removes the routing)."""
        current = self.get_alias(name, alias)
        config = self._latest(name)
        version = current.function_version if function_version is None else function_version
        self._check_version(config, version)
        routing = current.weights if weights is None else weights
        updated = dataclasses.replace(
            current, function_version=version,
            description=current.description if description is None else description,
            weights=self._check_weights(config, version, routing), revision_id=new_uuid())
        await self._put_alias(updated)
        return updated

    async def delete_alias(self, name: str, alias: str) -> None:
        found = self.get_alias(name, alias)
        await self._ctx.db.write(lambda c: c.execute(
            "DELETE FROM function_aliases WHERE name = ? AND alias = ?",
            (found.function, found.name)))
        del self._aliases[found.function][found.name]
        self._alias_times.pop((found.function, found.name), None)

    async def _put_alias(self, alias: Alias) -> None:
        now = self._ctx.clock.time()
        await self._ctx.db.write(lambda c: c.execute(
            "INSERT OR REPLACE INTO function_aliases (name, alias, config, modified_at) "
            "VALUES (?,?,?,?)", (alias.function, alias.name, alias.to_json(), now)))
        self._aliases.setdefault(alias.function, {})[alias.name] = alias
        self._alias_times[(alias.function, alias.name)] = now

    def _check_version(self, config: FunctionConfig, version: str) -> None:
        if version != LATEST and version not in self._versions.get(config.name, {}):
            raise FunctionNotFound(f"{config.arn}:{version}")

    def _check_weights(self, config: FunctionConfig, version: str,
                       weights: dict[str, float]) -> dict[str, float]:
        """AdditionalVersionWeights as AWS validates them (one version, weight in [0, 1))."""
        if len(weights) > 1:
            raise InvalidParameterValueException(
                "Number of items in AdditionalVersionWeights cannot be greater than 1",
                Type="User")
        checked: dict[str, float] = {}
        for key, value in weights.items():
            weight = float(value)
            if not 0.0 <= weight < 1.0:
                raise ValidationException(
                    f"1 validation error detected: Value '{{{key}={value}}}' at "
                    "'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
                    "Map value must satisfy constraint: [Member must have value less than or "
                    "equal to 1.0, Member must have value greater than or equal to 0.0, Member "
                    "must not be null]")
            if key == version:
                raise InvalidParameterValueException(
                    f"Invalid function version {version}. Function version {version} is "
                    "already included in routing configuration.", Type="User")
            if version == LATEST:
                raise InvalidParameterValueException(
                    "$LATEST is not supported for an alias pointing to more than 1 version")
            if not key.isdigit():
                raise ValidationException(
                    f"1 validation error detected: Value '{{{key}={value}}}' at "
                    "'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
                    "Map keys must satisfy constraint: [Member must have length less than or "
                    "equal to 1024, Member must have length greater than or equal to 1, Member "
                    "must satisfy regular expression pattern: [0-9]+, Member must not be null]")
            self._check_version(config, key)
            checked[key] = weight
        return checked

    async def set_event_invoke_config(
        self,
        name: str,
        *,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age: int | None = None,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> FunctionConfig:
        """Set the asynchronous invocation settings of the function, or of one version or
        alias (PutFunctionEventInvokeConfig: what is not given goes back to AWS's default, and
        is remembered as not given)."""
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
        return await self._set_qualified(
            name, qualifier, maximum_retry_attempts=retries, maximum_event_age=age,
            on_success=on_success, on_failure=on_failure,
            event_invoke_config_at=self._ctx.clock.time(), event_invoke_config_given=given,
        )

    async def delete_event_invoke_config(
        self, name: str, qualifier: str | None = None
    ) -> FunctionConfig:
        """Back to AWS's asynchronous defaults: 2 retries, 6 hours, no destinations."""
        return await self._set_qualified(
            name, qualifier, maximum_retry_attempts=2, maximum_event_age=21600,
            on_success=None, on_failure=None, event_invoke_config_at=None,
            event_invoke_config_given=[],
        )

    async def set_tags(self, name: str, tags: dict[str, str]) -> FunctionConfig:
        """Replace a function's tags (its LastModified stays: tags are no configuration)."""
        config = self._latest(name)
        return await self._store(dataclasses.replace(config, tags=dict(tags)))

    async def set_policy(
        self, name: str, statements: list[dict[str, Any]], qualifier: str | None = None
    ) -> FunctionConfig:
        """Replace the resource policy statements of the function (unqualified and
        ``$LATEST`` share one), or of one version or alias (LastModified stays)."""
        return await self._set_qualified(name, qualifier, policy=list(statements))

    async def _set_qualified(
        self, name: str, qualifier: str | None, **changes: Any
    ) -> FunctionConfig:
        """Change settings that belong to a qualifier (policy, asynchronous settings) on
        ``$LATEST``, a version or an alias; the resolved configuration afterwards."""
        config = self._resolve(name, qualifier, route=False)
        qualifier = config.invoked_qualifier
        if qualifier is None or qualifier == LATEST:
            await self._store(dataclasses.replace(self._functions[config.name], **changes))
        elif qualifier.isdigit():
            version = dataclasses.replace(self._versions[config.name][qualifier], **changes)
            await self._ctx.db.write(lambda c: c.execute(
                "UPDATE function_versions SET config = ? WHERE name = ? AND version = ?",
                (version.to_json(), version.name, int(version.version))))
            self._versions[config.name][qualifier] = version
        else:
            alias = self._aliases[config.name][qualifier]
            updated = dataclasses.replace(alias, **changes)
            await self._ctx.db.write(lambda c: c.execute(
                "UPDATE function_aliases SET config = ? WHERE name = ? AND alias = ?",
                (updated.to_json(), updated.function, updated.name)))
            self._aliases[config.name][qualifier] = updated
        return self._resolve(config.name, qualifier, route=False)

    async def _store(self, config: FunctionConfig) -> FunctionConfig:
        """Keep a changed ``$LATEST``; its code and LastModified stay as they were."""
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
