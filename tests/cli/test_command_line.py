"""What every ``eventsim`` command shares: --help, --json where it prints data, colour only
on a terminal."""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from eventsim.cli import _parser, main
from eventsim.commands.common import Colour

REPO = Path(__file__).parent.parent.parent


def _commands() -> list[tuple[list[str], argparse.ArgumentParser]]:
    """Every command and subcommand of ``eventsim``, with its parser."""
    found: list[tuple[list[str], argparse.ArgumentParser]] = []

    def walk(path: list[str], parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                for name, sub in action.choices.items():
                    assert helps.get(name), f"eventsim {' '.join([*path, name])} has no help"
                    found.append(([*path, name], sub))
                    walk([*path, name], sub)

    walk([], _parser())
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help_with_a_description(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: eventsim {' '.join(path)}")
    parser = dict((tuple(p), q) for p, q in COMMANDS)[tuple(path)]
    assert parser.description, f"eventsim {' '.join(path)} has no description"


def test_the_command_list_covers_every_command() -> None:
    top = sorted(" ".join(p) for p, _ in COMMANDS if len(p) == 1)
    assert top == ["events", "invoke", "logs", "run", "schema", "serve", "state"]


# Commands whose output is data take --json; events generate and schema print JSON always.
DATA_COMMANDS = [["run"], ["serve"], ["invoke"], ["logs"], ["state", "show"], ["state", "reset"]]


@pytest.mark.parametrize("path", DATA_COMMANDS, ids=" ".join)
def test_commands_that_print_data_take_json(path: list[str]) -> None:
    parser = dict((tuple(p), q) for p, q in COMMANDS)[tuple(path)]
    assert any("--json" in a.option_strings for a in parser._actions)


def test_state_reset_json_lists_what_was_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "eventsim.db").write_bytes(b"")
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["state", "reset", "--state", str(tmp_path), "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"state": str(tmp_path),
                                                   "removed": ["eventsim.db"]}
    assert (tmp_path / "keep.txt").exists()


def test_serve_json_prints_the_endpoint_as_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--port", str(port), "--json",
         "--log-level", "warning"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        assert line["endpoint"] == f"http://127.0.0.1:{port}"
        assert line["console"] == f"http://127.0.0.1:{port}/_eventsim/"
        assert line["loaded"] is None
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 0


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Colour(_Tty())("FAILED", "red") == "\x1b[31mFAILED\x1b[0m"
    assert Colour(io.StringIO())("FAILED", "red") == "FAILED"


def test_no_color_turns_colour_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert Colour(_Tty())("FAILED", "red") == "FAILED"


def test_run_report_is_coloured_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "echo.yaml"
    path.write_text(f"""\
name: echo
functions:
  echo: {{Handler: app.lambda_handler, CodeUri: {REPO / "fixtures/functions/echo"}}}
steps:
  - invoke: {{function: echo, event: {{}}}}
expect:
  - invocations: {{function: echo, count: 1}}
""")
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = _Tty()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["run", str(path)]) == 0
    text = out.getvalue()
    assert "... \x1b[32mok\x1b[0m" in text
    assert "\x1b[32mPASSED\x1b[0m: 1 of 1 expectations hold" in text
