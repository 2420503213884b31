"""Daemon worker threads that run invocations, and the timeout injected into them.

Jobs wait in one queue. A worker takes them one after another without going back to sleep,
and a sleeping worker is woken (or a new thread started, when none sleeps) only for a job that
no worker is already on its way to: a burst of jobs costs one thread wake-up, not one per job.
Every thread hand-off is a chance to lose the GIL for a switch interval, and on a busy
simulator those hand-offs cost more than the handlers.

A worker busy with one job does not call others for the jobs behind it. Instead, the event
loop that queued them watches the queue (`Mailbox.supervise`): when the oldest job has waited
`GRACE` and no worker is on its way, the busy workers are held up by their handlers (a sleep,
a wait on I/O, a cold start, C code), and the pool spreads out: another worker is called, and
each worker that takes a job with others left behind calls another, until the queue empties.
So, while the pool has room, no job waits more than `GRACE` (plus the time it takes the loop
and the woken thread to get the GIL) behind handlers that block, however briefly each blocks,
and a burst of fast handlers runs on one thread.

Finished jobs go back to the event loop through the same `Mailbox`: one loop wake-up for
however many jobs finished meanwhile, instead of one per job.

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

__all__ = ["GRACE", "Job", "Mailbox", "Outcome", "WorkerPool"]

LOG = logging.getLogger(__name__)

GRACE = 0.002
"""Seconds (real time: handlers run in it) a job may wait in the queue before another worker is
called for it. Long enough for one worker to run dozens of trivial handlers, short next to
what a handler waits for (a cold start, a boto3 call), and under the interpreter's switch
interval (5 ms), which a woken thread may wait anyway before it gets the GIL."""

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
    """One event loop's side of the pool: hands it finished jobs in batches, and watches the
    jobs it queued for a worker held up by its handler."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, finish: Finish, pool: WorkerPool
    ) -> None:
        self.loop = loop
        self._finish = finish
        self._pool = pool
        self._done: deque[tuple[Job, Outcome | BaseException]] = deque()
        self._scheduled = False
        self._watching = False

    def post(self, job: Job, outcome: Outcome | BaseException) -> None:
        """From a worker thread: the job is finished. Wakes the loop unless a wake-up is due.

        No lock: `_drain` clears the flag before it empties the deque, so a post that finds
        the flag set appended its job before that drain began emptying; two posts that both
        find it clear only schedule a spare drain."""
        self._done.append((job, outcome))
        if self._scheduled:
            return
        self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    def _drain(self) -> None:
        self._scheduled = False
        done, finish = self._done, self._finish
        while done:
            job, outcome = done.popleft()
            try:
                finish(job, outcome)
            except Exception:
                LOG.exception("finishing invocation %s failed", job.request.request_id)

    def supervise(self) -> None:
        """On the loop: jobs wait behind busy workers; look at the queue every so often
        while they do."""
        if not self._watching:
            self._watching = True
            self.loop.call_later(GRACE, self._look)

    def _look(self) -> None:
        delay = self._pool.spread_if_held_up()
        if delay is None:
            self._watching = False
        else:
            self.loop.call_later(delay, self._look)


class Job:
    """One invocation handed to a worker."""

    __slots__ = (
        "abandoned", "buffer", "instance", "mailbox", "on_result", "request", "settled",
        "started", "state", "thread_id", "watch",
    )

    def __init__(
        self, request: InvokeRequest, mailbox: Mailbox, on_result: OnResult, log_limit: int
    ) -> None:
        self.request = request
        self.mailbox = mailbox
        self.buffer = LogBuffer(request.request_id, log_limit)
        # Guarded by the pool's lock.
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


class _Left(Exception):
    """The worker's job was abandoned: its thread leaves the pool."""


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
        execute = pool._execute
        ident = threading.get_ident()
        abandoned = False
        outcome: Outcome | BaseException
        try:
            job = pool._next_job(None, None, ident)
            while job is not None:
                try:
                    outcome = execute(job)
                except BaseException as exc:  # HandlerTimeout, or a bug of ours
                    outcome = exc
                job = pool._next_job(job, outcome, ident)
        except (_Left, HandlerTimeout):  # HandlerTimeout: it arrived after the job had ended
            abandoned = True
        finally:
            if abandoned:
                pool._thread_exited()
            else:
                pool._worker_stopped()


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
        self._spread = False
        """Workers held up by their handlers were seen: until the queue empties, a worker
        that takes a job and leaves others calls another worker for them."""
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
        """Queue ``job`` (on its mailbox's loop); wake a worker (or start one) unless one is
        already coming, and have the loop watch the jobs that wait for a busy worker."""
        with self._lock:
            self._jobs.append(job)
            call = self._call_worker()
            waiting = len(self._jobs) > self._coming
        if call:
            self._answer(call)
        if waiting:
            job.mailbox.supervise()

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

    def spread_if_held_up(self) -> float | None:
        """Call another worker if the oldest job has waited `GRACE`; returns the seconds until
        the queue should be looked at again (None: it is empty, or no worker can be called)."""
        with self._lock:
            if not self._jobs:
                return None
            if self._coming:  # a worker on its way is not held up by a handler
                return GRACE
            if not self._idle and (self._workers >= self._max or self._closed):
                # Nobody to call: the first worker to finish takes the next job; a submit
                # (or an abandoned thread's place) starts the watch again.
                return None
            waited = time.perf_counter() - self._jobs[0].started
            if waited < GRACE:
                return GRACE - waited
            self._spread = True
            call = self._call_worker()
        self._answer(call)
        return GRACE

    def abandon(self, job: Job) -> bool:
        """Give up on a job (timeout or cancellation); False if it had already finished."""
        with self._lock:
            if job.state == "done":
                return False
            job.abandoned = True
            running = job.state == "running"
            if not running:
                return True  # the worker that takes it skips it
            _raise_in_thread(job.thread_id, HandlerTimeout)
            self._abandoned += 1
            self._workers -= 1
            # The abandoned thread's place goes to another if jobs are waiting.
            call = self._call_worker() if self._jobs else _NOTHING
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

    def _next_job(
        self, done: Job | None, outcome: Outcome | BaseException | None, ident: int
    ) -> Job | None:
        """In a worker: hand in ``done`` (None: the worker was just started, and counted as
        coming) and take the next job, sleeping until there is one (None: stop)."""
        coming = done is None
        while True:
            call = _NOTHING
            with self._lock:
                if done is not None:
                    done.state = "done"
                    if done.abandoned:
                        # Abandoned while it ran: the timeout raised in this thread may still
                        # be pending.
                        _raise_in_thread(ident, None)
                        raise _Left
                if coming:
                    self._coming -= 1
                    coming = False
                jobs = self._jobs
                job = None
                while jobs:
                    job = jobs.popleft()
                    if not job.abandoned:  # else it timed out before it started
                        job.state = "running"
                        job.thread_id = ident
                        if jobs and self._spread:
                            call = self._call_worker()
                        break
                    job = None
                if job is None:
                    self._spread = False
                    if self._closed:
                        idle = False
                    else:
                        self._idle += 1
                        idle = True
            if done is not None:
                assert outcome is not None
                done.mailbox.post(done, outcome)
                done = None
            if job is not None:
                if call:
                    self._answer(call)
                return job
            if not idle:
                return None
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
