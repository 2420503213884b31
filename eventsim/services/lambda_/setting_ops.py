"""Settings kept per function, version or alias: asynchronous invocation settings, the
resource policy, and (per function) tags."""

from __future__ import annotations

import dataclasses
from typing import Any

from eventsim.errors import InvalidParameterValueException
from eventsim.services.lambda_.catalog import Catalog
from eventsim.services.lambda_.models import LATEST, FunctionConfig

__all__ = ["SettingOperations"]


class SettingOperations(Catalog):
    """The operations that change settings that are not a function's configuration."""

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
