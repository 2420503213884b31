"""Process execution environments: handlers in OS processes speaking the Lambda Runtime API.

The modules, each using only those listed before it:

- `api`: the Runtime API server (``/2018-06-01/runtime/...``), one port per environment
- `launch`: the command, environment variables and memory cap of an environment's process
- `environment`: one environment: its process, its channel, its captured output
- `runtime`: `ProcessRuntime`, the pools of environments per function, and the outcomes

Bootstraps shipped in `bootstraps/`: ``python.py`` (handlers ``module.function``, the same
context object as the inline runtime) and ``bootstrap.js`` (Node.js, CommonJS and ES modules).
``provided*`` functions bring their own ``bootstrap`` executable.
"""

from eventsim.runtime.process.runtime import ProcessRuntime

__all__ = ["ProcessRuntime"]
