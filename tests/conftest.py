"""Shared test configuration.

A guard against leaked threads: a non-daemon thread still alive when the session ends
(aiosqlite's worker of a connection nobody closed, say) keeps the interpreter from
exiting, so CI hangs after "N passed" until its time runs out. The guard names the test
that started each such thread, fails the session, and exits instead of hanging.
"""

from __future__ import annotations

import os
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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for thread, nodeid in _started_by.items():
        thread.join(timeout=2.0)
        if thread.is_alive():
            _leaked.append(f"{thread.name}, started by {nodeid}")
    if _leaked:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _leaked:
        terminalreporter.section("leaked threads", red=True)
        for line in _leaked:
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _leaked:
        # threading's shutdown would join the leaked threads forever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(pytest.ExitCode.TESTS_FAILED))
