"""Published versions (snapshots of ``$LATEST``) and the aliases that point at them."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from eventsim.errors import ResourceConflictException
from eventsim.ids import new_uuid
from eventsim.services.lambda_.aliases import Alias, check_weights
from eventsim.services.lambda_.catalog import Catalog
from eventsim.services.lambda_.errors import AliasNotFound, FunctionNotFound
from eventsim.services.lambda_.models import LATEST, FunctionConfig

__all__ = ["VersionOperations"]


class VersionOperations(Catalog):
    """The operations that publish and delete versions and create, change and delete aliases."""

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
        self._check_version(config, function_version)
        routing = check_weights(function_version, weights or {},
                                lambda v: self._check_version(config, v))
        made = Alias(function=config.name, name=alias, arn=f"{config.arn}:{alias}",
                     function_version=function_version, description=description,
                     weights=routing, revision_id=new_uuid())
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
            weights=check_weights(version, routing, lambda v: self._check_version(config, v)),
            revision_id=new_uuid())
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
