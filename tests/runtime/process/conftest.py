"""Helpers for the process runtime's tests: functions over the handlers here, requests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim.runtime.base import InvokeRequest
from eventsim.runtime.invoker import lambda_environment
from eventsim.runtime.process import ProcessRuntime
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.tracing import TraceHeader, new_span_id, new_trace_id

HANDLERS = Path(__file__).parent / "handlers"

MakeFunction = Callable[..., FunctionConfig]
MakeRequest = Callable[..., InvokeRequest]


def _function(name: str = "fn", handler: str = "app.echo", code: str = "py", *,
              runtime: str = "python3.12", timeout: int = 3, memory_size: int = 128,
              env: dict[str, str] | None = None,
              reserved_concurrency: int | None = None) -> FunctionConfig:
    return FunctionConfig(
        name=name, handler=handler, code_dir=str(HANDLERS / code),
        arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        runtime=runtime, timeout=timeout, memory_size=memory_size, environment=env or {},
        reserved_concurrency=reserved_concurrency, runtime_kind="process",
    )


def _request(function: FunctionConfig, event: Any = None, *,
             client_context: dict[str, Any] | None = None) -> InvokeRequest:
    trace = TraceHeader(root=new_trace_id(time.time()), parent=new_span_id(), hop=1).format()
    env = lambda_environment(function, region="us-east-1", trace_header=trace,
                             endpoint_url="http://127.0.0.1:4566",
                             log_stream="2026/12/01/[$LATEST]" + "ab" * 16)
    return InvokeRequest(
        function=function, payload=json.dumps(event).encode(), request_id=str(uuid.uuid4()),
        trace_header=trace, environment=env,
        deadline_ms=int(time.time() * 1000) + function.timeout * 1000,
        client_context=client_context,
    )


@pytest.fixture
def make_function() -> MakeFunction:
    return _function


@pytest.fixture
def make_request() -> MakeRequest:
    return _request


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def runtime() -> AsyncIterator[ProcessRuntime]:
    """One runtime per test module: environments are shared where starting afresh proves
    nothing (each test uses its own function names where it needs fresh ones)."""
    async with ProcessRuntime() as shared:
        yield shared
