"""Inline execution environments: Python handlers run in this process, in worker threads.

One invocation::

    invoke()  (event loop)                         worker thread (daemon, one job at a time)
    ──────────────────────                         ─────────────────────────────────────────
    install the environ overlay, the stdout/
      stderr routers and the Lambda log handler
    wait for a slot (at most max_workers busy)
    hand the job to an idle worker  ─────────────▶ the invocation's environment and log buffer
                                                   cold start: import the handler module
                                                   event = json.loads(payload)
                                                   result = handler(event, context)
    wait for the result or the deadline  ◀──────── result JSON, or the error document
      deadline: raise HandlerTimeout in the thread; the worker is abandoned (its slot is
      freed at once; the thread exits when it next runs Python code) and the function is
      reset, so its next invocation is a cold start

Execution environments. A function's handler module is imported once (a cold start, timed
as ``init_duration_ms``) and reused by its later invocations (warm starts: module globals
survive), also by concurrent ones. A timeout, ``sys.exit()``, a failed import, or a new
``code_dir``/``handler`` makes the next invocation import it afresh. Changes to the files
themselves are not watched.

Imports. Each import of a function's code gets a private package (``_eventsim_fn<n>_<name>``)
whose ``__path__`` is the code directory, so two functions may both have an ``app.py``, a
``utils.py`` or a ``handlers/`` package without seeing each other's. ``builtins.__import__``
is wrapped (once per process): an absolute import made by a module of such a package (the
``import`` statement passes the importer's globals) of a top-level name of its code directory
(``import utils``, ``from handlers import common``) is mapped into that package; other names
(the standard library, the simulator's site-packages) and other importers go straight on. Two
exceptions: a top-level name that is only a namespace directory loses to a real package of
that name, as it would on ``sys.path``; and a package holding compiled extensions is imported
under its real name, shared by every function (most extensions cannot be loaded twice in one
process). Code that bypasses ``__import__`` (``importlib.import_module("utils")``) does not see
the code directory, and ``mock.patch("app.x")`` cannot find the handler's module by its plain
name. Nothing is added to ``sys.path``, and the working directory stays the simulator's (on
Lambda it is the code directory).

Output. ``sys.stdout``/``sys.stderr`` are replaced by routers that send a handler thread's
writes (and those of threads it starts) to its invocation's buffer and everything else to the
real stream; the root logger gets a handler that formats a handler thread's records as the
Lambda Python runtime does (``[LEVEL]\\t<time>Z\\t<request id>\\t<message>``). A buffer keeps
the first `DEFAULT_LOG_LIMIT` bytes and says how much it dropped. Writes to file descriptors
(``os.write(1, ...)``, ``sys.stdout.buffer``, C code, child processes) are not captured, and
a thread a handler started keeps writing to that invocation's buffer (to the real stream once
the invocation is over; dropped after a timeout), even when it later works for another one.
Changes a handler makes to process-wide state (``sys.stdout``, the root logger's level,
``sys.path``, ``os.chdir``) affect the whole process, as they would not on Lambda.
"""

from __future__ import annotations

import asyncio
import builtins
import ctypes
import decimal
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import itertools
import json
import logging
import math
import os
import queue
import re
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TextIO

from eventsim.errors import SimulatorStateError
from eventsim.runtime import environ
from eventsim.runtime.base import InvokeRequest, InvokeResult, InvokeStatus
from eventsim.runtime.context import LambdaContext
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["DEFAULT_LOG_LIMIT", "HandlerTimeout", "InlineRuntime"]

LOG = logging.getLogger(__name__)

DEFAULT_LOG_LIMIT = 1 << 20
"""Bytes of output kept per invocation (the rest is counted, not kept)."""

_THIS_FILE = __file__

# awslambdaric's FaultException types.
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
EXIT_ERROR = "Runtime.ExitError"
TIMEOUT_ERROR = "Sandbox.Timedout"


class HandlerTimeout(BaseException):
    """Raised inside a handler's thread once its invocation has timed out.

    A `BaseException`, so handler code's ``except Exception`` does not swallow it. It arrives
    when the thread next runs Python bytecode: a thread blocked in C (``time.sleep(60)``, a
    socket read) finishes that call first.
    """


# ------------------------------------------------------------------------------------- imports

_SCOPE_PREFIX = "_eventsim_fn"
_scope_numbers = itertools.count(1)
_SCOPES: dict[str, _Scope] = {}
"""Private package name → the scope it belongs to."""
_SHARED_DIRS: dict[str, str] = {}
"""Top-level name of a compiled package → the code directory it is imported from."""
_delegate_import = builtins.__import__
"""The ``__import__`` that `_scoped_import` hands everything to (the one found at install)."""
_import_hook_installed = False
_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)

_Kind = Literal["scoped", "shared", "outside"]


def _top_level_names(code_dir: str) -> dict[str, str]:
    """What each importable name in ``code_dir`` is, by FileFinder's precedence."""
    rank = {"package": 0, "compiled": 1, "module": 2, "namespace": 3}
    found: dict[str, str] = {}

    def note(name: str, what: str) -> None:
        if name.isidentifier() and (name not in found or rank[what] < rank[found[name]]):
            found[name] = what

    try:
        entries = list(os.scandir(code_dir))
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            init = os.path.join(entry.path, "__init__")
            is_package = os.path.isfile(init + ".py") or os.path.isfile(init + ".pyc")
            note(name, "package" if is_package else "namespace")
        elif name.endswith(_EXTENSION_SUFFIXES):
            note(next(name[: -len(s)] for s in _EXTENSION_SUFFIXES if name.endswith(s)), "compiled")
        elif name.endswith(".py"):
            note(name[:-3], "module")
        elif name.endswith(".pyc"):
            note(name[:-4], "module")
    return found


def _has_extensions(directory: str) -> bool:
    for _, _, files in os.walk(directory):
        if any(f.endswith(_EXTENSION_SUFFIXES) for f in files):
            return True
    return False


class _Scope:
    """One import of a function's code directory, under a private package name."""

    def __init__(self, function_name: str, code_dir: str) -> None:
        safe = re.sub(r"\W", "_", function_name)[:40]
        self.prefix = f"{_SCOPE_PREFIX}{next(_scope_numbers)}_{safe}"
        self.code_dir = code_dir
        self._names = _top_level_names(code_dir)
        self._kinds: dict[str, _Kind] = {}
        spec = importlib.machinery.ModuleSpec(self.prefix, None, is_package=True)
        spec.submodule_search_locations = [code_dir]
        package = importlib.util.module_from_spec(spec)
        package.__doc__ = f"eventsim: the modules of {code_dir} for function {function_name}"
        _SCOPES[self.prefix] = self
        sys.modules[self.prefix] = package

    def kind(self, top: str) -> _Kind:
        """How a top-level name imported by this code is resolved."""
        kind = self._kinds.get(top)
        if kind is not None:
            return kind
        what = self._names.get(top)
        path = os.path.join(self.code_dir, top)
        if what is None:
            kind = "outside"
        elif what == "compiled" or (what != "module" and _has_extensions(path)):
            kind = "shared"
            _SHARED_DIRS.setdefault(top, self.code_dir)
        elif what == "namespace":
            spec = importlib.util.find_spec(top)
            kind = "outside" if spec is not None and spec.origin is not None else "scoped"
        else:
            kind = "scoped"
        self._kinds[top] = kind
        return kind

    def import_(
        self,
        name: str,
        globals: Mapping[str, object] | None,
        locals: Mapping[str, object] | None,
        fromlist: Sequence[str] | None,
    ) -> types.ModuleType:
        """``__import__`` of an absolute name by a module of this scope."""
        top = name.partition(".")[0]
        if self.kind(top) != "scoped":
            return _delegate_import(name, globals, locals, fromlist, 0)
        module = _delegate_import(f"{self.prefix}.{name}", globals, locals, fromlist, 0)
        if fromlist:
            return module
        return sys.modules[f"{self.prefix}.{top}"]

    def import_module(self, dotted: str) -> types.ModuleType:
        """Import a module of this code (``handlers.thumbnail``) and return it."""
        if self.kind(dotted.partition(".")[0]) == "scoped":
            return importlib.import_module(f"{self.prefix}.{dotted}")
        return importlib.import_module(dotted)

    def unscope(self, text: str) -> str:
        """``text`` with the private package name taken out of module names."""
        return text.replace(f"{self.prefix}.", "")

    def discard(self) -> None:
        """Forget the modules of this scope (they live on while something references them)."""
        _SCOPES.pop(self.prefix, None)
        for name in list(sys.modules):
            if name == self.prefix or name.startswith(f"{self.prefix}."):
                sys.modules.pop(name, None)


def _scoped_import(
    name: str,
    globals: Mapping[str, object] | None = None,
    locals: Mapping[str, object] | None = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> types.ModuleType:
    """``builtins.__import__`` once the runtime is installed: an absolute import made by a
    module of a scope (its globals are passed by the ``import`` statement) goes through that
    scope; everything else goes straight on."""
    if level == 0 and globals is not None:
        importer = globals.get("__name__")
        if isinstance(importer, str) and importer.startswith(_SCOPE_PREFIX):
            scope = _SCOPES.get(importer.partition(".")[0])
            if scope is not None:
                return scope.import_(name, globals, locals, fromlist)
    return _delegate_import(name, globals, locals, fromlist, level)


class _SharedFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: a compiled package of a code directory that nothing on
    ``sys.path`` provides is imported from that directory, under its own name."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        directory = _SHARED_DIRS.get(fullname) if path is None else None
        if directory is None:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [directory], target)


# ------------------------------------------------------------------------------------- output


class _LogBuffer:
    """One invocation's output: the first ``limit`` bytes, and a count of the rest."""

    def __init__(self, request_id: str, limit: int) -> None:
        self.request_id = request_id
        self._limit = limit
        self._parts: list[str] = []
        self._size = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._open = True
        self._discard_late = False

    def accept(self, text: str) -> bool:
        """Keep ``text`` if the invocation is running; False once it has ended (the caller
        then writes to the real stream)."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            if not self._open:
                return self._discard_late
            size = len(text.encode("utf-8", "replace"))
            room = self._limit - self._size
            if size <= room:
                self._parts.append(text)
                self._size += size
                return True
            if room > 0:
                kept = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
                self._parts.append(kept)
                kept_size = len(kept.encode("utf-8"))
                self._size += kept_size
                size -= kept_size
            self.dropped += size
            return True

    def write(self, text: str) -> int:
        """File-like write, for `LambdaContext.log`."""
        if not self.accept(text):
            sys.stdout.write(text)
        return len(text)

    def close(self, *, discard_late: bool = False) -> str:
        """End the invocation's capture and return what it kept."""
        with self._lock:
            self._open = False
            self._discard_late = discard_late
            text = "".join(self._parts)
            self._parts = []
        if self.dropped:
            if text and not text.endswith("\n"):
                text += "\n"
            text += (
                f"[eventsim] {self.dropped} more bytes of output were dropped "
                f"(at most {self._limit} bytes are kept per invocation)\n"
            )
        return text


_SINK: environ.InheritableLocal[_LogBuffer] = environ.InheritableLocal("invocation log")


class _StreamRouter:
    """Stands in for ``sys.stdout``/``sys.stderr``: a handler thread's writes go to its
    invocation's buffer, everyone else's to the real stream."""

    def __init__(self, real: TextIO) -> None:
        self._real = real

    def write(self, text: str) -> int:
        sink = _SINK.get()
        if sink is not None and sink.accept(text):
            return len(text)
        return self._real.write(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _SINK.get() is None:
            self._real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _LambdaLogHandler(logging.Handler):
    """The root logger handler of the Lambda Python runtime, for handler threads only."""

    def __init__(self) -> None:
        super().__init__()
        formatter = logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def handle(self, record: logging.LogRecord) -> bool:
        sink = _SINK.get()
        if sink is None:
            return False
        # What awslambdaric's LambdaLoggerFilter adds to every record.
        record.aws_request_id = sink.request_id
        record.tenant_id = None
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        sink = _SINK.get()
        if sink is None:
            return
        try:
            sink.accept(self.format(record))
        except Exception:
            self.handleError(record)


_LOG_HANDLER = _LambdaLogHandler()


def _install_process_hooks() -> None:
    """Everything the inline runtime changes in the process; idempotent, cheap to repeat
    (stream routers are re-applied if someone, such as pytest's capture, swapped them out)."""
    global _delegate_import, _import_hook_installed
    environ.install()
    if not _import_hook_installed:
        # Once per process and never undone: a later wrapper of ours must keep working.
        _import_hook_installed = True
        _delegate_import = builtins.__import__
        builtins.__import__ = _scoped_import
    if not any(isinstance(f, _SharedFinder) for f in sys.meta_path):
        sys.meta_path.append(_SharedFinder())
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _StreamRouter):
            setattr(sys, name, _StreamRouter(stream))
    root = logging.getLogger()
    if _LOG_HANDLER not in root.handlers:
        root.addHandler(_LOG_HANDLER)


# ----------------------------------------------------------------------------- error documents


class _Fault(Exception):
    """awslambdaric's FaultException: a runtime-detected error with an AWS error type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class _InitFailed(Exception):
    def __init__(self, error: dict[str, Any], init_duration_ms: float) -> None:
        super().__init__(error.get("errorMessage"))
        self.error = error
        self.init_duration_ms = init_duration_ms


def _make_error(
    message: str | None, error_type: str | None, trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def _stack_trace(tb: types.TracebackType | None) -> list[str]:
    """The frames as awslambdaric formats them, without the runtime's own (awslambdaric drops
    its leading bootstrap frames; ours also show up in the middle, as the import loader)."""
    frames = [
        (f.filename, f.lineno, f.name, f.line)
        for f in traceback.extract_tb(tb)
        if f.filename != _THIS_FILE
    ]
    return traceback.format_list(frames)  # type: ignore[arg-type]


def _exception_error(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    return _make_error(str(exc), type(exc).__name__, _stack_trace(exc.__traceback__), request_id)


def _error_log(error: Mapping[str, Any]) -> str:
    """The ``[ERROR]`` entry the runtime logs for a failure (newlines where AWS uses ``\\r``)."""
    line = "[ERROR]"
    if error.get("errorType"):
        line += " " + str(error["errorType"])
    if error.get("errorMessage"):
        line += (":" if error.get("errorType") else "") + " " + str(error["errorMessage"])
    lines = [line]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            lines.extend(str(element).splitlines() or [""])
    return "\n".join(lines) + "\n"


def _timestamp(epoch: float | None = None) -> str:
    now = time.time() if epoch is None else epoch
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


class _Encoder(json.JSONEncoder):
    """JSON as awslambdaric's marshaller writes it (Decimals as numbers)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            exponent = o.as_tuple().exponent
            return int(o) if isinstance(exponent, int) and exponent >= 0 else float(o)
        return super().default(o)


def _marshal(response: Any, runtime: str) -> bytes:
    if isinstance(response, bytes):
        return response
    try:
        # awslambdaric writes non-ASCII characters as they are only on python3.12.
        return _Encoder(ensure_ascii=runtime != "python3.12").encode(response).encode()
    except Exception as exc:
        raise _Fault(MARSHAL_ERROR, f"Unable to marshal response: {exc}") from None


# ---------------------------------------------------------------------------- environments


class _Instance:
    """One import of a function's handler: what Lambda calls an execution environment."""

    def __init__(self, function: FunctionConfig) -> None:
        self.code_dir = function.code_dir
        self.handler_name = function.handler
        self.lock = threading.Lock()
        self.handler: Callable[[Any, LambdaContext], Any] | None = None
        self.scope: _Scope | None = None
        self.journal: dict[str, str | None] = {}
        """Environment changes its handlers made; replayed into later invocations."""
        self.active = 0
        self.stale = False

    def matches(self, function: FunctionConfig) -> bool:
        return (
            not self.stale
            and self.code_dir == function.code_dir
            and self.handler_name == function.handler
        )

    def load(self, function: FunctionConfig) -> Callable[[Any, LambdaContext], Any]:
        """Import the handler, raising `_Fault` (or the module's own exception) on failure."""
        handler = function.handler
        try:
            modname, fname = handler.rsplit(".", 1)
        except ValueError as exc:
            raise _Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from None
        if modname.split(".")[0] in sys.builtin_module_names:
            raise _Fault(
                BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {modname} as a handler module",
            )
        self.scope = scope = _Scope(function.name, function.code_dir)
        try:
            module = scope.import_module(modname.replace("/", "."))
        except ImportError as exc:
            message = scope.unscope(str(exc))
            raise _Fault(
                IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {message}"
            ) from None
        except SyntaxError as exc:
            trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
            raise _Fault(
                USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {exc}", trace
            ) from None
        try:
            request_handler: Callable[[Any, LambdaContext], Any] = getattr(module, fname)
        except AttributeError:
            raise _Fault(
                HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}'"
            ) from None
        return request_handler

    def discard(self) -> None:
        if self.scope is not None:
            self.scope.discard()
            self.scope = None


@dataclass
class _Outcome:
    status: InvokeStatus
    payload: bytes | None
    error: dict[str, Any] | None
    duration_ms: float
    init_duration_ms: float | None


class _Job:
    """One invocation handed to a worker."""

    def __init__(
        self,
        request: InvokeRequest,
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[_Outcome],
        log_limit: int,
    ) -> None:
        self.request = request
        self.loop = loop
        self.future = future
        self.buffer = _LogBuffer(request.request_id, log_limit)
        self.lock = threading.Lock()
        self.state: Literal["pending", "running", "done"] = "pending"
        self.abandoned = False
        self.thread_id = 0
        self.instance: _Instance | None = None

    def deliver(self, outcome: _Outcome | BaseException) -> None:
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


class _Worker(threading.Thread):
    """A daemon thread that runs jobs one after another until stopped or abandoned.

    Daemon, so a handler stuck in C code cannot keep the process from exiting (the threads of
    ``concurrent.futures`` are joined at exit).
    """

    def __init__(self, runtime: InlineRuntime, number: int) -> None:
        super().__init__(name=f"eventsim-inline-{number}", daemon=True)
        self._runtime = runtime
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()

    def submit(self, job: _Job) -> None:
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
                self._runtime._thread_exited()

    def _run(self, job: _Job) -> bool:
        """Run a job; False if it was abandoned (this thread then leaves the pool)."""
        with job.lock:
            if job.abandoned:  # timed out before it started
                self._runtime._return_worker(self)
                return True
            job.state = "running"
            job.thread_id = threading.get_ident()
        outcome: _Outcome | BaseException
        try:
            outcome = self._runtime._execute(job)
        except BaseException as exc:  # HandlerTimeout, or a bug of ours
            outcome = exc
        with job.lock:
            job.state = "done"
            abandoned = job.abandoned
        if abandoned:
            _raise_in_thread(job.thread_id, None)
            return False
        self._runtime._return_worker(self)
        job.deliver(outcome)
        return True


# ---------------------------------------------------------------------------------- runtime


class InlineRuntime:
    """Runs Python handlers in this process, in up to ``max_workers`` worker threads.

    Implements `eventsim.runtime.base.Runtime`. ``async with InlineRuntime(4) as runtime:``
    or call `aclose` when done.
    """

    _worker_numbers: ClassVar[itertools.count[int]] = itertools.count(1)

    def __init__(self, max_workers: int = 32, *, log_limit: int = DEFAULT_LOG_LIMIT) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self.log_limit = log_limit
        self._slots = asyncio.Semaphore(max_workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._instances: dict[tuple[str, str], _Instance] = {}
        self._abandoned = 0
        self._started_workers = False
        self._closed = False

    async def __aenter__(self) -> InlineRuntime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def abandoned_threads(self) -> int:
        """Threads of timed-out invocations that have not finished yet."""
        return self._abandoned

    async def invoke(self, request: InvokeRequest) -> InvokeResult:
        """Run one invocation to its end: success, error or timeout."""
        if self._closed:
            raise SimulatorStateError("The inline runtime is closed.")
        _install_process_hooks()
        loop = asyncio.get_running_loop()
        async with self._slots:
            future: asyncio.Future[_Outcome] = loop.create_future()
            job = _Job(request, loop, future, self.log_limit)
            started = time.perf_counter()
            self._take_worker().submit(job)
            timeout = max(0.0, request.deadline_ms / 1000 - time.time())
            try:
                await asyncio.wait({future}, timeout=timeout)
                if not future.done() and not self._abandon(job):
                    await future  # it finished right at the deadline: its result stands
            except asyncio.CancelledError:
                self._abandon(job)
                raise
            if not future.done() or isinstance(future.exception(), HandlerTimeout):
                # (a HandlerTimeout result: another invocation's cold start ate the deadline)
                return self._timeout_result(job, started)
            outcome = future.result()
        logs = job.buffer.close()
        if outcome.error is not None:
            logs += _error_log(outcome.error)
        extra = {"log_bytes_dropped": job.buffer.dropped} if job.buffer.dropped else {}
        return InvokeResult(
            status=outcome.status,
            payload=outcome.payload,
            error=outcome.error,
            logs=logs,
            duration_ms=outcome.duration_ms,
            init_duration_ms=outcome.init_duration_ms,
            extra=extra,
        )

    async def aclose(self) -> None:
        """Stop the idle workers and forget every loaded function. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            idle, self._idle = self._idle, []
            instances = list(self._instances.values())
            self._instances.clear()
            for instance in instances:
                instance.stale = True
                if instance.active == 0:
                    instance.discard()
        for worker in idle:
            worker.stop()
        if idle:
            await asyncio.to_thread(_join, idle, 5.0)

    def __del__(self) -> None:
        if getattr(self, "_started_workers", False) and not getattr(self, "_closed", True):
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1)

    # -- the pool -----------------------------------------------------------------------------

    def _take_worker(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self._started_workers = True
        worker = _Worker(self, next(self._worker_numbers))
        worker.start()
        return worker

    def _return_worker(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_workers:
                self._idle.append(worker)
                return
        worker.stop()

    def _thread_exited(self) -> None:
        with self._lock:
            self._abandoned -= 1

    def _abandon(self, job: _Job) -> bool:
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
        instance = job.instance
        if instance is not None:
            # Lambda resets the environment after a timeout: the next invocation is cold.
            self._release(instance, stale=True, count=False)
        return True

    # -- execution environments ----------------------------------------------------------------

    def _acquire(self, function: FunctionConfig) -> _Instance:
        key = (function.arn, function.version)
        with self._lock:
            instance = self._instances.get(key)
            if instance is None or not instance.matches(function):
                if instance is not None:
                    instance.stale = True
                    if instance.active == 0:
                        instance.discard()
                instance = _Instance(function)
                self._instances[key] = instance
            instance.active += 1
            return instance

    def _release(self, instance: _Instance, *, stale: bool = False, count: bool = True) -> None:
        with self._lock:
            if count:
                instance.active -= 1
            if stale:
                instance.stale = True
            if instance.stale and instance.active == 0:
                instance.discard()

    def _execute(self, job: _Job) -> _Outcome:
        """Run one invocation in the current (worker) thread."""
        request = job.request
        function = request.function
        instance = job.instance = self._acquire(function)
        failed = False
        try:
            env = dict(request.environment)
            for key, value in instance.journal.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
            if request.trace_header:
                env["_X_AMZN_TRACE_ID"] = request.trace_header
            layer = environ.EnvironmentLayer(env, journal=instance.journal)
            with environ.activate(layer), _SINK.scoped(job.buffer):
                try:
                    handler, init_ms = self._load(instance, function, request)
                except _InitFailed as exc:
                    failed = True
                    return _Outcome("Error", _dump(exc.error), exc.error, 0.0, exc.init_duration_ms)
                outcome = self._call(handler, instance, request, job.buffer)
                outcome.init_duration_ms = init_ms
                failed = outcome.error is not None and outcome.error["errorType"] == EXIT_ERROR
                return outcome
        finally:
            self._release(instance, stale=failed)

    def _load(
        self, instance: _Instance, function: FunctionConfig, request: InvokeRequest
    ) -> tuple[Callable[[Any, LambdaContext], Any], float | None]:
        """The instance's handler, importing it on a cold start."""
        remaining = max(0.001, request.deadline_ms / 1000 - time.time())
        if not instance.lock.acquire(timeout=remaining):
            raise HandlerTimeout  # another invocation's cold start outlasted our deadline
        try:
            if instance.handler is not None:
                return instance.handler, None
            started = time.perf_counter()
            try:
                instance.handler = instance.load(function)
            except _Fault as fault:
                instance.stale = True
                error = _make_error(fault.message, fault.error_type, fault.trace, None)
                raise _InitFailed(error, (time.perf_counter() - started) * 1000) from None
            except Exception as exc:  # the module raised while being imported
                instance.stale = True
                error = _exception_error(exc, None)
                if instance.scope is not None:
                    error["errorMessage"] = instance.scope.unscope(error["errorMessage"])
                raise _InitFailed(error, (time.perf_counter() - started) * 1000) from None
            except BaseException:
                instance.stale = True
                raise
            return instance.handler, (time.perf_counter() - started) * 1000
        finally:
            instance.lock.release()

    def _call(
        self,
        handler: Callable[[Any, LambdaContext], Any],
        instance: _Instance,
        request: InvokeRequest,
        buffer: _LogBuffer,
    ) -> _Outcome:
        started = time.perf_counter()
        error: dict[str, Any] | None = None
        payload = b""
        try:
            context = LambdaContext.from_request(request, log_sink=buffer.write)
            try:
                event = json.loads(request.payload)
            except ValueError as exc:
                raise _Fault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None
            response = handler(event, context)
            payload = _marshal(response, request.function.runtime)
        except _Fault as fault:
            error = _make_error(fault.message, fault.error_type, fault.trace, request.request_id)
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
            error = _exception_error(exc, request.request_id)
            if instance.scope is not None:
                error["errorMessage"] = instance.scope.unscope(error["errorMessage"])
        duration_ms = (time.perf_counter() - started) * 1000
        if error is not None:
            return _Outcome("Error", _dump(error), error, duration_ms, None)
        return _Outcome("Success", payload, None, duration_ms, None)

    def _timeout_result(self, job: _Job, started: float) -> InvokeResult:
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
            payload=_dump(error),
            error=error,
            logs=logs,
            duration_ms=(time.perf_counter() - started) * 1000,
            extra=extra,
        )


def _dump(error: Mapping[str, Any]) -> bytes:
    return json.dumps(error).encode()


def _join(workers: list[_Worker], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
