"""Lambda's asynchronous invocation settings: Put/Update/Get/Delete FunctionEventInvokeConfig
and ListFunctionEventInvokeConfigs, of a function, version or alias."""

from __future__ import annotations

from typing import Any

from eventsim.errors import InvalidParameterValueException, ResourceNotFoundException
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.errors import FunctionNotFound
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.rules import destinations, name_and_qualifier
from eventsim.services.lambda_.shapes import LATEST, event_invoke_config

__all__ = ["EventInvokeConfigs"]


class EventInvokeConfigs(LambdaAPIBase):
    """Retries, maximum event age and destinations of asynchronous invocations."""

    async def put_function_event_invoke_config(
        self,
        *,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        _require_a_setting(maximum_retry_attempts, maximum_event_age_in_seconds,
                           destination_config)
        config = await self._existing(function_name, qualifier)
        on_success, on_failure = destinations(destination_config or {})
        config = await self.functions.set_event_invoke_config(
            config.name, qualifier=config.invoked_qualifier,
            maximum_retry_attempts=maximum_retry_attempts,
            maximum_event_age=maximum_event_age_in_seconds, on_success=on_success,
            on_failure=on_failure,
        )
        return event_invoke_config(config)

    async def update_function_event_invoke_config(
        self,
        *,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        _require_a_setting(maximum_retry_attempts, maximum_event_age_in_seconds,
                           destination_config)
        config = await self._existing(function_name, qualifier)
        if config.event_invoke_config_at is None:
            raise _no_event_invoke_config(config)
        on_success, on_failure = config.on_success, config.on_failure
        if destination_config is not None:
            given_success, given_failure = destinations(destination_config)
            if "OnSuccess" in destination_config:
                on_success = given_success
            if "OnFailure" in destination_config:
                on_failure = given_failure
        given = config.event_invoke_config_given
        config = await self.functions.set_event_invoke_config(
            config.name, qualifier=config.invoked_qualifier,
            maximum_retry_attempts=(
                config.maximum_retry_attempts
                if maximum_retry_attempts is None and "maximum_retry_attempts" in given
                else maximum_retry_attempts),
            maximum_event_age=(
                config.maximum_event_age
                if maximum_event_age_in_seconds is None and "maximum_event_age" in given
                else maximum_event_age_in_seconds),
            on_success=on_success, on_failure=on_failure,
        )
        return event_invoke_config(config)

    async def get_function_event_invoke_config(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        config = await self._configured(function_name, qualifier)
        return event_invoke_config(config)

    async def list_function_event_invoke_configs(
        self, *, function_name: str, marker: str | None = None, max_items: int | None = None,
    ) -> dict[str, Any]:
        config = await self._existing(function_name, None)
        qualifiers = [v.version for v in self.functions.versions(config.name)] + [
            a.name for a in self.functions.aliases(config.name)]
        qualified = [config] + [self.functions.resolve(config.name, q) for q in qualifiers]
        configs = [c for c in qualified if c.event_invoke_config_at is not None]
        return {"FunctionEventInvokeConfigs": [event_invoke_config(c) for c in configs]}

    async def delete_function_event_invoke_config(
        self, *, function_name: str, qualifier: str | None = None
    ) -> None:
        config = await self._configured(function_name, qualifier)
        await self.functions.delete_event_invoke_config(config.name, config.invoked_qualifier)

    async def _configured(self, function_name: str, qualifier: str | None) -> FunctionConfig:
        name, qualifier = name_and_qualifier(function_name, qualifier)
        try:
            config: FunctionConfig | None = self.functions.resolve(name, qualifier)
        except FunctionNotFound:
            config = None
        if config is None or config.event_invoke_config_at is None:
            arn = f"{self.functions.arn(name)}:{qualifier or LATEST}"
            raise ResourceNotFoundException(
                f"The function {arn} doesn't have an EventInvokeConfig", Type="User"
            )
        return config


def _no_event_invoke_config(config: FunctionConfig) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"The function {config.arn}:{config.invoked_qualifier or LATEST} doesn't have an "
        "EventInvokeConfig", Type="User"
    )


def _require_a_setting(*settings: Any) -> None:
    """Put and Update both refuse a request that sets nothing, with AWS's message."""
    if all(setting is None for setting in settings):
        raise InvalidParameterValueException(
            "You must specify at least one of error handling or destination setting.",
            Type="User",
        )
