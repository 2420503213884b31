"""One process execution environment: its OS process, its Runtime API channel, its output.

States::

    starting ──first /next──▶ busy ──/response, /error──▶ idle ──assign──▶ busy ...
       │                        │
       └──── exit, kill ────────┴──────────────────▶ dead   (timeout, init error, crash,
                                                              idle reaping, close)

An environment serves one invocation at a time (`job`). The owner (`ProcessRuntime`) is told
of every outcome through the `Owner` methods and decides what comes next.

Output: stdout and stderr share one pipe, read on the event loop as it arrives. When the
runtime posts a response, everything the process wrote before posting is already in the
pipe, so `take_output` drains it synchronously first: each invocation gets exactly its own
lines (output written between invocations goes to the next one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from typing import Any, Literal, Protocol

from eventsim.runtime.base import InvokeRequest, OnResult
from eventsim.runtime.process.api import ApiError, Assignment, RuntimeApiServer
from eventsim.runtime.process.launch import Launch
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["Environment", "Job", "Owner"]

LOG = logging.getLogger(__name__)

State = Literal["starting", "busy", "idle", "dead"]


class Job:
    """One invocation handed to the process runtime."""

    __slots__ = ("cancelled", "dispatched", "env", "on_result", "request", "settled")

    def __init__(self, request: InvokeRequest, on_result: OnResult) -> None:
        self.request = request
        self.on_result = on_result
        self.settled = False
        self.cancelled = False
        self.env: Environment | None = None
        self.dispatched = 0.0
        """``perf_counter()`` when the runtime fetched it through ``/next``."""


class Owner(Protocol):
    def job_fetched(self, env: Environment, job: Job) -> None: ...

    def job_answered(self, env: Environment, job: Job, status: str, body: bytes,
                     error: dict[str, Any] | None) -> None: ...

    def init_failed(self, env: Environment, job: Job | None, error: dict[str, Any]) -> None: ...

    def exited(self, env: Environment, returncode: int) -> None: ...


class Environment:
    """An OS process speaking the Runtime API to eventsim."""

    def __init__(self, owner: Owner, function: FunctionConfig, log_limit: int) -> None:
        self.owner = owner
        self.function = function
        self.state: State = "starting"
        self.job: Job | None = None
        self.fetched = False
        self.invocations = 0
        self.spawned_at = time.perf_counter()
        self.init_ms: float | None = None
        self.idle_since = 0.0
        self.killed = False
        """Whether eventsim killed it (timeout, reaping): its exit is then no crash."""
        self.port = 0
        self.pid = 0
        self.timer: asyncio.TimerHandle | None = None
        self._waiter: asyncio.Future[Assignment] | None = None
        self._fd = -1
        self._output = bytearray()
        self._dropped = 0
        self._log_limit = log_limit
        self._process: asyncio.subprocess.Process | None = None
        self._server: RuntimeApiServer | None = None
        self._peak: int | None = None
        self._peak_read = 0.0
        self.log_stream = ""
        """The process's AWS_LAMBDA_LOG_STREAM_NAME: its first invocation's, which it was
        started with (see `assign`)."""

    # -- life ------------------------------------------------------------------------------

    async def open(self, server: RuntimeApiServer) -> str:
        """Listen for this environment; returns its ``AWS_LAMBDA_RUNTIME_API``."""
        self._server = server
        self.port = await server.open(self)
        return f"{server.host}:{self.port}"

    async def run(self, launch: Launch) -> None:
        """Start the process and watch it until it exits (the owner hears of the exit)."""
        read_fd, write_fd = os.pipe()
        try:
            self.spawned_at = time.perf_counter()
            self._process = await asyncio.create_subprocess_exec(
                *launch.argv, env=launch.env, cwd=launch.cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd, stderr=write_fd, preexec_fn=launch.preexec(),
                # Its own process group, so a kill also reaches what a bootstrap started
                # (a shell script's curl).
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self.pid = self._process.pid
        self._fd = read_fd
        os.set_blocking(read_fd, False)
        loop = asyncio.get_running_loop()
        loop.add_reader(read_fd, self._read)
        if self.state == "dead":  # killed while starting
            self.kill()
        returncode = await self._process.wait()
        self._read()
        self._close_output()
        self.state = "dead"
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()
        if self._server is not None:
            await self._server.close_channel(self.port)
        self.owner.exited(self, returncode)

    def kill(self) -> None:
        """Stop the process (and its group) at once."""
        self.killed = True
        self.state = "dead"
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    # -- output ----------------------------------------------------------------------------

    def _read(self) -> None:
        fd = self._fd
        if fd < 0:
            return
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._close_output()
                return
            room = self._log_limit - len(self._output)
            if len(chunk) <= room:
                self._output += chunk
            else:
                if room > 0:
                    self._output += chunk[:room]
                self._dropped += len(chunk) - max(room, 0)

    def _close_output(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1

    def take_output(self) -> tuple[str, int]:
        """What the process wrote since the last call, and how many bytes were dropped."""
        self._read()
        text = self._output.decode("utf-8", "replace")
        dropped = self._dropped
        self._output = bytearray()
        self._dropped = 0
        if dropped:
            if text and not text.endswith("\n"):
                text += "\n"
            text += (f"[eventsim] {dropped} more bytes of output were dropped "
                     f"(at most {self._log_limit} bytes are kept per invocation)\n")
        return text, dropped

    def max_memory_mb(self) -> int | None:
        """The process's peak resident memory so far (``VmHWM``), in MB; read at most every
        50 ms (a peak moves slowly, and warm invocations take well under a millisecond)."""
        now = time.monotonic()
        if self._peak is not None and now - self._peak_read < 0.05:
            return self._peak
        self._peak_read = now
        self._peak = self._read_peak()
        return self._peak

    def _read_peak(self) -> int | None:
        try:
            with open(f"/proc/{self.pid}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"VmHWM:"):
                        return max(1, int(line.split()[1]) // 1024)
        except (OSError, ValueError):
            return None
        return None

    # -- assignments -----------------------------------------------------------------------

    def assign(self, job: Job) -> None:
        """Give the environment its next invocation."""
        # The process was started with its first invocation's environment, and so with its
        # log stream; every later invocation's record names that stream too.
        if self.log_stream:
            job.request.environment["AWS_LAMBDA_LOG_STREAM_NAME"] = self.log_stream
        else:
            self.log_stream = job.request.environment.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.job = job
        self.fetched = False
        job.env = self
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(self._deliver(job))

    def _deliver(self, job: Job) -> Assignment:
        self.fetched = True
        self.state = "busy"
        self.invocations += 1
        job.dispatched = time.perf_counter()
        self.owner.job_fetched(self, job)
        request = job.request
        return Assignment(
            request_id=request.request_id,
            payload=request.payload,
            # The timeout counts from here: a cold start's init does not use it up.
            deadline_ms=int(time.time() * 1000) + request.function.timeout * 1000,
            function_arn=request.invoked_function_arn or request.function.arn,
            trace_id=request.trace_header,
            client_context=_json(request.client_context),
            cognito_identity=_json(request.identity),
        )

    @property
    def polling(self) -> bool:
        """Whether the runtime's ``/next`` long poll is parked here, waiting for work."""
        return self._waiter is not None and not self._waiter.done()

    # -- the Runtime API (Channel) ---------------------------------------------------------

    async def next_invocation(self) -> Assignment:
        if self.state == "dead":
            raise ApiError(500, "InternalServerError", "The execution environment is stopping.")
        if self.init_ms is None:
            self.init_ms = (time.perf_counter() - self.spawned_at) * 1000
        if self.fetched:
            raise ApiError.invalid_state("Running", "Ready")
        previous = self._waiter
        if previous is not None and not previous.done():
            # The runtime asks again: its earlier long poll is gone (a client timeout, a
            # dropped connection the server has not noticed yet).
            previous.cancel()
        job = self.job
        if job is not None:
            return self._deliver(job)
        waiter: asyncio.Future[Assignment] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            return await waiter
        finally:
            # A runtime that gave up its long poll (a client timeout, a dropped connection)
            # may ask again.
            if self._waiter is waiter:
                self._waiter = None

    def _current(self, request_id: str, target: str) -> Job:
        job = self.job
        if job is None or not self.fetched:
            raise ApiError.invalid_state("Ready" if self.state != "starting" else "Init", target)
        if request_id != job.request.request_id:
            raise ApiError.invalid_request_id()
        return job

    def invocation_response(self, request_id: str, body: bytes) -> None:
        job = self._current(request_id, "InvocationResponse")
        self._answered(job, "Success", body, None)

    def response_too_large(self, request_id: str) -> None:
        job = self._current(request_id, "InvocationResponse")
        error = {
            "errorMessage": ("Response payload size exceeded maximum allowed payload size "
                             "(6291556 bytes)."),
            "errorType": "Function.ResponseSizeTooLarge",
        }
        self._answered(job, "Error", _dump(error), error)

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> None:
        job = self._current(request_id, "InvocationErrorResponse")
        error = _error_document(body, error_type)
        self._answered(job, "Error", body if _is_json(body) else _dump(error), error)

    def init_error(self, body: bytes, error_type: str | None) -> None:
        if self.state != "starting" or self.fetched:
            raise ApiError.invalid_state("Ready" if not self.fetched else "Running", "InitError")
        if self.init_ms is None:
            self.init_ms = (time.perf_counter() - self.spawned_at) * 1000
        self.state = "idle"  # not starting any more; the owner kills it
        self.owner.init_failed(self, self.job, _error_document(body, error_type))

    def _answered(self, job: Job, status: str, body: bytes,
                  error: dict[str, Any] | None) -> None:
        self.job = None
        self.fetched = False
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.state = "idle"
        self.idle_since = time.monotonic()
        self.owner.job_answered(self, job, status, body, error)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, separators=(",", ":"))


def _dump(error: dict[str, Any]) -> bytes:
    return json.dumps(error).encode()


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _error_document(body: bytes, error_type: str | None) -> dict[str, Any]:
    """The error a runtime posted; its ``Lambda-Runtime-Function-Error-Type`` fills a missing
    ``errorType`` (and stands alone when the body is not a JSON object)."""
    try:
        doc = json.loads(body) if body else {}
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        return {"errorMessage": body.decode("utf-8", "replace"),
                "errorType": error_type or "Unhandled"}
    if "errorType" not in doc:
        doc["errorType"] = error_type or "Unhandled"
    return doc
