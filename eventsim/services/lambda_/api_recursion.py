"""Lambda's recursive loop detection settings: Get/PutFunctionRecursionConfig."""

from __future__ import annotations

from typing import Any

from eventsim.services.lambda_.api_base import LambdaAPIBase

__all__ = ["RecursionSettings"]


class RecursionSettings(LambdaAPIBase):
    """Whether a function may be invoked by a chain of requests that has looped 16 times: a
    setting of the whole function (named unqualified), as on AWS."""

    async def get_function_recursion_config(self, *, function_name: str) -> dict[str, Any]:
        config = await self._latest(function_name)
        return {"RecursiveLoop": config.recursive_loop}

    async def put_function_recursion_config(
        self, *, function_name: str, recursive_loop: str
    ) -> dict[str, Any]:
        config = await self._latest(function_name)
        await self.functions.update_function(config.name, recursive_loop=recursive_loop)
        return {"RecursiveLoop": recursive_loop}
