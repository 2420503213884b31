"""`InlineRuntime`: invocations, execution environments, and their results."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sys
import threading
import time
import warnings
import weakref
from typing import Any

import orjson

from eventsim.errors import SimulatorStateError
from eventsim.runtime import environ
from eventsim.runtime.base import Cancel, InvokeRequest, InvokeResult, OnResult, run_to_end
from eventsim.runtime.context import LambdaContext
from eventsim.runtime.inline.capture import DEFAULT_LOG_LIMIT, SINK, LogBuffer, install_capture
from eventsim.runtime.inline.deadlines import Deadlines
from eventsim.runtime.inline.errors import (
    EXIT_ERROR,
    TIMEOUT_ERROR,
    UNMARSHAL_ERROR,
    Fault,
    HandlerTimeout,
    InitFailed,
    dump,
    error_log,
    exception_error,
    make_error,
    marshal,
)
from eventsim.runtime.inline.imports import install_import_hooks
from eventsim.runtime.inline.instance import Handler, Instance
from eventsim.runtime.inline.pool import Job, Mailbox, Outcome, WorkerPool
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["InlineRuntime"]

LOG = logging.getLogger(__name__)


_installed_for: tuple[Any, ...] | None = None


def _hooks_state() -> tuple[Any, ...]:
    # What someone else could have swapped since we installed: the streams, os.environ's
    # class, and the import and logging chains (by length).
    return (sys.stdout, sys.stderr, type(os.environ), len(sys.meta_path),
            len(logging.root.handlers))


def _install_process_hooks() -> None:
    """Everything the inline runtime changes in the process; idempotent, cheap to repeat
    (stream routers are re-applied if someone, such as pytest's capture, swapped them out).

    Called for every invocation, so it first checks whether anything it installed could have
    been replaced since the last time."""
    global _installed_for
    if _installed_for is not None and _hooks_state() == _installed_for:
        return
    environ.install()
    install_import_hooks()
    install_capture()
    _installed_for = _hooks_state()


class InlineRuntime:
    """Runs Python handlers in this process, in up to ``max_workers`` worker threads.

    Implements `eventsim.runtime.base.Runtime`. ``async with InlineRuntime(4) as runtime:``
    or call `aclose` when done.
    """

    def __init__(self, max_workers: int = 32, *, log_limit: int = DEFAULT_LOG_LIMIT) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self.log_limit = log_limit
        self._lock = threading.Lock()
        self._pool = WorkerPool(self._execute, max_workers=max_workers)
        self._sides: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Mailbox, Deadlines]
        ] = weakref.WeakKeyDictionary()
        """Per event loop: the mailbox results come back through, and the deadline watch."""
        self._side: tuple[Mailbox, Deadlines] | None = None
        """Those of the loop used last (almost always the only one)."""
        self._instances: dict[tuple[str, str], Instance] = {}
        self._closed = False

    async def __aenter__(self) -> InlineRuntime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def abandoned_threads(self) -> int:
        """Threads of timed-out invocations that have not finished yet."""
        return self._pool.abandoned_threads

    def start(self, request: InvokeRequest, on_result: OnResult) -> Cancel:
        """Start one invocation; ``on_result`` gets its result (success, error or timeout) on
        this event loop. Returns a function that abandons the invocation."""
        if self._closed:
            raise SimulatorStateError("The inline runtime is closed.")
        _install_process_hooks()
        loop = asyncio.get_running_loop()
        side = self._side
        if side is None or side[0].loop is not loop:
            side = self._sides.get(loop)
            if side is None or loop.is_closed():
                side = self._sides[loop] = (Mailbox(loop, self._finish, self._pool),
                                            Deadlines(loop, self._expire))
            self._side = side
        mailbox, deadlines = side
        job = Job(request, mailbox, on_result, self.log_limit)
        job.watch = deadlines
        deadlines.watch(job, request.function.timeout, request.deadline_ms / 1000)
        self._pool.submit(job)
        return functools.partial(self._cancel, job)

    def _settle(self, job: Job, result: InvokeResult | BaseException) -> None:
        """Hand the job's result over, once."""
        if job.settled:
            return
        job.settled = True
        if job.watch is not None:
            job.watch.forget(job, job.request.function.timeout)
        job.on_result(result)

    def _finish(self, job: Job, outcome: Outcome | BaseException) -> None:
        """A worker finished the job (called on the loop, through the mailbox)."""
        if isinstance(outcome, HandlerTimeout):
            # Another invocation's cold start ate the deadline.
            self._settle(job, self._timeout_result(job))
        elif isinstance(outcome, BaseException):
            self._settle(job, outcome)
        else:
            self._settle(job, self._result(job, outcome))

    def _expire(self, job: Job) -> None:
        # A job that finished right at the deadline keeps its result (it is in the mailbox).
        if self._abandon(job):
            self._settle(job, self._timeout_result(job))

    def _cancel(self, job: Job) -> None:
        if not job.settled and self._abandon(job):
            self._settle(job, asyncio.CancelledError())

    async def invoke(self, request: InvokeRequest) -> InvokeResult:
        """Run one invocation to its end: success, error or timeout."""
        return await run_to_end(lambda done: self.start(request, done))

    def _result(self, job: Job, outcome: Outcome) -> InvokeResult:
        logs = job.buffer.close()
        if outcome.error is not None:
            logs += error_log(outcome.error)
        extra = {"log_bytes_dropped": job.buffer.dropped} if job.buffer.dropped else {}
        # Positional, in the fields' order: one is made per invocation.
        return InvokeResult(outcome.status, outcome.payload, outcome.error, logs,
                            outcome.duration_ms, outcome.init_duration_ms, extra)

    async def aclose(self) -> None:
        """Stop the idle workers and forget every loaded function. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            instances = list(self._instances.values())
            self._instances.clear()
            for instance in instances:
                instance.stale = True
                if instance.active == 0:
                    instance.discard()
        await self._pool.aclose()

    def __del__(self) -> None:
        pool: WorkerPool | None = getattr(self, "_pool", None)
        if pool is not None and pool.started_workers and not getattr(self, "_closed", True):
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1)

    def _abandon(self, job: Job) -> bool:
        """Give up on a job (timeout or cancellation); False if it had already finished."""
        if not self._pool.abandon(job):
            return False
        instance = job.instance
        if instance is not None:
            # Lambda resets the environment after a timeout: the next invocation is cold.
            self._release(instance, stale=True, count=False)
        return True

    # -- execution environments ----------------------------------------------------------------

    def _acquire(self, function: FunctionConfig) -> Instance:
        key = (function.arn, function.version)
        with self._lock:
            instance = self._instances.get(key)
            if instance is None or not instance.matches(function):
                if instance is not None:
                    instance.stale = True
                    if instance.active == 0:
                        instance.discard()
                instance = Instance(function)
                self._instances[key] = instance
            instance.active += 1
            return instance

    def _release(self, instance: Instance, *, stale: bool = False, count: bool = True) -> None:
        with self._lock:
            if count:
                instance.active -= 1
            if stale:
                instance.stale = True
            if instance.stale and instance.active == 0:
                instance.discard()

    def _execute(self, job: Job) -> Outcome:
        """Run one invocation in the current (worker) thread."""
        request = job.request
        function = request.function
        instance = job.instance = self._acquire(function)
        request.environment["AWS_LAMBDA_LOG_STREAM_NAME"] = instance.log_stream
        failed = False
        try:
            # The layer copies the request's environment (the handler's writes must not reach
            # it); what earlier handlers of this environment changed is replayed on top,
            # unjournaled.
            layer = environ.EnvironmentLayer(request.environment, journal=instance.journal)
            env = layer.values
            for key, value in instance.journal.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
            if request.trace_header:
                env["_X_AMZN_TRACE_ID"] = request.trace_header
            # `environ.activate` and `SINK.scoped` without their generators: this runs for
            # every invocation.
            previous = environ.enter_with(layer, SINK, job.buffer)
            try:
                try:
                    handler, init_ms = self._load(instance, function, request)
                except InitFailed as exc:
                    failed = True
                    return Outcome("Error", dump(exc.error), exc.error, 0.0,
                                   exc.init_duration_ms)
                outcome = self._call(handler, instance, request, job.buffer)
                outcome.init_duration_ms = init_ms
                failed = outcome.error is not None and outcome.error["errorType"] == EXIT_ERROR
                return outcome
            finally:
                environ.leave_with(previous, SINK)
        finally:
            self._release(instance, stale=failed)

    def _load(
        self, instance: Instance, function: FunctionConfig, request: InvokeRequest
    ) -> tuple[Handler, float | None]:
        """The instance's handler, importing it on a cold start."""
        handler = instance.handler
        if handler is not None:  # warm: set once, under the lock, and never changed
            return handler, None
        if not instance.lock.acquire(blocking=False):  # a cold start is under way
            remaining = max(0.001, request.deadline_ms / 1000 - time.time())
            if not instance.lock.acquire(timeout=remaining):
                raise HandlerTimeout  # another invocation's cold start outlasted our deadline
        try:
            if instance.handler is not None:
                return instance.handler, None
            started = time.perf_counter()
            try:
                instance.handler = instance.load(function)
            except Fault as fault:
                instance.stale = True
                error = make_error(fault.message, fault.error_type, fault.trace, None)
                raise InitFailed(error, (time.perf_counter() - started) * 1000) from None
            except Exception as exc:  # the module raised while being imported
                instance.stale = True
                error = exception_error(exc, None)
                if instance.scope is not None:
                    error["errorMessage"] = instance.scope.unscope(error["errorMessage"])
                raise InitFailed(error, (time.perf_counter() - started) * 1000) from None
            except BaseException:
                instance.stale = True
                raise
            return instance.handler, (time.perf_counter() - started) * 1000
        finally:
            instance.lock.release()

    def _call(
        self,
        handler: Handler,
        instance: Instance,
        request: InvokeRequest,
        buffer: LogBuffer,
    ) -> Outcome:
        started = time.perf_counter()
        error: dict[str, Any] | None = None
        payload = b""
        try:
            context = LambdaContext.from_request(request, log_sink=buffer.write)
            try:
                event = _load_event(request.payload)
            except ValueError as exc:
                raise Fault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None
            response = handler(event, context)
            payload = marshal(response, request.function.runtime)
        except Fault as fault:
            error = make_error(fault.message, fault.error_type, fault.trace, request.request_id)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            reason = (
                f"Runtime exited with error: exit status {code}"
                if code
                else "Runtime exited without providing a reason"
            )
            error = {
                "errorMessage": f"RequestId: {request.request_id} Error: {reason}",
                "errorType": EXIT_ERROR,
            }
        except Exception as exc:
            error = exception_error(exc, request.request_id)
            if instance.scope is not None:
                error["errorMessage"] = instance.scope.unscope(error["errorMessage"])
        duration_ms = (time.perf_counter() - started) * 1000
        if error is not None:
            return Outcome("Error", dump(error), error, duration_ms, None)
        return Outcome("Success", payload, None, duration_ms, None)

    def _timeout_result(self, job: Job) -> InvokeResult:
        request = job.request
        seconds = f"{request.function.timeout:.2f}"
        error = {
            "errorMessage": (
                f"RequestId: {request.request_id} Error: Task timed out after {seconds} seconds"
            ),
            "errorType": TIMEOUT_ERROR,
        }
        logs = job.buffer.close(discard_late=True)
        if logs and not logs.endswith("\n"):
            logs += "\n"
        logs += f"{_timestamp()} {request.request_id} Task timed out after {seconds} seconds\n"
        extra: dict[str, Any] = {}
        if job.buffer.dropped:
            extra["log_bytes_dropped"] = job.buffer.dropped
        return InvokeResult(
            status="Timeout",
            payload=dump(error),
            error=error,
            logs=logs,
            duration_ms=(time.perf_counter() - job.started) * 1000,
            extra=extra,
        )


_DIGIT_RUNS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
"""A ``bytes.translate`` table: every digit becomes ``0``, every other byte a space."""
_LONG_NUMBER = b"0" * 19
"""The shortest run of digits that can spell an integer outside 64 bits."""


def _load_event(payload: bytes) -> Any:
    """``json.loads(payload)``, by orjson where it parses exactly as json would (in a third of
    the time, for an S3 event).

    orjson turns an integer outside 64 bits into a float where json keeps it exact; a payload
    with no run of 19 digits holds none. Everything else orjson parses, it parses as json does;
    what it refuses (NaN, a BOM, lone surrogates, other encodings, deep nesting, invalid JSON) goes
    to json, for its own answer or error message.

    Given bytes, json first guesses their encoding (`json.detect_encoding`); a payload whose
    first byte is ASCII other than NUL and whose second is not NUL is UTF-8 without a BOM by that
    guess (every event eventsim makes), so it is decoded as json would decode it, without the
    guess."""
    if _LONG_NUMBER not in payload.translate(_DIGIT_RUNS):
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            pass
    if len(payload) >= 2 and 0 < payload[0] < 0x80 and payload[1]:
        return json.loads(payload.decode("utf-8", "surrogatepass"))
    return json.loads(payload)


def _timestamp(epoch: float | None = None) -> str:
    now = time.time() if epoch is None else epoch
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
