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
