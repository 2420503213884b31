"""Calling a simulator's async service methods from code that runs on another thread or loop.

`BlockingProxy` serves plain ``def test_...`` code: each call waits for its result.
`AsyncProxy` serves ``async def`` tests: each call returns an awaitable, so the test's own loop
keeps turning while the simulator's loop does the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["AsyncProxy", "BlockingProxy"]

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


class _Proxy:
    """Calls an object's methods; a coroutine one returns is handed to `run`."""

    def __init__(self, target: Any, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if asyncio.iscoroutine(result):
                return self._run(result)
            return result

        return call


class BlockingProxy(_Proxy):
    """Calls an object's async methods from another thread and waits for the result."""

    def __init__(self, target: Any, run: Runner) -> None:
        super().__init__(target, run)


class AsyncProxy(_Proxy):
    """Calls an object's async methods on the simulator's loop; the caller awaits them on its
    own. A plain (non-async) method is called directly, as `BlockingProxy` does."""

    def __init__(self, target: Any, arun: Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]
                 ) -> None:
        super().__init__(target, arun)


class ServiceHandles:
    """The simulator's services through a facade's proxy (blocking or awaitable): the one
    list of handles both test facades offer. A facade provides `sim` and `_proxy`."""

    sim: Any

    def _proxy(self, target: Any) -> Any:
        raise NotImplementedError

    @property
    def s3(self) -> Any:
        """`Simulator.s3` through this facade."""
        return self._proxy(self.sim.s3)

    @property
    def sqs(self) -> Any:
        """`Simulator.sqs` through this facade."""
        return self._proxy(self.sim.sqs)

    @property
    def sns(self) -> Any:
        """`Simulator.sns` through this facade."""
        return self._proxy(self.sim.sns)

    @property
    def kinesis(self) -> Any:
        """`Simulator.kinesis` through this facade."""
        return self._proxy(self.sim.kinesis)

    @property
    def dynamodb(self) -> Any:
        """`Simulator.dynamodb` through this facade."""
        return self._proxy(self.sim.dynamodb)

    @property
    def dynamodbstreams(self) -> Any:
        """`Simulator.dynamodbstreams` through this facade."""
        return self._proxy(self.sim.dynamodbstreams)

    @property
    def functions(self) -> Any:
        """`Simulator.functions` through this facade."""
        return self._proxy(self.sim.functions)

    @property
    def mappings(self) -> Any:
        """`Simulator.mappings` (event source mappings) through this facade."""
        return self._proxy(self.sim.mappings)

    @property
    def invocations(self) -> Any:
        """`Simulator.invocations` through this facade."""
        return self._proxy(self.sim.invocations)
