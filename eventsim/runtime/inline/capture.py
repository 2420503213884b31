"""Per-invocation output: stdout, stderr and logging of handler threads, capped in size.

``sys.stdout``/``sys.stderr`` are replaced by routers that send a handler thread's writes (and
those of threads it starts) to its invocation's buffer and everything else to the real stream;
the root logger gets a handler that formats a handler thread's records as the Lambda Python
runtime does (``[LEVEL]\\t<time>Z\\t<request id>\\t<message>``). A buffer keeps the first
`DEFAULT_LOG_LIMIT` bytes and says how much it dropped. Writes to file descriptors
(``os.write(1, ...)``, ``sys.stdout.buffer``, C code, child processes) are not captured, and
a thread a handler started keeps writing to that invocation's buffer (to the real stream once
the invocation is over; dropped after a timeout), even when it later works for another one.
Changes a handler makes to process-wide state (``sys.stdout``, the root logger's level,
``sys.path``, ``os.chdir``) affect the whole process, as they would not on Lambda.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from eventsim.runtime import environ

__all__ = ["DEFAULT_LOG_LIMIT", "SINK", "LogBuffer", "install_capture"]

LOG = logging.getLogger(__name__)

DEFAULT_LOG_LIMIT = 1 << 20
"""Bytes of output kept per invocation (the rest is counted, not kept)."""


class LogBuffer:
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


SINK: environ.InheritableLocal[LogBuffer] = environ.InheritableLocal("invocation log")
"""The buffer of the invocation the current thread works for (None: not a handler thread)."""


class _StreamRouter:
    """Stands in for ``sys.stdout``/``sys.stderr``: a handler thread's writes go to its
    invocation's buffer, everyone else's to the real stream."""

    def __init__(self, real: TextIO) -> None:
        self._real = real

    def write(self, text: str) -> int:
        sink = SINK.get()
        if sink is not None and sink.accept(text):
            return len(text)
        return self._real.write(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if SINK.get() is None:
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
        sink = SINK.get()
        if sink is None:
            return False
        # What awslambdaric's LambdaLoggerFilter adds to every record.
        record.aws_request_id = sink.request_id
        record.tenant_id = None
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        sink = SINK.get()
        if sink is None:
            return
        try:
            sink.accept(self.format(record))
        except Exception:
            self.handleError(record)


_LOG_HANDLER = _LambdaLogHandler()


def install_capture() -> None:
    """Route ``sys.stdout``/``sys.stderr`` and the root logger; idempotent, cheap to repeat
    (the routers are re-applied if someone, such as pytest's capture, swapped them out)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _StreamRouter):
            setattr(sys, name, _StreamRouter(stream))
    root = logging.getLogger()
    if _LOG_HANDLER not in root.handlers:
        root.addHandler(_LOG_HANDLER)
