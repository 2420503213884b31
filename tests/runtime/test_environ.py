"""The per-thread os.environ overlay."""

from __future__ import annotations

import concurrent.futures
import ctypes
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.handlers import add_recursion_detection_header  # type: ignore[import-untyped]

from eventsim.runtime import environ
from eventsim.runtime.environ import EnvironmentLayer, InheritableLocal, activate


def process_getenv(name: str) -> str | None:
    """What C code (and child processes) see: the real process environment."""
    if sys.platform == "win32":
        pytest.skip("reads the C environment through libc")
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    libc.getenv.argtypes = [ctypes.c_char_p]
    value: bytes | None = libc.getenv(name.encode())
    return value.decode() if value is not None else None


@pytest.fixture
def overlay() -> Iterator[None]:
    was_installed = environ.installed()
    environ.install()
    yield
    if not was_installed:
        environ.uninstall()


def test_install_is_idempotent_and_reversible() -> None:
    was_installed = environ.installed()
    original_start = threading.Thread.start
    environ.install()
    environ.install()
    try:
        from os import environ as imported_earlier_or_later

        assert type(os.environ) is environ.EnvironOverlay
        assert imported_earlier_or_later is os.environ
        environ.uninstall()
        assert type(os.environ) is os._Environ
        assert not environ.installed()
        if not was_installed:
            assert threading.Thread.start is original_start
        environ.uninstall()  # harmless
    finally:
        if was_installed:
            environ.install()


def test_outside_a_layer_writes_reach_the_process(overlay: None) -> None:
    os.environ["EVENTSIM_TEST_OUTSIDE"] = "1"
    try:
        assert process_getenv("EVENTSIM_TEST_OUTSIDE") == "1"
        assert os.getenv("EVENTSIM_TEST_OUTSIDE") == "1"
        assert "EVENTSIM_TEST_OUTSIDE" in os.environ.copy()
    finally:
        del os.environ["EVENTSIM_TEST_OUTSIDE"]
    assert process_getenv("EVENTSIM_TEST_OUTSIDE") is None
    assert "EVENTSIM_TEST_OUTSIDE" not in os.environ


def test_layer_reads_show_only_the_layer(overlay: None) -> None:
    assert "PATH" in os.environ
    with activate(EnvironmentLayer({"A": "1", "B": "2"})):
        assert os.environ["A"] == "1"
        assert os.environ.get("B") == "2"
        assert os.getenv("A") == "1"
        assert "A" in os.environ
        assert "PATH" not in os.environ
        assert os.getenv("PATH") is None
        assert len(os.environ) == 2
        assert sorted(os.environ) == ["A", "B"]
        assert dict(os.environ.items()) == {"A": "1", "B": "2"}
        assert os.environ.copy() == {"A": "1", "B": "2"}
        assert repr(os.environ) == "environ({'A': '1', 'B': '2'})"
        with pytest.raises(KeyError, match="PATH"):
            os.environ["PATH"]
    assert "A" not in os.environ
    assert "PATH" in os.environ


def test_layer_writes_stay_in_the_layer(overlay: None) -> None:
    journal: dict[str, str | None] = {}
    layer = EnvironmentLayer({"A": "1"}, journal=journal)
    with activate(layer):
        os.environ["EVENTSIM_TEST_WRITE"] = "w"
        os.environ.setdefault("EVENTSIM_TEST_DEFAULT", "d")
        del os.environ["A"]
        os.environ.update({"C": "3"})
        assert os.environ.copy() == {
            "EVENTSIM_TEST_WRITE": "w",
            "EVENTSIM_TEST_DEFAULT": "d",
            "C": "3",
        }
        assert process_getenv("EVENTSIM_TEST_WRITE") is None
        with pytest.raises(KeyError):
            del os.environ["A"]
    assert "EVENTSIM_TEST_WRITE" not in os.environ
    assert journal == {
        "EVENTSIM_TEST_WRITE": "w",
        "EVENTSIM_TEST_DEFAULT": "d",
        "A": None,
        "C": "3",
    }


def test_enter_with_sets_the_layer_and_a_local_and_leave_with_puts_both_back(
    overlay: None,
) -> None:
    local: InheritableLocal[str] = InheritableLocal("test value")
    outer = EnvironmentLayer({"OUTER": "1"})
    inner = EnvironmentLayer({"INNER": "2"})
    with activate(outer):
        local.swap("outer")
        previous = environ.enter_with(inner, local, "inner")
        assert os.environ.copy() == {"INNER": "2"}
        assert local.get() == "inner"
        environ.leave_with(previous, local)
        assert os.environ.copy() == {"OUTER": "1"}
        assert local.get() == "outer"
        local.swap(None)
    # From nothing set: both are unset again afterwards.
    previous = environ.enter_with(inner, local, "inner")
    assert environ.current_layer() is inner
    environ.leave_with(previous, local)
    assert environ.current_layer() is None
    assert local.get() is None


def test_layer_rejects_what_os_environ_rejects(overlay: None) -> None:
    with activate(EnvironmentLayer({})):
        with pytest.raises(TypeError, match="str expected, not int"):
            os.environ["A"] = 1  # type: ignore[assignment]
        with pytest.raises(ValueError, match="illegal environment variable name"):
            os.environ["A=B"] = "x"
        assert len(os.environ) == 0


def test_inheriting_layer_shows_the_process_underneath(overlay: None) -> None:
    path = os.environ["PATH"]
    with activate(EnvironmentLayer({"A": "1"}, inherit=True)):
        assert os.environ["PATH"] == path
        assert os.environ["A"] == "1"
        os.environ["PATH"] = "/layer"
        assert os.environ["PATH"] == "/layer"
        del os.environ["PATH"]
        assert "PATH" not in os.environ
        assert "PATH" not in list(os.environ)
    assert os.environ["PATH"] == path
    assert process_getenv("PATH") == path


def test_other_threads_do_not_see_a_layer(overlay: None) -> None:
    go, seen = threading.Event(), []

    def reader() -> None:
        go.wait(5)
        seen.append(os.environ.get("EVENTSIM_TEST_LAYER_ONLY"))

    thread = threading.Thread(target=reader)
    thread.start()  # started before the layer: inherits nothing
    with activate(EnvironmentLayer({"EVENTSIM_TEST_LAYER_ONLY": "yes"})):
        go.set()
        thread.join(5)
        assert os.environ["EVENTSIM_TEST_LAYER_ONLY"] == "yes"
    assert seen == [None]


def test_threads_started_in_a_layer_inherit_it(overlay: None) -> None:
    layer = EnvironmentLayer({"A": "1"})
    seen: list[Any] = []
    with activate(layer):
        thread = threading.Thread(target=lambda: seen.append(os.environ.get("A")))
        thread.start()
        thread.join(5)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            seen.append(pool.submit(os.environ.get, "A").result())
            pool.submit(os.environ.__setitem__, "FROM_CHILD", "c").result()
    assert seen == ["1", "1"]
    assert layer.values["FROM_CHILD"] == "c"
    assert "FROM_CHILD" not in os.environ


def test_subprocess_gets_the_layer_environment(overlay: None) -> None:
    code = "import os; print(os.environ.get('A'), os.environ.get('HOME'))"
    with activate(EnvironmentLayer({"A": "1", "PATH": os.environ["PATH"]})):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["1", "None"]


def test_botocore_recursion_header_reads_the_layer(overlay: None) -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
    lambda_env = {"AWS_LAMBDA_FUNCTION_NAME": "fn", "_X_AMZN_TRACE_ID": trace}
    inside: dict[str, Any] = {"headers": {}}
    with activate(EnvironmentLayer(lambda_env)):
        add_recursion_detection_header(inside)
    outside: dict[str, Any] = {"headers": {}}
    add_recursion_detection_header(outside)
    assert inside["headers"] == {"X-Amzn-Trace-Id": trace}
    assert outside["headers"] == {}


def test_inheritable_local_scopes_nest(overlay: None) -> None:
    local: InheritableLocal[str] = InheritableLocal("test")
    assert local.get() is None
    with local.scoped("outer"):
        with local.scoped("inner"):
            assert local.get() == "inner"
            seen: list[str | None] = []
            thread = threading.Thread(target=lambda: seen.append(local.get()))
            thread.start()
            thread.join(5)
            assert seen == ["inner"]
        assert local.get() == "outer"
    assert local.get() is None
