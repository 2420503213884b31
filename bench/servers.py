"""Servers the benchmarks measure against, each in a process of its own on 127.0.0.1.

`eventsim serve`, moto's server and a trivial aiohttp script (the client's own ceiling: it
answers with the least botocore accepts). Each start returns the process and its URL once the
port accepts connections; `stop` ends them.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["free_port", "settle", "start", "start_eventsim", "start_moto", "start_script", "stop"]

Server = tuple[subprocess.Popen[bytes], str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling a child process for its port
    raise TimeoutError("server did not start")


def start(command: list[str], port: int) -> Server:
    """Run `command` (which listens on `port`) and wait until it does."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_listening(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def start_eventsim(state: Path, load: Path | None = None, runtime: str = "inline") -> Server:
    """`eventsim serve` on `state`, optionally loading a scenario's resources and functions.

    Handlers run inline unless told otherwise (serve's own default is the process runtime):
    the gateway figures measure the gateway, not process start-ups and pipes."""
    port = free_port()
    command = [sys.executable, "-m", "eventsim", "serve", "--port", str(port),
               "--state", str(state), "--log-level", "warning", "--runtime", runtime]
    if load is not None:
        command += ["--load", str(load)]
    return start(command, port)


def start_moto() -> Server:
    """moto's server (every service on one port)."""
    port = free_port()
    return start([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                 port)


def start_script(path: Path, text: str, *args: str) -> Server:
    """Write `text` to `path` and run it as ``python path PORT *args``."""
    path.write_text(text)
    port = free_port()
    return start([sys.executable, str(path), str(port), *args], port)


def settle(url: str) -> None:
    """Wait until `eventsim serve` at `url` has handled everything it accepted."""
    request = urllib.request.Request(f"{url}/_eventsim/api/settle?timeout=120", data=b"",
                                     method="POST")
    with urllib.request.urlopen(request, timeout=130) as response:
        assert json.loads(response.read())["settled"]


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
