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


class BlockingProxy:
    """Calls an object's async methods from another thread and waits for the result."""

    def __init__(self, target: Any, run: Runner) -> None:
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


class AsyncProxy:
    """Calls an object's async methods on the simulator's loop; the caller awaits them on its
    own. A plain (non-async) method is called directly, as `BlockingProxy` does."""

    def __init__(self, target: Any, arun: Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]
                 ) -> None:
        self._target = target
        self._arun = arun

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if asyncio.iscoroutine(result):
                return self._arun(result)
            return result

        return call
