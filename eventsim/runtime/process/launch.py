"""How an execution environment's process is started: its command, environment and limits.

- ``python*``: eventsim's Python bootstrap (`bootstraps/python.py`), run by the simulator's
  own interpreter, so handlers import what the simulator's environment has installed.
- ``nodejs*``: eventsim's Node.js bootstrap (`bootstraps/bootstrap.js`), run by ``node`` from
  ``PATH`` (``EVENTSIM_NODE`` overrides it), with V8's heap capped to the function's memory.
- ``provided*``: the function's own ``bootstrap`` executable in its code directory, as on AWS.

Memory: the child's address space is capped (``RLIMIT_AS``, set between fork and exec) to the
function's MemorySize plus a margin for the interpreter's own mappings. An address-space cap
is not Lambda's cgroup (which counts resident memory), so the margin is generous for Node.js,
whose V8 reserves far more address space than it uses.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eventsim.services.lambda_.layers import search_paths
from eventsim.services.lambda_.models import FunctionConfig

__all__ = ["BOOTSTRAPS", "Launch", "LaunchError", "launch_for"]

BOOTSTRAPS = Path(__file__).parent / "bootstraps"

_MB = 1024 * 1024
_MARGIN_MB = {"python": 160, "nodejs": 2048, "provided": 512}


class LaunchError(Exception):
    """The environment cannot be started (no bootstrap, no interpreter)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class Launch:
    """What to exec for one environment."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    address_space_bytes: int

    def preexec(self) -> Callable[[], None]:
        limit = self.address_space_bytes

        def limit_memory() -> None:  # runs in the child, between fork and exec
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        return limit_memory


def family(runtime: str) -> str:
    """``python``, ``nodejs`` or ``provided``."""
    for name in ("python", "nodejs", "provided"):
        if runtime.startswith(name):
            return name
    raise LaunchError("Runtime.InvalidRuntime", f"Runtime {runtime} is not supported.")


def launch_for(function: FunctionConfig, environment: dict[str, str], api: str) -> Launch:
    """The command, environment and limits of a new environment of ``function``."""
    kind = family(function.runtime)
    env = dict(environment)
    env["AWS_LAMBDA_RUNTIME_API"] = api
    env["_HANDLER"] = function.handler
    env["LAMBDA_TASK_ROOT"] = function.code_dir
    env.pop("_X_AMZN_TRACE_ID", None)  # set per invocation by the runtime client
    layered = search_paths(function.layer_dirs, function.runtime)
    if layered:  # after the function's own code, as Lambda searches /opt
        variable = {"python": "PYTHONPATH", "nodejs": "NODE_PATH"}.get(kind, "PATH")
        env[variable] = os.pathsep.join([*layered, *filter(None, [env.get(variable)])])
    if kind == "python":
        argv = [sys.executable, str(BOOTSTRAPS / "python.py")]
        # Output reaches the log as it is written, also when the process is killed.
        env.setdefault("PYTHONUNBUFFERED", "1")
    elif kind == "nodejs":
        node = os.environ.get("EVENTSIM_NODE") or shutil.which("node")
        if node is None:
            raise LaunchError("Runtime.InvalidEntrypoint",
                              "Couldn't find node on PATH to run a nodejs function.")
        heap = max(16, int(function.memory_size * 0.9))
        argv = [node, f"--max-old-space-size={heap}", str(BOOTSTRAPS / "bootstrap.js")]
    else:
        # The function's own bootstrap, else a layer's (/opt/bootstrap: the last layer's).
        candidates = [Path(function.code_dir) / "bootstrap",
                      *(Path(d) / "bootstrap" for d in reversed(function.layer_dirs))]
        bootstrap = next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)),
                         candidates[0])
        if not (bootstrap.is_file() and os.access(bootstrap, os.X_OK)):
            raise LaunchError("Runtime.InvalidEntrypoint",
                              f"Couldn't find valid bootstrap(s): [{bootstrap}]")
        argv = [str(bootstrap)]
    return Launch(
        argv=argv, env=env, cwd=function.code_dir,
        address_space_bytes=(function.memory_size + _MARGIN_MB[kind]) * _MB,
    )
