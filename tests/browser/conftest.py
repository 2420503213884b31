"""Real-browser tests of the console: Debian's chromium driven by Playwright.

They skip, saying why, when chromium or the ``playwright`` package is missing, so the plain test
command passes everywhere; ``.ci/run`` installs both so CI runs them. Playwright's own browser
downloads are never used: the browser is the system's ``chromium``.

Screenshots go to ``test-artifacts/screenshots/`` (git-ignored; ``EVENTSIM_SCREENSHOTS``
overrides), and the session summary prints where.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("EVENTSIM_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_taken: list[Path] = []


def _chromium() -> str | None:
    candidates = (os.environ.get("EVENTSIM_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _browser_missing() -> str | None:
    if _chromium() is None:
        return "chromium is not installed (apt-get install chromium); .ci/run installs it"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed; .ci/run installs it"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Skip at collection, so a machine without a browser does not start servers for nothing.
    reason = _browser_missing()
    if reason is not None:
        for item in items:
            if "browser_context" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.skip(reason=reason))


@contextlib.contextmanager
def _serve(*extra: str) -> Iterator[str]:
    """``eventsim serve`` on a free port of 127.0.0.1 with the thumbnail workflow loaded;
    yields the console's URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--host", "127.0.0.1", "--port", "0",
         "--load", "scenarios/thumbnail.yaml", "--runtime", "inline", "--log-level", "warning",
         *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    url = None
    # The server prints its URL once it is listening with the scenario applied.
    timer = threading.Timer(60, proc.kill)
    timer.daemon = True
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                url = found.group(1)
                break
    finally:
        timer.cancel()
    if url is None:
        proc.kill()
        proc.wait()
        pytest.fail("eventsim serve did not start:\n" + "".join(lines))
    # Keep draining its output so a chatty server never blocks on a full pipe.
    drain = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
    drain.start()
    try:
        yield f"{url}/_eventsim/"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        drain.join(timeout=5)


@pytest.fixture(scope="session")
def console_server() -> Iterator[str]:
    """The console of a server on the real clock, with the thumbnail workflow (shared: each
    test names its own resources)."""
    with _serve() as url:
        yield url


@pytest.fixture(scope="module")
def virtual_console_server() -> Iterator[str]:
    """The same on a virtual clock (it starts paused)."""
    with _serve("--clock", "virtual") as url:
        yield url


TOKEN = "console-test-token"


@pytest.fixture
def console_token() -> str:
    """The token ``token_console_server`` wants."""
    return TOKEN


@pytest.fixture(scope="module")
def token_console_server() -> Iterator[str]:
    """The same behind an access token (``--token``)."""
    with _serve("--token", TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    """One chromium for the module, with a fresh profile, at 1280x800. (Not for the session:
    Playwright's sync API keeps an event loop running while it is open, which would stop
    every asyncio test after it.)"""
    reason = _browser_missing()
    executable = _chromium()
    if reason is not None or executable is None:
        pytest.skip(reason or "no chromium")
    from playwright import sync_api
    with tempfile.TemporaryDirectory(prefix="eventsim-chromium-") as profile, \
            sync_api.sync_playwright() as playwright:
        playwright.selectors.set_test_id_attribute("data-test")
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT, accept_downloads=False,
        )
        try:
            yield context
        finally:
            context.close()


class Page:
    """A console tab that fails the test on any script error or console error (a CSP
    violation, a failed module import, an uncaught exception)."""

    def __init__(self, context: Any, base: str) -> None:
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def open(self, hash_: str = "") -> Any:
        self.page.goto(f"{self.base}#/{hash_.lstrip('#/')}")
        return self.page

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        _taken.append(path)
        return path

    def assert_no_errors(self) -> None:
        assert self.errors == [], "\n".join(self.errors)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def console_page(browser_context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab factory on the console (``console_server``, or the virtual-clock or token
    server a test asks for); every tab made must stay free of errors."""
    made: list[Page] = []
    asked = [n for n in ("virtual_console_server", "token_console_server")
             if n in request.fixturenames]
    base = request.getfixturevalue(asked[0] if asked else "console_server")

    def new() -> Page:
        tab = Page(browser_context, base)
        made.append(tab)
        return tab

    yield new
    for tab in made:
        tab.close()
    for tab in made:
        tab.assert_no_errors()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _taken:
        terminalreporter.section("console screenshots")
        terminalreporter.write_line(f"{len(_taken)} screenshot(s) at 1280x800 in {SCREENSHOTS}")
