"""Daemon worker threads that run invocations, and the timeout injected into them.

Jobs wait in one queue. A worker that finishes a job takes the next without going back to sleep,
and a sleeping worker is woken (or a new thread started, when none sleeps) only when no worker
is already on its way to the queue: a burst of jobs costs the event loop one wake-up, not one
per job. A worker that takes a job and leaves others queued makes sure another worker comes
for them, so a handler that blocks never holds up the jobs behind it.
Finished jobs go back to the event loop through a `Mailbox`: one loop wake-up for however many
jobs finished meanwhile, instead of one per job. On a busy simulator, those hand-offs between
threads (each a chance to lose the GIL for a switch interval) cost more than the handlers.

When a job's deadline passes, `WorkerPool.abandon` raises `HandlerTimeout` in the worker's
thread; the worker leaves the pool at once and its thread exits when it next runs Python code.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from eventsim.runtime.base import InvokeRequest, InvokeStatus, OnResult
from eventsim.runtime.inline.capture import LogBuffer
from eventsim.runtime.inline.deadlines import Deadlines
from eventsim.runtime.inline.errors import HandlerTimeout
from eventsim.runtime.inline.instance import Instance

__all__ = ["Job", "Mailbox", "Outcome", "WorkerPool"]

LOG = logging.getLogger(__name__)

_worker_numbers = itertools.count(1)


@dataclass(slots=True)
class Outcome:
    """How an invocation that ran to its end came out."""

    status: InvokeStatus
    payload: bytes | None
    error: dict[str, Any] | None
    duration_ms: float
    init_duration_ms: float | None


Finish = Callable[["Job", Outcome | BaseException], None]
"""Called on the event loop with a job and what a worker made of it (or what it raised)."""


class Mailbox:
    """Hands finished jobs from worker threads to one event loop, in batches."""

    def __init__(self, loop: asyncio.AbstractEventLoop, finish: Finish) -> None:
        self.loop = loop
        self._finish = finish
        self._done: deque[tuple[Job, Outcome | BaseException]] = deque()
        self._lock = threading.Lock()
        self._scheduled = False

    def post(self, job: Job, outcome: Outcome | BaseException) -> None:
        """From a worker thread: the job is finished. Wakes the loop unless a wake-up is due."""
        self._done.append((job, outcome))
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    def _drain(self) -> None:
        with self._lock:
            self._scheduled = False
        done, finish = self._done, self._finish
        while done:
            job, outcome = done.popleft()
            try:
                finish(job, outcome)
            except Exception:
                LOG.exception("finishing invocation %s failed", job.request.request_id)


class Job:
    """One invocation handed to a worker."""

    __slots__ = (
        "abandoned", "buffer", "instance", "lock", "mailbox", "on_result", "request", "settled",
        "started", "state", "thread_id", "watch",
    )

    def __init__(
        self, request: InvokeRequest, mailbox: Mailbox, on_result: OnResult, log_limit: int
    ) -> None:
        self.request = request
        self.mailbox = mailbox
        self.buffer = LogBuffer(request.request_id, log_limit)
        self.lock = threading.Lock()
        self.state: Literal["pending", "running", "done"] = "pending"
        self.abandoned = False
        self.thread_id = 0
        self.instance: Instance | None = None
        # The loop's side: whom to tell, once, and who watches the deadline.
        self.on_result = on_result
        self.settled = False
        self.started = time.perf_counter()
        self.watch: Deadlines | None = None


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> int:
    """Schedule ``exc_type`` (None: cancel a scheduled one) in a thread; returns how many
    threads were modified."""
    result: int = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )
    return result


class Worker(threading.Thread):
    """A daemon thread that runs jobs from the pool's queue until stopped or abandoned.

    Daemon, so a handler stuck in C code cannot keep the process from exiting (the threads of
    ``concurrent.futures`` are joined at exit).
    """

    def __init__(self, pool: WorkerPool, number: int) -> None:
        super().__init__(name=f"eventsim-inline-{number}", daemon=True)
        self._pool = pool

    def run(self) -> None:
        pool = self._pool
        abandoned = False
        coming = True  # started for a job: counted as coming
        try:
            while not abandoned:
                job = pool._next_job(coming)
                coming = False
                if job is None:
                    return
                abandoned = not self._run(job)
        except HandlerTimeout:  # a timed-out job's exception arriving after it had finished
            abandoned = True
        finally:
            if abandoned:
                pool._thread_exited()
            else:
                pool._worker_stopped()

    def _run(self, job: Job) -> bool:
        """Run a job; False if it was abandoned (this thread then leaves the pool)."""
        with job.lock:
            if job.abandoned:  # timed out before it started
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
        job.mailbox.post(job, outcome)
        return True


_NOTHING, _WAKE, _START = 0, 1, 2
"""What it takes for a worker to come for a queued job (see `WorkerPool._call_worker`)."""


class WorkerPool:
    """Up to ``max_workers`` threads running ``execute(job)`` for the jobs submitted."""

    def __init__(self, execute: Callable[[Job], Outcome], max_workers: int) -> None:
        self._execute = execute
        self._max = max_workers
        self._jobs: deque[Job] = deque()
        """Jobs submitted and not yet taken by a worker."""
        self._wakeups: queue.SimpleQueue[None] = queue.SimpleQueue()
        """Sleeping workers wait here for a token (taken by any one of them)."""
        self._lock = threading.Lock()
        self._workers = 0
        """Live workers that have not been abandoned."""
        self._idle = 0
        """Workers asleep (or about to be) whom no token has been sent for."""
        self._coming = 0
        """Workers on their way to the queue: started, or sent a token, and not there yet."""
        self._abandoned = 0
        self._closed = False
        self._threads: list[Worker] = []
        self.started_workers = False
        """Whether a worker thread was ever started (an unclosed pool then leaks threads)."""

    @property
    def abandoned_threads(self) -> int:
        """Threads of abandoned jobs that have not finished yet."""
        return self._abandoned

    def submit(self, job: Job) -> None:
        """Queue ``job``; wake a worker (or start one) unless one is already coming."""
        with self._lock:
            self._jobs.append(job)
            call = self._call_worker()
        if call:
            self._answer(call)

    def _call_worker(self) -> int:
        """With the lock held and a job queued: see that a worker comes for it. Returns what
        to do once the lock is released."""
        if self._coming:
            return _NOTHING  # it will find this job too
        if self._idle:
            self._idle -= 1
            self._coming += 1
            return _WAKE
        if self._workers < self._max and not self._closed:
            self._workers += 1
            self._coming += 1
            return _START
        return _NOTHING  # every worker is busy: the first to finish takes it

    def _answer(self, call: int) -> None:
        if call == _WAKE:
            self._wakeups.put(None)
        elif call == _START:
            self._start_worker()

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
            call = _NOTHING
            with self._lock:
                self._abandoned += 1
                self._workers -= 1
                # The abandoned thread's place goes to another if jobs are waiting.
                if self._jobs:
                    call = self._call_worker()
            self._answer(call)
            LOG.debug("abandoned the thread of invocation %s", job.request.request_id)
        return True

    async def aclose(self) -> None:
        """Stop the workers and wait (a little) for their threads to end."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
            sleeping, self._idle = self._idle, 0
            self._coming += sleeping
        for _ in range(sleeping):
            self._wakeups.put(None)
        if threads:
            await asyncio.to_thread(_join, threads, 5.0)

    def _start_worker(self) -> None:
        self.started_workers = True
        worker = Worker(self, next(_worker_numbers))
        with self._lock:
            self._threads.append(worker)
        worker.start()

    def _next_job(self, coming: bool) -> Job | None:
        """In a worker: the next job, sleeping until there is one (None: stop). ``coming``:
        the worker was counted as coming (just started), rather than back from a job."""
        while True:
            call = _NOTHING
            with self._lock:
                if coming:
                    self._coming -= 1
                    coming = False
                if self._jobs:
                    job = self._jobs.popleft()
                    if self._jobs:
                        call = self._call_worker()
                elif self._closed:
                    return None
                else:
                    self._idle += 1
                    job = None
            if job is not None:
                if call:
                    self._answer(call)
                return job
            self._wakeups.get()
            coming = True  # whoever sent the token counted this worker as coming

    def _worker_stopped(self) -> None:
        with self._lock:
            self._workers -= 1

    def _thread_exited(self) -> None:
        with self._lock:
            self._abandoned -= 1


def _join(workers: list[Worker], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
