"""Shared test configuration.

Guards against leaks that hang CI after "N passed" until its time runs out:

- a non-daemon thread still alive when the session ends (aiosqlite's worker of a connection
  nobody closed, say) keeps the interpreter from exiting;
- a child process still running (an `eventsim serve` a test started, an execution
  environment nobody reaped) holds the output pipe open after pytest exits.

The guard names the test that started each such thread, names and kills leftover children,
fails the session, and exits instead of hanging.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Generator

import pytest

_started_by: dict[threading.Thread, str] = {}
_leaked: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    before = set(threading.enumerate())
    yield
    for thread in threading.enumerate():
        if thread not in before and not thread.daemon:
            _started_by.setdefault(thread, item.nodeid)


def _children() -> list[tuple[int, str]]:
    """This process's live children (pid, command line), from /proc (Linux only)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            # The command may hold spaces and parentheses: fields follow the last ")".
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) != me or fields[0] == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        found.append((int(entry), command))
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for thread, nodeid in _started_by.items():
        thread.join(timeout=2.0)
        if thread.is_alive():
            _leaked.append(f"{thread.name}, started by {nodeid}")
    for pid, command in _children():
        _leaked.append(f"child process {pid} still running: {command[:200]}")
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if _leaked:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _leaked:
        terminalreporter.section("leaked threads and processes", red=True)
        for line in _leaked:
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _leaked:
        # threading's shutdown would join the leaked threads forever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(pytest.ExitCode.TESTS_FAILED))
