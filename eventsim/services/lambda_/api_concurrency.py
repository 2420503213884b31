"""Lambda's concurrency operations (Put/Get/DeleteFunctionConcurrency) and GetAccountSettings,
against AWS's default account quotas."""

from __future__ import annotations

from typing import Any

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.lambda_.api_base import LambdaAPIBase

__all__ = ["ConcurrencySettings"]

# AWS's default quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
_TOTAL_CODE_SIZE = 80 * 1024**3
_CODE_SIZE_UNZIPPED = 250 * 1024**2
_CODE_SIZE_ZIPPED = 50 * 1024**2
_CONCURRENT_EXECUTIONS = 1000
_MIN_UNRESERVED = 100


class ConcurrencySettings(LambdaAPIBase):
    """Reserved concurrency of functions, and the account's limits and usage."""

    async def put_function_concurrency(
        self, *, function_name: str, reserved_concurrent_executions: int
    ) -> dict[str, Any]:
        config = await self._latest(function_name)
        others = sum(f.reserved_concurrency or 0 for f in await self.functions.list_functions()
                     if f.name != config.name)
        if reserved_concurrent_executions < 0:
            raise ValidationException(
                f"1 validation error detected: Value '{reserved_concurrent_executions}' at "
                "'reservedConcurrentExecutions' failed to satisfy constraint: Member must have "
                "value greater than or equal to 0"
            )
        if _CONCURRENT_EXECUTIONS - others - reserved_concurrent_executions < _MIN_UNRESERVED:
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{_MIN_UNRESERVED}].",
                Type="User",
            )
        await self.functions.update_function(
            config.name, reserved_concurrency=reserved_concurrent_executions)
        return {"ReservedConcurrentExecutions": reserved_concurrent_executions}

    async def get_function_concurrency(self, *, function_name: str) -> dict[str, Any]:
        config = await self._latest(function_name)
        return {"ReservedConcurrentExecutions": config.reserved_concurrency}

    async def delete_function_concurrency(self, *, function_name: str) -> None:
        config = await self._latest(function_name)
        await self.functions.update_function(config.name, reserved_concurrency=None)

    async def get_account_settings(self) -> dict[str, Any]:
        functions = await self.functions.list_functions()
        sizes = [(await self._code_facts(config))[0] for config in functions]
        reserved = sum(f.reserved_concurrency or 0 for f in functions)
        return {
            "AccountLimit": {
                "TotalCodeSize": _TOTAL_CODE_SIZE,
                "CodeSizeUnzipped": _CODE_SIZE_UNZIPPED,
                "CodeSizeZipped": _CODE_SIZE_ZIPPED,
                "ConcurrentExecutions": _CONCURRENT_EXECUTIONS,
                "UnreservedConcurrentExecutions": _CONCURRENT_EXECUTIONS - reserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(sizes), "FunctionCount": len(functions)},
        }
