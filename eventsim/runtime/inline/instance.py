"""An execution environment: one import of a function's handler, reused while it is warm."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from eventsim.runtime.context import LambdaContext, new_log_stream_name
from eventsim.runtime.inline.errors import (
    BUILT_IN_MODULE_CONFLICT,
    HANDLER_NOT_FOUND,
    IMPORT_MODULE_ERROR,
    MALFORMED_HANDLER_NAME,
    USER_CODE_SYNTAX_ERROR,
    Fault,
)
from eventsim.runtime.inline.imports import Scope
from eventsim.services.lambda_.layers import search_paths
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["Handler", "Instance"]

LOG = logging.getLogger(__name__)

Handler = Callable[[Any, LambdaContext], Any]


class Instance:
    """One import of a function's handler: what Lambda calls an execution environment."""

    def __init__(self, function: FunctionConfig) -> None:
        self.function = function
        """The configuration it was made for: a changed one (code, handler, environment
        variables, memory...) needs a new environment, as on Lambda."""
        self.lock = threading.Lock()
        self.handler: Handler | None = None
        self.scope: Scope | None = None
        self.journal: dict[str, str | None] = {}
        """Environment changes its handlers made; replayed into later invocations."""
        self.active = 0
        self.stale = False
        self.log_stream = new_log_stream_name(function.version)
        """Where this environment's invocations log, as Lambda names an environment's stream."""

    def matches(self, function: FunctionConfig) -> bool:
        """Whether this environment can serve ``function``: the configuration it was made
        for (what compares in `FunctionConfig`: not the retry and destination settings)."""
        return not self.stale and (function is self.function or function == self.function)

    def load(self, function: FunctionConfig) -> Handler:
        """Import the handler, raising `Fault` (or the module's own exception) on failure."""
        handler = function.handler
        try:
            modname, fname = handler.rsplit(".", 1)
        except ValueError as exc:
            raise Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from None
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {modname} as a handler module",
            )
        self.scope = scope = Scope(function.name, function.code_dir,
                                   search_paths(function.layer_dirs, function.runtime))
        try:
            module = scope.import_module(modname.replace("/", "."))
        except ImportError as exc:
            message = scope.unscope(str(exc))
            raise Fault(
                IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {message}"
            ) from None
        except SyntaxError as exc:
            trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
            raise Fault(
                USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {exc}", trace
            ) from None
        try:
            request_handler: Handler = getattr(module, fname)
        except AttributeError:
            raise Fault(
                HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}'"
            ) from None
        return request_handler

    def discard(self) -> None:
        """Forget the imported modules; the next load imports them afresh."""
        if self.scope is not None:
            self.scope.discard()
            self.scope = None
