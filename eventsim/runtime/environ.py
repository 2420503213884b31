"""A per-thread view of ``os.environ``, so inline handlers each see their own environment.

Inline handlers share one process, but each function has its own environment (``DEST_BUCKET``,
``AWS_ENDPOINT_URL``, ``AWS_LAMBDA_FUNCTION_NAME``, ``_X_AMZN_TRACE_ID``...). botocore reads
those from ``os.environ`` at call time (endpoint, credentials, region, and the recursion
detection header ``X-Amzn-Trace-Id``), so the environment has to be right *per thread*.

`install` turns the one ``os.environ`` object into an `EnvironOverlay` (by swapping its class,
so every reference to it, ``from os import environ`` and ``os.getenv`` included, is covered)::

    thread with an active EnvironmentLayer          any other thread
    ─────────────────────────────────────           ────────────────────────────────────
    reads:  the layer (isolated: nothing else;      exactly os._Environ: reads and writes
            inheriting: layer, then the process)    the process environment (putenv and
    writes: the layer only (and its journal);       unsetenv included)
            the process environment is untouched

Threads a handler starts inherit its layer: `install` also wraps ``threading.Thread.start`` so a
new thread takes a snapshot of the starting thread's `InheritableLocal` values. That covers
``threading.Thread``, ``concurrent.futures.ThreadPoolExecutor`` (its workers are started by
the thread that submits), ``asyncio.to_thread`` and boto3's transfer threads. A thread keeps
what it inherited for its whole life: a pool created during one invocation and reused by the
next still sees the first invocation's layer (same function, but an older
``_X_AMZN_TRACE_ID``). Threads started by C code (``_thread.start_new_thread``) inherit nothing.

`install` also makes ``subprocess.Popen(env=None)`` inside a layer pass the layer's environment
to the child. Not covered: ``os.environb``/``os.getenvb`` (they read the process environment),
``os.system``/``os.exec*`` without an explicit environment, and C code calling ``getenv()``.

`uninstall` puts everything back (for tests).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

__all__ = [
    "EnvironOverlay",
    "EnvironmentLayer",
    "InheritableLocal",
    "activate",
    "current_layer",
    "enter",
    "enter_with",
    "install",
    "installed",
    "leave",
    "leave_with",
    "uninstall",
]

T = TypeVar("T")

_INHERITED_ATTR = "_eventsim_inherited"
_install_lock = threading.RLock()
_state = threading.local()
_original_start = threading.Thread.start
_original_popen_init = subprocess.Popen.__init__


# --------------------------------------------------------------------------- thread-inherited state


def _own_values() -> dict[InheritableLocal[Any], Any]:
    values: dict[InheritableLocal[Any], Any] | None = getattr(_state, "values", None)
    if values is None:
        inherited = getattr(threading.current_thread(), _INHERITED_ATTR, None)
        values = dict(inherited) if inherited else {}
        _state.values = values
    return values


class InheritableLocal(Generic[T]):
    """A thread-local value that threads started from a thread holding it inherit.

    Inheritance works once `install` has run; without it this is a plain thread-local.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self) -> T | None:
        """The value for the current thread, or None."""
        value: T | None = _own_values().get(self)
        return value

    def swap(self, value: T | None) -> T | None:
        """Set the value for the current thread (None: unset it); return the one it replaced.
        `scoped` without a generator, for hot paths: swap back in a ``finally``."""
        values = _own_values()
        previous: T | None = values.get(self)
        if value is None:
            values.pop(self, None)
        else:
            values[self] = value
        return previous

    @contextmanager
    def scoped(self, value: T | None) -> Iterator[None]:
        """Set the value for the current thread for the duration of a ``with`` block."""
        previous = self.swap(value)
        try:
            yield
        finally:
            self.swap(previous)

    def __repr__(self) -> str:
        return f"InheritableLocal({self.name!r})"


def _start_inheriting(self: threading.Thread) -> None:
    values = _own_values()
    if values:
        setattr(self, _INHERITED_ATTR, dict(values))
    _original_start(self)


# --------------------------------------------------------------------------------------- layers


class EnvironmentLayer:
    """The environment of one thread (and the threads it starts).

    ``inherit=False`` (what the inline runtime uses, as Lambda does) shows only ``values``;
    ``inherit=True`` shows ``values`` on top of the process environment, and a deletion hides
    the process's variable. Writes change ``values`` and are also recorded in ``journal``
    (``None`` for a deletion), which lets a later layer replay them: on Lambda a handler's
    ``os.environ`` change outlives the invocation that made it.
    """

    __slots__ = ("hidden", "inherit", "journal", "values")

    def __init__(
        self,
        values: Mapping[str, str],
        *,
        inherit: bool = False,
        journal: MutableMapping[str, str | None] | None = None,
    ) -> None:
        self.values: dict[str, str] = dict(values)
        self.inherit = inherit
        self.journal = journal
        self.hidden: set[str] = set()
        """Process variables deleted in this layer (``inherit=True`` only)."""

    def get(self, key: str, process: Mapping[str, str]) -> str:
        try:
            return self.values[key]
        except KeyError:
            if self.inherit and key not in self.hidden:
                return process[key]
            raise

    def set(self, key: str, value: str) -> None:
        self.values[key] = value
        self.hidden.discard(key)
        if self.journal is not None:
            self.journal[key] = value

    def delete(self, key: str, process: Mapping[str, str]) -> None:
        if key in self.values:
            del self.values[key]
        elif self.inherit and key not in self.hidden and key in process:
            pass
        else:
            raise KeyError(key)
        if self.inherit:
            self.hidden.add(key)
        if self.journal is not None:
            self.journal[key] = None

    def keys(self, process: Mapping[str, str]) -> list[str]:
        keys = list(self.values)
        if self.inherit:
            keys += [k for k in process if k not in self.values and k not in self.hidden]
        return keys

    def __repr__(self) -> str:
        return f"EnvironmentLayer({len(self.values)} variables, inherit={self.inherit})"


_LAYER: InheritableLocal[EnvironmentLayer] = InheritableLocal("environment layer")


def current_layer() -> EnvironmentLayer | None:
    """The layer the current thread sees, if any."""
    return _LAYER.get()


@contextmanager
def activate(layer: EnvironmentLayer) -> Iterator[EnvironmentLayer]:
    """Make ``layer`` the current thread's environment for a ``with`` block. Calls `install`."""
    previous = enter(layer)
    try:
        yield layer
    finally:
        leave(previous)


def enter(layer: EnvironmentLayer | None) -> EnvironmentLayer | None:
    """`activate` for hot paths: make ``layer`` the current thread's environment and return
    the one it replaces, to hand to `leave` in a ``finally``. Calls `install`."""
    install()
    return _LAYER.swap(layer)


def leave(previous: EnvironmentLayer | None) -> None:
    """Undo `enter`: put back the environment it returned."""
    _LAYER.swap(previous)


def enter_with(
    layer: EnvironmentLayer, local: InheritableLocal[T], value: T
) -> tuple[EnvironmentLayer | None, T | None]:
    """`enter`, also setting ``local`` to ``value`` for the current thread: the thread's values
    are looked up once instead of four times (the inline runtime does this for every
    invocation). Hand what it returns to `leave_with`."""
    install()
    values = _own_values()
    previous = (values.get(_LAYER), values.get(local))
    values[_LAYER] = layer
    values[local] = value
    return previous


def leave_with(
    previous: tuple[EnvironmentLayer | None, T | None], local: InheritableLocal[T]
) -> None:
    """Undo `enter_with`."""
    values = _own_values()
    for key, value in ((_LAYER, previous[0]), (local, previous[1])):
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value


class _ProcessView(Mapping[str, str]):
    """The process environment as a plain mapping (bypasses the overlay)."""

    def __init__(self, environ: os._Environ[str]) -> None:
        self._environ = environ

    def __getitem__(self, key: str) -> str:
        return os._Environ.__getitem__(self._environ, key)

    def __iter__(self) -> Iterator[str]:
        return os._Environ.__iter__(self._environ)

    def __len__(self) -> int:
        return os._Environ.__len__(self._environ)


def _check(key: object, value: object | None = None) -> None:
    # The checks os.environ and putenv() make, without touching the process environment.
    if not isinstance(key, str):
        raise TypeError(f"str expected, not {type(key).__name__}")
    if value is not None and not isinstance(value, str):
        raise TypeError(f"str expected, not {type(value).__name__}")
    if not key or "=" in key or "\0" in key or (value is not None and "\0" in value):
        raise ValueError("illegal environment variable name")


class EnvironOverlay(os._Environ[str]):
    """``os.environ`` once `install` has run: the current thread's layer, else the process's."""

    def __getitem__(self, key: str) -> str:
        layer = _LAYER.get()
        if layer is None:
            return super().__getitem__(key)
        # Inline rather than layer.get(): one frame in a traceback, like os._Environ's.
        try:
            return layer.values[key]
        except KeyError:
            pass
        if layer.inherit and key not in layer.hidden:
            return super().__getitem__(key)
        raise KeyError(key) from None

    def __setitem__(self, key: str, value: str) -> None:
        layer = _LAYER.get()
        if layer is None:
            super().__setitem__(key, value)
            return
        _check(key, value)
        layer.set(key, value)

    def __delitem__(self, key: str) -> None:
        layer = _LAYER.get()
        if layer is None:
            super().__delitem__(key)
            return
        _check(key)
        layer.delete(key, _ProcessView(self))

    def __iter__(self) -> Iterator[str]:
        layer = _LAYER.get()
        if layer is None:
            return super().__iter__()
        return iter(layer.keys(_ProcessView(self)))

    def __len__(self) -> int:
        layer = _LAYER.get()
        if layer is None:
            return super().__len__()
        return len(layer.keys(_ProcessView(self)))

    def __repr__(self) -> str:
        if _LAYER.get() is None:
            return super().__repr__()
        items = ", ".join(f"{k!r}: {v!r}" for k, v in self.copy().items())
        return f"environ({{{items}}})"

    def copy(self) -> dict[str, str]:
        layer = _LAYER.get()
        if layer is None:
            return super().copy()
        process = _ProcessView(self)
        result: dict[str, str] = {}
        for key in layer.keys(process):
            try:
                result[key] = layer.get(key, process)
            except KeyError:  # deleted by another thread meanwhile
                pass
        return result


def _popen_init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
    # Popen(args, bufsize, executable, stdin, stdout, stderr, preexec_fn, close_fds, shell, cwd,
    # env, ...): env is the 11th parameter.
    if kwargs.get("env") is None and len(args) < 11 and _LAYER.get() is not None:
        kwargs["env"] = os.environ.copy()
    _original_popen_init(self, *args, **kwargs)


# ---------------------------------------------------------------------------------- install


def installed() -> bool:
    """Whether `install` is in effect."""
    return type(os.environ) is EnvironOverlay


def install() -> None:
    """Put the overlay in place. Idempotent and thread-safe."""
    if installed():
        return
    with _install_lock:
        if installed():
            return
        if type(os.environ) is not os._Environ:
            raise RuntimeError(f"os.environ is a {type(os.environ)!r}; cannot install the overlay")
        setattr(threading.Thread, "start", _start_inheriting)  # noqa: B010
        setattr(subprocess.Popen, "__init__", _popen_init)  # noqa: B010
        os.environ.__class__ = EnvironOverlay


def uninstall() -> None:
    """Undo `install` (for tests). Threads with an active layer see the process again."""
    with _install_lock:
        if not installed():
            return
        os.environ.__class__ = os._Environ
        # Put back only what is still ours: a later wrapper of ours stays (and keeps working).
        if threading.Thread.start is _start_inheriting:
            setattr(threading.Thread, "start", _original_start)  # noqa: B010
        if subprocess.Popen.__init__ is _popen_init:
            setattr(subprocess.Popen, "__init__", _original_popen_init)  # noqa: B010
