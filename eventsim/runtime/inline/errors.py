"""Error documents as awslambdaric writes them, and the JSON it marshals responses with.

A failed invocation reports ``{errorMessage, errorType, requestId, stackTrace}``; errors that
the runtime itself detects carry one of awslambdaric's ``Runtime.*`` types (`Fault`).
"""

from __future__ import annotations

import decimal
import json
import logging
import math
import os
import traceback
import types
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BUILT_IN_MODULE_CONFLICT",
    "EXIT_ERROR",
    "HANDLER_NOT_FOUND",
    "IMPORT_MODULE_ERROR",
    "MALFORMED_HANDLER_NAME",
    "MARSHAL_ERROR",
    "TIMEOUT_ERROR",
    "UNMARSHAL_ERROR",
    "USER_CODE_SYNTAX_ERROR",
    "Fault",
    "HandlerTimeout",
    "InitFailed",
    "dump",
    "error_log",
    "exception_error",
    "make_error",
    "marshal",
]

LOG = logging.getLogger(__name__)

_PACKAGE_DIR = os.path.dirname(__file__)
"""The inline runtime's own frames (every module of this package) are left out of traces."""

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


class Fault(Exception):
    """awslambdaric's FaultException: a runtime-detected error with an AWS error type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class InitFailed(Exception):
    """Loading the handler failed; ``error`` is the invocation's error document."""

    def __init__(self, error: dict[str, Any], init_duration_ms: float) -> None:
        super().__init__(error.get("errorMessage"))
        self.error = error
        self.init_duration_ms = init_duration_ms


def make_error(
    message: str | None, error_type: str | None, trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    """An error document with awslambdaric's four fields."""
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
        if os.path.dirname(f.filename) != _PACKAGE_DIR
    ]
    return traceback.format_list(frames)  # type: ignore[arg-type]


def exception_error(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    """The error document of an exception raised by handler code."""
    return make_error(str(exc), type(exc).__name__, _stack_trace(exc.__traceback__), request_id)


def error_log(error: Mapping[str, Any]) -> str:
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


def dump(error: Mapping[str, Any]) -> bytes:
    """An error document as the invocation's payload."""
    return json.dumps(error).encode()


class _Encoder(json.JSONEncoder):
    """JSON as awslambdaric's marshaller writes it (Decimals as numbers)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            exponent = o.as_tuple().exponent
            return int(o) if isinstance(exponent, int) and exponent >= 0 else float(o)
        return super().default(o)


# awslambdaric writes non-ASCII characters as they are only on python3.12. One encoder of
# each kind, made once: making a JSONEncoder cost more than encoding a small answer, and an
# encoder keeps no state between calls, so worker threads can share it.
_ENCODERS = {True: _Encoder(ensure_ascii=True), False: _Encoder(ensure_ascii=False)}


def marshal(response: Any, runtime: str) -> bytes:
    """A handler's return value as the response payload; raises `Fault` if it is not JSON."""
    if isinstance(response, bytes):
        return response
    if response is None:  # most handlers answer nothing: skip the encoder's set-up
        return b"null"
    try:
        return _ENCODERS[runtime != "python3.12"].encode(response).encode()
    except Exception as exc:
        raise Fault(MARSHAL_ERROR, f"Unable to marshal response: {exc}") from None
