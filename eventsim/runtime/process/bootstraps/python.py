"""eventsim's Python runtime client: loads ``module.function`` and loops on the Runtime API.

Run as a script (``python python.py``), not as part of the eventsim package: a cold start
must not import the simulator. It loads two modules of eventsim by path, which use only the
standard library: ``runtime/context.py`` (the same `LambdaContext` the inline runtime gives)
and ``runtime/inline/errors.py`` (awslambdaric's error documents and response marshalling).

Handler loading, error types and messages follow awslambdaric: ``Runtime.MalformedHandlerName``,
``Runtime.ImportModuleError``, ``Runtime.UserCodeSyntaxError``, ``Runtime.HandlerNotFound``
go to ``/init/error`` and the process exits. A `MemoryError` is fatal, as Lambda's
out-of-memory kill is: the process kills itself with SIGKILL.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import signal
import socket
import sys
import time
import traceback
from types import ModuleType
from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))
_RUNTIME = os.path.dirname(os.path.dirname(_HERE))


def _load(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_context = _load("_eventsim_lambda_context", os.path.join(_RUNTIME, "context.py"))
_errors = _load("_eventsim_lambda_errors", os.path.join(_RUNTIME, "inline", "errors.py"))


class _Fault(Exception):
    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class RuntimeClient:
    """The Runtime API over one keep-alive connection.

    A few lines of HTTP/1.1 rather than ``http.client``, whose import (the email package)
    would be a fifth of a cold start. It talks to eventsim's server only, which always sends
    ``Content-Length``.
    """

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host = address
        self._sock: socket.socket | None = None
        self._file: Any = None

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = self._file = None

    def _request(self, method: str, path: str, body: bytes = b"",
                 headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        head = (f"{method} /2018-06-01/runtime{path} HTTP/1.1\r\nHost: {self._host}\r\n"
                f"Content-Length: {len(body)}\r\n")
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        message = (head + "\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            try:
                if self._sock is None:
                    self._sock = socket.create_connection(self._address)
                    self._file = self._sock.makefile("rb")
                self._sock.sendall(message)
                status_line = self._file.readline()
                if not status_line:
                    raise ConnectionError("the Runtime API closed the connection")
                status = int(status_line.split()[1])
                received: dict[str, str] = {}
                while True:
                    line = self._file.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    received[name.strip().lower()] = value.strip()
                length = int(received.get("content-length", "0"))
                data = self._file.read(length) if length else b""
                if received.get("connection", "").lower() == "close":
                    self._close()
                return status, received, data
            except (OSError, ValueError):
                self._close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def next(self) -> tuple[dict[str, str], bytes]:
        """The next event and its headers (names in lower case)."""
        status, headers, body = self._request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"/next answered {status}: {body!r}")
        return headers, body

    def respond(self, request_id: str, body: bytes) -> None:
        self._request("POST", f"/invocation/{request_id}/response", body,
                      {"Content-Type": "application/json"})

    def error(self, request_id: str, error: dict[str, Any]) -> None:
        self._request("POST", f"/invocation/{request_id}/error", json.dumps(error).encode(),
                      {"Content-Type": "application/json",
                       "Lambda-Runtime-Function-Error-Type": str(error.get("errorType", ""))})

    def init_error(self, error: dict[str, Any]) -> None:
        self._request("POST", "/init/error", json.dumps(error).encode(),
                      {"Content-Type": "application/json",
                       "Lambda-Runtime-Function-Error-Type": str(error.get("errorType", ""))})


def _trace(tb: Any) -> list[str]:
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)
              if os.path.dirname(os.path.abspath(f.filename)) != _HERE]
    return traceback.format_list(frames)  # type: ignore[arg-type]


def load_handler(handler: str) -> Any:
    """The handler function; raises `_Fault` as awslambdaric does."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise _Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    if modname.split(".")[0] in sys.builtin_module_names:
        raise _Fault("Runtime.BuiltInModuleConflict",
                     f"Cannot use built-in module {modname} as a handler module")
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as exc:
        raise _Fault("Runtime.ImportModuleError",
                     f"Unable to import module '{modname}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise _Fault("Runtime.UserCodeSyntaxError",
                     f"Syntax error in module '{modname}': {exc}", trace) from None
    try:
        return getattr(module, fname)
    except AttributeError:
        raise _Fault("Runtime.HandlerNotFound",
                     f"Handler '{fname}' missing on module '{modname}'") from None


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        record.tenant_id = None
        return True


def _install_logging() -> _RequestIdFilter:
    """The root logger handler of Lambda's Python runtime."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.terminator = ""
    request_filter = _RequestIdFilter()
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return request_filter


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _die_of_memory() -> None:
    _flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    request_filter = _install_logging()
    runtime = os.environ.get("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12")[len("AWS_Lambda_"):]
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except MemoryError:
        _die_of_memory()
        return
    except _Fault as fault:
        error = _errors.make_error(fault.message, fault.error_type, fault.trace, None)
        sys.stdout.write(_errors.error_log(error))
        _flush()
        client.init_error(error)
        sys.exit(1)
    except Exception as exc:
        error = _errors.make_error(str(exc), type(exc).__name__, _trace(exc.__traceback__), None)
        sys.stdout.write(_errors.error_log(error))
        _flush()
        client.init_error(error)
        sys.exit(1)

    while True:
        headers, body = client.next()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        request_filter.request_id = request_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = _context.LambdaContext(
            aws_request_id=request_id,
            function_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "test"),
            function_version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            invoked_function_arn=headers.get("lambda-runtime-invoked-function-arn"),
            memory_limit_in_mb=os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
            log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
            deadline_ms=int(headers.get("lambda-runtime-deadline-ms", "0")) or None,
            client_context=json.loads(client_context) if client_context else None,
            cognito_identity=json.loads(identity) if identity else None,
        )
        try:
            try:
                event = json.loads(body)
            except ValueError as exc:
                raise _Fault("Runtime.UnmarshalError",
                             f"Unable to unmarshal input: {exc}") from None
            response = handler(event, context)
            try:
                payload = _errors.marshal(response, runtime)
            except _errors.Fault as fault:
                raise _Fault(fault.error_type, fault.message) from None
        except MemoryError:
            _die_of_memory()
            return
        except _Fault as fault:
            error = _errors.make_error(fault.message, fault.error_type, fault.trace, request_id)
            sys.stdout.write(_errors.error_log(error))
            _flush()
            client.error(request_id, error)
            continue
        except Exception as exc:
            error = _errors.make_error(str(exc), type(exc).__name__, _trace(exc.__traceback__),
                                       request_id)
            sys.stdout.write(_errors.error_log(error))
            _flush()
            client.error(request_id, error)
            continue
        _flush()
        client.respond(request_id, payload)


if __name__ == "__main__":
    main()
