"""Lambda's tagging operations: TagResource, UntagResource and ListTags, on functions."""

from __future__ import annotations

from typing import Any

from eventsim.errors import (
    InvalidParameterValueException,
    NotImplementedOperation,
    ValidationException,
)
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.rules import check_tags

__all__ = ["Tagging"]


class Tagging(LambdaAPIBase):
    """The tags of functions, named by their unqualified ARN."""

    async def tag_resource(self, *, resource: str, tags: dict[str, str]) -> None:
        config = await self._tagged(resource)
        check_tags({**config.tags, **tags})
        await self.functions.set_tags(config.name, {**config.tags, **tags})

    async def untag_resource(self, *, resource: str, tag_keys: list[str]) -> None:
        config = await self._tagged(resource)
        await self.functions.set_tags(
            config.name, {k: v for k, v in config.tags.items() if k not in tag_keys})

    async def list_tags(self, *, resource: str) -> dict[str, Any]:
        return {"Tags": dict((await self._tagged(resource)).tags)}

    async def _tagged(self, resource: str) -> FunctionConfig:
        """The function a tagging request names: by its unqualified ARN only, as AWS takes it."""
        parts = resource.split(":")
        if not (resource.startswith("arn:") and len(parts) >= 7):
            raise ValidationException(
                f"1 validation error detected: Value '{resource}' at 'resource' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
                "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|"
                "event-source-mapping:[0-9a-fA-F-]{36})"
            )
        if parts[5] != "function":
            raise NotImplementedOperation(
                f"eventsim tags functions only, not {parts[5]} resources, yet")
        if len(parts) > 7:
            raise InvalidParameterValueException(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN.", Type="User",
            )
        return await self.functions.get_function(parts[6])
