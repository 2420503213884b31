"""What every group of the functions service's operations shares: the context, the functions,
versions and aliases held in memory (read at start by `load`), and the lookup of what a name,
qualifier or ARN names (`resolve`, `peek`), with the derived configurations it caches."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from typing import Any

from eventsim.services.base import ServiceContext
from eventsim.services.lambda_.aliases import Alias, choose_version
from eventsim.services.lambda_.arns import function_name_from_arn, split_ref
from eventsim.services.lambda_.backend import InvocationBackend
from eventsim.services.lambda_.errors import AliasNotFound, FunctionNotFound
from eventsim.services.lambda_.models import LATEST, FunctionConfig, RuntimeKind

__all__ = ["Catalog"]


class Catalog:
    """The simulator's context, the functions with their versions and aliases, and their
    lookup by name, qualifier or ARN."""

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

    def _latest(self, name: str) -> FunctionConfig:
        """``$LATEST`` of the function a name or ARN names (any qualifier ignored)."""
        base = function_name_from_arn(name)
        config = self._functions.get(base)
        if config is None:
            raise FunctionNotFound(self.arn(base))
        return config

    def versions(self, name: str) -> list[FunctionConfig]:
        """The published versions of a function, oldest first."""
        config = self._latest(name)
        return sorted(self._versions.get(config.name, {}).values(), key=lambda v: int(v.version))
