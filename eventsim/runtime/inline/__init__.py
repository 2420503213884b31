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

The modules, each using only those listed before it:

- `errors`: awslambdaric-shaped error documents, `HandlerTimeout`, response marshalling
- `imports`: private packages for each function's code and the ``__import__`` hook
- `capture`: per-thread stdout/stderr/logging capture, capped at `DEFAULT_LOG_LIMIT` bytes
- `instance`: one execution environment (an import of a function's handler)
- `pool`: the daemon worker threads, and timeouts injected into them
- `runtime`: `InlineRuntime`, which ties them together
"""

from eventsim.runtime.inline.capture import DEFAULT_LOG_LIMIT
from eventsim.runtime.inline.errors import HandlerTimeout
from eventsim.runtime.inline.runtime import InlineRuntime

__all__ = ["DEFAULT_LOG_LIMIT", "HandlerTimeout", "InlineRuntime"]
