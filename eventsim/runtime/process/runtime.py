"""`ProcessRuntime`: functions run in OS processes that speak the Lambda Runtime API.

Per function (ARN and version) a pool of environments::

    start(request)
      an idle environment whose configuration matches  -> reuse it (warm: no init duration)
      fewer environments than the function may have    -> start one (cold: init measured from
                                                          spawn to its first /next)
      otherwise                                        -> wait for one to free up (in order)

A function may have as many environments as its reserved concurrency, else `max_per_function`.
Throttling beyond reserved concurrency (TooManyRequestsException, requeued asynchronous events)
is for the layer that accepts invocations; here an invocation waits for a free environment.

Outcomes, as Lambda reports them: the handler's response (Success); the error document the
runtime posted (Error); the timeout, enforced by killing the environment (``Task timed out
after N.00 seconds``, the next invocation gets a fresh one); a process that dies during an
invocation (``Runtime exited with error: ...``; killed by SIGKILL that eventsim did not send,
as the out-of-memory paths do, it reads ``Runtime.OutOfMemory``); an init error posted to
``/init/error``. Environments idle for `idle_timeout` seconds (real time) are stopped.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import logging
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from eventsim.errors import SimulatorStateError
from eventsim.runtime.base import Cancel, InvokeRequest, InvokeResult, OnResult, run_to_end
from eventsim.runtime.inline.capture import DEFAULT_LOG_LIMIT
from eventsim.runtime.inline.errors import TIMEOUT_ERROR
from eventsim.runtime.process.api import RuntimeApiServer
from eventsim.runtime.process.environment import Environment, Job
from eventsim.runtime.process.launch import LaunchError, launch_for
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["INIT_LIMIT_SECONDS", "ProcessRuntime"]

LOG = logging.getLogger(__name__)

INIT_LIMIT_SECONDS = 10.0
"""Lambda's limit on the init phase; past it, init is retried within the invoke's timeout, so
an environment gets this plus the function's timeout to reach its first ``/next``."""

EXIT_ERROR = "Runtime.ExitError"
OUT_OF_MEMORY = "Runtime.OutOfMemory"


@dataclass
class _Pool:
    """The environments of one function version."""

    envs: set[Environment] = field(default_factory=set)
    idle: list[Environment] = field(default_factory=list)
    waiting: collections.deque[Job] = field(default_factory=collections.deque)


class ProcessRuntime:
    """Runs invocations in process execution environments. Implements `Runtime`."""

    def __init__(
        self,
        *,
        max_per_function: int = 16,
        idle_timeout: float = 300.0,
        log_limit: int = DEFAULT_LOG_LIMIT,
        host: str = "127.0.0.1",
    ) -> None:
        if max_per_function < 1:
            raise ValueError("max_per_function must be at least 1")
        self.max_per_function = max_per_function
        self.idle_timeout = idle_timeout
        self.log_limit = log_limit
        self._server = RuntimeApiServer(host)
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.TimerHandle | None = None
        self._closed = False
        self.started_environments = 0
        """Environments started so far (cold starts)."""

    async def __aenter__(self) -> ProcessRuntime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def environments(self, function: FunctionConfig) -> int:
        """How many environments of ``function`` are alive."""
        pool = self._pools.get((function.arn, function.version))
        return len(pool.envs) if pool else 0

    # -- Runtime -------------------------------------------------------------------------------

    def start(self, request: InvokeRequest, on_result: OnResult) -> Cancel:
        if self._closed:
            raise SimulatorStateError("The process runtime is closed.")
        job = Job(request, on_result)
        function = request.function
        pool = self._pool(function)
        if not self._offer(pool, job):
            pool.waiting.append(job)
        return functools.partial(self._cancel, job)

    async def invoke(self, request: InvokeRequest) -> InvokeResult:
        return await run_to_end(lambda done: self.start(request, done))

    async def aclose(self) -> None:
        """Stop every environment and the Runtime API server. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
        for pool in self._pools.values():
            while pool.waiting:
                self._settle(pool.waiting.popleft(), SimulatorStateError(
                    "The process runtime closed before the invocation ran."))
            for env in list(pool.envs):
                env.kill()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._server.aclose()

    # -- scheduling ------------------------------------------------------------------------------

    def _pool(self, function: FunctionConfig) -> _Pool:
        key = (function.arn, function.version)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool()
        return pool

    def _limit(self, function: FunctionConfig) -> int:
        reserved = function.reserved_concurrency
        if reserved is not None:
            # Zero throttles every invocation before it gets here; one environment at least.
            return max(1, min(reserved, self.max_per_function))
        return self.max_per_function

    def _offer(self, pool: _Pool, job: Job) -> bool:
        """Run ``job`` in an idle environment or a new one; False if neither is possible."""
        function = job.request.function
        while pool.idle:
            env = pool.idle.pop()  # the most recently used: warmest
            if env.state == "idle" and (env.function is function or env.function == function):
                env.assign(job)
                return True
            self._retire(pool, env)  # its configuration changed: a new environment
        if len(pool.envs) >= self._limit(function):
            return False
        self._spawn(pool, job)
        return True

    def _spawn(self, pool: _Pool, job: Job) -> None:
        env = Environment(self, job.request.function, self.log_limit)
        pool.envs.add(env)
        env.assign(job)
        self.started_environments += 1
        # Until its first /next the environment is initialising; it may take Lambda's init
        # limit plus the invocation's own timeout.
        env.timer = asyncio.get_running_loop().call_later(
            INIT_LIMIT_SECONDS + job.request.function.timeout, self._expire, env)
        task = asyncio.get_running_loop().create_task(self._run(env, job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, env: Environment, job: Job) -> None:
        try:
            api = await env.open(self._server)
            launch = launch_for(env.function, job.request.environment, api)
            await env.run(launch)
        except LaunchError as exc:
            self._fail_start(env, exc.error_type, exc.message)
        except OSError as exc:
            self._fail_start(env, "Runtime.InvalidEntrypoint", f"{exc.strerror}: {exc.filename}")
        except BaseException as exc:  # eventsim's own bug: report it, keep the simulator up
            LOG.exception("process environment of %s failed", env.function.name)
            self._fail_start(env, None, exc)

    def _fail_start(self, env: Environment, error_type: str | None, cause: Any) -> None:
        env.kill()
        pool = self._pool(env.function)
        pool.envs.discard(env)
        job = env.job
        env.job = None
        if job is not None:
            if error_type is None:
                self._settle(job, cause if isinstance(cause, BaseException) else
                             RuntimeError(str(cause)))
            else:
                error = {"errorMessage": f"RequestId: {job.request.request_id} Error: {cause}",
                         "errorType": error_type}
                self._settle(job, self._error_result(
                    env, job, error, init=True, log=f"{error['errorMessage']}\n{error_type}\n"))
        if self._server is not None:
            task = asyncio.get_running_loop().create_task(self._server.close_channel(env.port))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._next_waiting(pool)

    def _next_waiting(self, pool: _Pool) -> None:
        while pool.waiting and not self._closed:
            job = pool.waiting[0]
            if job.settled:
                pool.waiting.popleft()
                continue
            if not self._offer(pool, job):
                return
            pool.waiting.popleft()

    def _retire(self, pool: _Pool, env: Environment) -> None:
        """Kill an environment and free its place at once (its exit comes later)."""
        if env in pool.idle:
            pool.idle.remove(env)
        pool.envs.discard(env)
        env.kill()

    def _reap(self) -> None:
        self._reaper = None
        now = time.monotonic()
        idle_left = False
        for pool in self._pools.values():
            for env in list(pool.idle):
                if now - env.idle_since >= self.idle_timeout:
                    self._retire(pool, env)
                else:
                    idle_left = True
        if idle_left:
            self._schedule_reaper()

    def _schedule_reaper(self) -> None:
        if self._reaper is None and not self._closed:
            self._reaper = asyncio.get_running_loop().call_later(
                max(0.05, self.idle_timeout / 4), self._reap)

    # -- what environments report (Owner) --------------------------------------------------------

    def job_fetched(self, env: Environment, job: Job) -> None:
        if env.timer is not None:
            env.timer.cancel()
        env.timer = asyncio.get_running_loop().call_later(
            job.request.function.timeout, self._expire, env)

    def job_answered(self, env: Environment, job: Job, status: str, body: bytes,
                     error: dict[str, Any] | None) -> None:
        logs, dropped = env.take_output()
        extra: dict[str, Any] = {"environment_pid": env.pid}
        memory = env.max_memory_mb()
        if memory is not None:
            extra["max_memory_used_mb"] = memory
        if dropped:
            extra["log_bytes_dropped"] = dropped
        result = InvokeResult(
            status="Success" if status == "Success" else "Error",
            payload=body, error=error, logs=logs,
            duration_ms=(time.perf_counter() - job.dispatched) * 1000,
            init_duration_ms=env.init_ms if env.invocations == 1 else None,
            extra=extra,
        )
        pool = self._pool(env.function)
        if self._closed:
            self._retire(pool, env)
        else:
            # Waiting work first; otherwise the environment stays warm for the next one.
            waiting = pool.waiting
            while waiting and waiting[0].settled:
                waiting.popleft()
            if waiting and (env.function is waiting[0].request.function
                            or env.function == waiting[0].request.function):
                env.assign(waiting.popleft())
            else:
                pool.idle.append(env)
                self._schedule_reaper()
        self._settle(job, result)
        if not self._closed and pool.waiting and env.state == "idle" and env.job is None:
            self._next_waiting(pool)

    def init_failed(self, env: Environment, job: Job | None, error: dict[str, Any]) -> None:
        self._retire(self._pool(env.function), env)
        env.job = None
        if job is not None:
            self._settle(job, self._error_result(env, job, error, init=True))

    def exited(self, env: Environment, returncode: int) -> None:
        pool = self._pool(env.function)
        pool.envs.discard(env)
        if env in pool.idle:
            pool.idle.remove(env)
        job = env.job
        env.job = None
        if job is not None and not job.settled:
            if env.killed:  # by aclose: the invocation did not end on its own
                self._settle(job, SimulatorStateError(
                    "The process runtime closed during the invocation."))
            else:
                self._settle(job, self._exit_result(env, job, returncode))
        self._next_waiting(pool)

    # -- outcomes ------------------------------------------------------------------------------

    def _expire(self, env: Environment) -> None:
        env.timer = None
        job = env.job
        self._retire(self._pool(env.function), env)
        if job is None or job.settled:
            return
        env.job = None
        request = job.request
        seconds = f"{request.function.timeout:.2f}"
        error = {
            "errorMessage": (
                f"RequestId: {request.request_id} Error: Task timed out after {seconds} seconds"
            ),
            "errorType": TIMEOUT_ERROR,
        }
        logs, dropped = env.take_output()
        if logs and not logs.endswith("\n"):
            logs += "\n"
        logs += f"{_timestamp()} {request.request_id} Task timed out after {seconds} seconds\n"
        started = job.dispatched or env.spawned_at
        extra: dict[str, Any] = {"environment_pid": env.pid}
        if dropped:
            extra["log_bytes_dropped"] = dropped
        self._settle(job, InvokeResult(
            status="Timeout", payload=_dump(error), error=error, logs=logs,
            duration_ms=(time.perf_counter() - started) * 1000,
            init_duration_ms=env.init_ms if env.invocations <= 1 else None, extra=extra,
        ))

    def _exit_result(self, env: Environment, job: Job, returncode: int) -> InvokeResult:
        if returncode < 0:
            try:
                name = (signal.strsignal(-returncode) or f"signal {-returncode}").lower()
            except ValueError:
                name = f"signal {-returncode}"
            reason = f"Runtime exited with error: signal: {name}"
        elif returncode > 0:
            reason = f"Runtime exited with error: exit status {returncode}"
        else:
            reason = "Runtime exited without providing a reason"
        # Lambda's out-of-memory kill is a SIGKILL; eventsim's own kills never get here.
        error_type = OUT_OF_MEMORY if returncode == -signal.SIGKILL else EXIT_ERROR
        error = {"errorMessage": f"RequestId: {job.request.request_id} Error: {reason}",
                 "errorType": error_type}
        # The platform's own lines, as Lambda logs a runtime's exit.
        return self._error_result(env, job, error, init=not job.dispatched,
                                  log=f"{error['errorMessage']}\n{error_type}\n")

    def _error_result(self, env: Environment, job: Job, error: dict[str, Any], *,
                      init: bool, log: str = "") -> InvokeResult:
        logs, dropped = env.take_output()
        if logs and not logs.endswith("\n") and log:
            logs += "\n"
        logs += log
        started = job.dispatched or env.spawned_at
        extra: dict[str, Any] = {"environment_pid": env.pid}
        if dropped:
            extra["log_bytes_dropped"] = dropped
        return InvokeResult(
            status="Error", payload=_dump(error), error=error, logs=logs,
            duration_ms=(time.perf_counter() - started) * 1000,
            init_duration_ms=env.init_ms if init or env.invocations <= 1 else None,
            extra=extra,
        )

    def _settle(self, job: Job, result: InvokeResult | BaseException) -> None:
        if job.settled:
            return
        job.settled = True
        job.on_result(result)

    def _cancel(self, job: Job) -> None:
        if job.settled:
            return
        env = job.env
        if env is not None and env.job is job:
            env.job = None
            self._retire(self._pool(env.function), env)  # it cannot be told to drop it
        self._settle(job, asyncio.CancelledError())


def _dump(error: dict[str, Any]) -> bytes:
    return json.dumps(error).encode()


def _timestamp() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
