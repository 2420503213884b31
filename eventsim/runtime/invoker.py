"""Running one invocation: its environment, trace header, runtime, and record."""

from __future__ import annotations

import math
import os
import resource
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from eventsim.clock import Clock
from eventsim.ids import new_uuid
from eventsim.runtime.base import Cancel, InvokeRequest, InvokeResult, Runtime, run_to_end
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.services.lambda_.models import FunctionConfig, RuntimeKind
from eventsim.tracing import Cause, format_trace_header, new_span_id

__all__ = ["MAX_RESPONSE_PAYLOAD", "Invoker", "lambda_environment"]

MAX_RESPONSE_PAYLOAD = 6291556
"""The largest answer a handler may give, in bytes (AWS's figure, a little over 6 MiB)."""

# Credentials boto3 inside a handler signs with; eventsim does not check signatures.
_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_SESSION_TOKEN": "test",
}


def lambda_environment(
    function: FunctionConfig,
    *,
    region: str,
    trace_header: str,
    endpoint_url: str | None,
    log_stream: str,
    access_key_id: str = "test",
) -> dict[str, str]:
    """The environment Lambda gives a handler, with the function's own variables.

    Reserved variables (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)
    win over the function's, as on AWS; AWS_ENDPOINT_URL is the user's to override.
    """
    env: dict[str, str] = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        # Keep the developer's ~/.aws profiles out of handlers, as Lambda has none.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        **_CREDENTIALS,
        # A server with an access token takes it as the access key id (console.safety).
        "AWS_ACCESS_KEY_ID": access_key_id,
    }
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    env.update(function.environment)
    env.update({
        "_HANDLER": function.handler,
        "_X_AMZN_TRACE_ID": trace_header,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "LAMBDA_TASK_ROOT": function.code_dir,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "EVENTSIM": "true",
    })
    return env


def _with_platform_lines(function: FunctionConfig, request_id: str, result: InvokeResult) -> str:
    """Frame a handler's output with the START, END and REPORT lines Lambda writes."""
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {result.duration_ms:.2f} ms\t"
        f"Billed Duration: {math.ceil(result.duration_ms)} ms\t"
        f"Memory Size: {function.memory_size} MB\t"
        f"Max Memory Used: {result.extra.get('max_memory_used_mb') or _peak_memory_mb()} MB"
    )
    if result.init_duration_ms is not None:
        report += f"\tInit Duration: {result.init_duration_ms:.2f} ms"
    body = result.logs if not result.logs or result.logs.endswith("\n") else result.logs + "\n"
    return (
        f"START RequestId: {request_id} Version: {function.version}\n"
        f"{body}END RequestId: {request_id}\n{report}\n"
    )


_peak = [0.0, 0]


def _peak_memory_mb() -> int:
    # An inline handler shares the simulator's process: its peak is the process's peak.
    # Process environments measure their own (InvokeResult.extra["max_memory_used_mb"]).
    # getrusage is a system call, so at most one every 50 ms (a peak moves slowly).
    now = time.monotonic()
    if now - _peak[0] > 0.05:
        _peak[0] = now
        _peak[1] = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return int(_peak[1])


_date_cache: list[Any] = [None, ""]


def _log_stream_date(epoch: float) -> str:
    """``YYYY/MM/DD`` of a log stream name, formatted once a day rather than per invocation."""
    day = int(epoch // 86400)
    if _date_cache[0] != day:
        _date_cache[0], _date_cache[1] = day, time.strftime("%Y/%m/%d", time.gmtime(epoch))
    return str(_date_cache[1])


class _Recorder:
    """Turns a runtime's result into the invocation's record (one object per invocation
    rather than a closure and its cells: the engine makes thousands a second)."""

    __slots__ = ("attempt", "cause", "environment", "function", "invocation_type", "on_record",
                 "payload", "request_id", "span", "started")

    def __init__(
        self, function: FunctionConfig, payload: str, cause: Cause, request_id: str, span: str,
        invocation_type: str, attempt: int, started: float,
        on_record: Callable[[InvocationRecord | BaseException], None],
        environment: dict[str, str],
    ) -> None:
        self.function = function
        self.payload = payload
        self.cause = cause
        self.request_id = request_id
        self.span = span
        self.invocation_type = invocation_type
        self.attempt = attempt
        self.started = started
        self.on_record = on_record
        self.environment = environment
        """The invocation's environment, in which the runtime that ran it has set
        AWS_LAMBDA_LOG_STREAM_NAME to its execution environment's stream."""

    def __call__(self, result: InvokeResult | BaseException) -> None:
        if isinstance(result, BaseException):
            self.on_record(result)
            return
        function, cause = self.function, self.cause
        if (result.status == "Success" and result.payload is not None
                and len(result.payload) > MAX_RESPONSE_PAYLOAD):
            # Lambda turns an oversized answer into a function error (reference §4.1).
            result.status = "Error"
            result.error = {
                "errorMessage": "Response payload size exceeded maximum allowed payload size "
                                f"({MAX_RESPONSE_PAYLOAD} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            }
        result.logs = _with_platform_lines(function, self.request_id, result)
        # Positional, in the fields' order: keywords cost a microsecond more, per invocation.
        self.on_record(InvocationRecord(
            self.request_id, function.name, self.invocation_type, self.attempt, self.started,
            result.duration_ms, result.status, cause.source, cause.trace_id, self.span,
            cause.parent_span, cause.hop, self.payload,
            result.payload.decode() if result.status == "Success" and result.payload
            is not None else None,
            result.error, result.logs, result.init_duration_ms, 0, function.version,
            self.environment["AWS_LAMBDA_LOG_STREAM_NAME"],
        ))


class Invoker:
    """Runs invocations and turns their results into records (the caller stores them)."""

    def __init__(
        self,
        *,
        clock: Clock,
        runtimes: Mapping[RuntimeKind, Runtime],
        region: str,
        endpoint_url: Callable[[], str | None],
        access_key_id: Callable[[], str] = lambda: "test",
    ) -> None:
        self._clock = clock
        self._access_key_id = access_key_id
        self._runtimes = runtimes
        self._region = region
        self._endpoint_url = endpoint_url
        self._environments: dict[
            tuple[str, str, str], tuple[FunctionConfig, str | None, dict[str, str]]] = {}
        self._lineage_tags: dict[str, str] = {}

    def start(
        self,
        function: FunctionConfig,
        payload: str,
        cause: Cause,
        on_record: Callable[[InvocationRecord | BaseException], None],
        *,
        request_id: str | None = None,
        invocation_type: str = "RequestResponse",
        attempt: int = 1,
        client_context: dict[str, Any] | None = None,
    ) -> Cancel:
        """Start one invocation; ``on_record`` gets its record on this event loop (or the
        exception, for eventsim's own bugs). Returns a function that abandons it."""
        request_id = request_id or new_uuid()
        span = new_span_id()
        header = format_trace_header(cause.trace_id, span, cause.hop + 1,
                                     self._lineage_tag(function.arn))
        started = self._clock.time()
        log_stream = f"{_log_stream_date(started)}/[{function.version}]{span}{span}"
        environment = dict(self._static_environment(function))
        environment["_X_AMZN_TRACE_ID"] = header
        environment["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream
        # Positional, in the fields' order (function, payload, request_id, trace_header,
        # environment, deadline_ms, client_context, identity, invocation_type,
        # invoked_function_arn): keywords cost more, per invocation.
        request = InvokeRequest(
            function, payload.encode(), request_id, header, environment,
            # Handlers run in real time whatever the engine's clock says.
            int(time.time() * 1000) + function.timeout * 1000,
            client_context, None, invocation_type,
            # The ARN the caller named (with its version or alias, if it gave one), as
            # context.invoked_function_arn and Lambda-Runtime-Invoked-Function-Arn show it.
            function.invoked_arn,
        )

        done = _Recorder(function, payload, cause, request_id, span, invocation_type, attempt,
                         started, on_record, environment)
        return self._runtimes[function.runtime_kind].start(request, done)

    async def run(
        self,
        function: FunctionConfig,
        payload: str,
        cause: Cause,
        *,
        request_id: str | None = None,
        invocation_type: str = "RequestResponse",
        attempt: int = 1,
        client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord:
        """Run one invocation to its end and describe it."""
        return await run_to_end(lambda done: self.start(
            function, payload, cause, done, request_id=request_id,
            invocation_type=invocation_type, attempt=attempt, client_context=client_context,
        ))

    def _static_environment(self, function: FunctionConfig) -> dict[str, str]:
        """The environment of every invocation of this configuration (cached: hot path)."""
        endpoint_url = self._endpoint_url()
        key = (function.arn, function.version, function.invoked_qualifier or "")
        cached = self._environments.get(key)
        if cached is not None and cached[0] is function and cached[1] == endpoint_url:
            return cached[2]
        env = lambda_environment(function, region=self._region, trace_header="",
                                 endpoint_url=endpoint_url, log_stream="",
                                 access_key_id=self._access_key_id())
        self._environments[key] = (function, endpoint_url, env)
        return env

    def _lineage_tag(self, arn: str) -> str:
        tag = self._lineage_tags.get(arn)
        if tag is None:
            tag = self._lineage_tags[arn] = f"{zlib.crc32(arn.encode()):08x}"
        return tag

    def loop_record(
        self, function: FunctionConfig, payload: str, cause: Cause, request_id: str,
        attempt: int, *, invocation_type: str = "Event",
    ) -> InvocationRecord:
        """The record of an invocation Lambda refused because the chain loops."""
        return InvocationRecord(
            request_id=request_id, function=function.name, invocation_type=invocation_type,
            attempt=attempt, started_at=self._clock.time(), duration_ms=0.0,
            status="LoopDetected", trigger=cause.source, trace_id=cause.trace_id,
            version=function.version,
            span_id=new_span_id(), parent_span=cause.parent_span, hop=cause.hop, payload=payload,
            error={
                "errorType": "RecursiveInvocationException",
                "errorMessage": (
                    f"Lambda stopped invoking {function.name}: the chain of requests that "
                    f"triggered it has invoked functions {cause.hop} times in a recursive loop "
                    "(limit 16). The event was not delivered to the function; it goes to the "
                    "dead-letter queue or on-failure destination if there is one."
                ),
            },
        )
