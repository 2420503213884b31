"""Daemon worker threads that run invocations, and the timeout injected into them.

A `Job` goes to an idle `Worker` (a new one if none is idle). When its deadline passes,
`WorkerPool.abandon` raises `HandlerTimeout` in the worker's thread; the worker leaves the
pool at once and its thread exits when it next runs Python code.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from eventsim.runtime.base import InvokeRequest, InvokeStatus
from eventsim.runtime.inline.capture import LogBuffer
from eventsim.runtime.inline.errors import HandlerTimeout
from eventsim.runtime.inline.instance import Instance

__all__ = ["Job", "Outcome", "WorkerPool"]

LOG = logging.getLogger(__name__)

_worker_numbers = itertools.count(1)


@dataclass
class Outcome:
    """How an invocation that ran to its end came out."""

    status: InvokeStatus
    payload: bytes | None
    error: dict[str, Any] | None
    duration_ms: float
    init_duration_ms: float | None


class Job:
    """One invocation handed to a worker."""

    def __init__(
        self,
        request: InvokeRequest,
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Outcome],
        log_limit: int,
    ) -> None:
        self.request = request
        self.loop = loop
        self.future = future
        self.buffer = LogBuffer(request.request_id, log_limit)
        self.lock = threading.Lock()
        self.state: Literal["pending", "running", "done"] = "pending"
        self.abandoned = False
        self.thread_id = 0
        self.instance: Instance | None = None

    def deliver(self, outcome: Outcome | BaseException) -> None:
        """Settle the job's future on its loop (from the worker thread)."""

        def settle() -> None:
            if self.future.done():
                return
            if isinstance(outcome, BaseException):
                self.future.set_exception(outcome)
            else:
                self.future.set_result(outcome)

        try:
            self.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> int:
    """Schedule ``exc_type`` (None: cancel a scheduled one) in a thread; returns how many
    threads were modified."""
    result: int = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )
    return result


class Worker(threading.Thread):
    """A daemon thread that runs jobs one after another until stopped or abandoned.

    Daemon, so a handler stuck in C code cannot keep the process from exiting (the threads of
    ``concurrent.futures`` are joined at exit).
    """

    def __init__(self, pool: WorkerPool, number: int) -> None:
        super().__init__(name=f"eventsim-inline-{number}", daemon=True)
        self._pool = pool
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def stop(self) -> None:
        self._jobs.put(None)

    def run(self) -> None:
        abandoned = False
        try:
            while not abandoned:
                job = self._jobs.get()
                if job is None:
                    return
                abandoned = not self._run(job)
        except HandlerTimeout:  # a timed-out job's exception arriving after it had finished
            abandoned = True
        finally:
            if abandoned:
                self._pool._thread_exited()

    def _run(self, job: Job) -> bool:
        """Run a job; False if it was abandoned (this thread then leaves the pool)."""
        with job.lock:
            if job.abandoned:  # timed out before it started
                self._pool._return_worker(self)
                return True
            job.state = "running"
            job.thread_id = threading.get_ident()
        outcome: Outcome | BaseException
        try:
            outcome = self._pool._execute(job)
        except BaseException as exc:  # HandlerTimeout, or a bug of ours
            outcome = exc
        with job.lock:
            job.state = "done"
            abandoned = job.abandoned
        if abandoned:
            _raise_in_thread(job.thread_id, None)
            return False
        self._pool._return_worker(self)
        job.deliver(outcome)
        return True


class WorkerPool:
    """Worker threads that run ``execute(job)``; at most ``max_idle`` are kept when idle."""

    def __init__(self, execute: Callable[[Job], Outcome], max_idle: int) -> None:
        self._execute = execute
        self._max_idle = max_idle
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._abandoned = 0
        self._closed = False
        self.started_workers = False
        """Whether a worker thread was ever started (an unclosed pool then leaks threads)."""

    @property
    def abandoned_threads(self) -> int:
        """Threads of abandoned jobs that have not finished yet."""
        return self._abandoned

    def submit(self, job: Job) -> None:
        """Hand ``job`` to an idle worker, or to a new one."""
        self._take_worker().submit(job)

    def abandon(self, job: Job) -> bool:
        """Give up on a job (timeout or cancellation); False if it had already finished."""
        with job.lock:
            if job.state == "done":
                return False
            job.abandoned = True
            running = job.state == "running"
            if running:
                _raise_in_thread(job.thread_id, HandlerTimeout)
        if running:
            with self._lock:
                self._abandoned += 1
            LOG.debug("abandoned the thread of invocation %s", job.request.request_id)
        return True

    async def aclose(self) -> None:
        """Stop the idle workers and wait (a little) for their threads to end."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
        if idle:
            await asyncio.to_thread(_join, idle, 5.0)

    def _take_worker(self) -> Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self.started_workers = True
        worker = Worker(self, next(_worker_numbers))
        worker.start()
        return worker

    def _return_worker(self, worker: Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(worker)
                return
        worker.stop()

    def _thread_exited(self) -> None:
        with self._lock:
            self._abandoned -= 1


def _join(workers: list[Worker], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
