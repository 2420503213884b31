"""``eventsim invoke``: payload on stdout, log on stderr, exit 0/1/2, events from a pipe."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventsim.cli import main

HERE = Path(__file__).parent
FUNCTIONS = HERE / "functions.yaml"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "eventsim", *args]


_ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


def test_generated_s3_event_piped_into_invoke_reaches_the_handler_decoded() -> None:
    # The Must-show: events generate | invoke -e -, two processes joined by a real pipe,
    # the handler in its own process (the default runtime).
    generate = subprocess.Popen(
        _command("events", "generate", "s3", "put", "--bucket", "b", "--key", "a b.jpg"),
        stdout=subprocess.PIPE, env=_ENV)
    invoke = subprocess.run(
        _command("invoke", "fn", "-e", "-", "--load", str(FUNCTIONS)),
        stdin=generate.stdout, capture_output=True, text=True, timeout=60, env=_ENV)
    assert generate.stdout is not None
    generate.stdout.close()
    assert generate.wait(timeout=30) == 0
    assert invoke.returncode == 0, invoke.stderr
    assert json.loads(invoke.stdout) == "a b.jpg"
    lines = invoke.stderr.splitlines()
    assert lines[0].startswith("START RequestId: ")
    assert "key: a b.jpg" in lines
    assert lines[-2].startswith("END RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ")


def test_a_failing_function_exits_1_with_its_error_document(tmp_path: Path) -> None:
    result = subprocess.run(
        _command("invoke", "failing", "--load", str(FUNCTIONS), "--runtime", "inline"),
        capture_output=True, text=True, timeout=60, env=_ENV)
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "no thumbnails today"
    assert "[ERROR] ValueError: no thumbnails today" in result.stderr
    assert "REPORT RequestId: " in result.stderr


def test_event_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"order": 7, "items": ["a"]}')
    status = main(["invoke", "echo", "-e", str(event), "--load", str(FUNCTIONS),
                   "--runtime", "inline"])
    captured = capsys.readouterr()
    assert status == 0
    assert json.loads(captured.out) == {"order": 7, "items": ["a"]}
    assert "START RequestId: " in captured.err


def test_no_event_invokes_with_an_empty_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "echo", "--load", str(FUNCTIONS), "--runtime", "inline"]) == 0
    assert json.loads(capsys.readouterr().out) == {}


def test_json_output_holds_status_payload_and_log(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "failing", "--load", str(FUNCTIONS), "--runtime", "inline",
                 "--json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["Status"] == "Error"
    assert document["FunctionError"] == "Unhandled"
    assert document["Error"]["errorType"] == "ValueError"
    assert document["Logs"].startswith("START RequestId: ")
    assert captured.err == ""


def test_invocation_is_recorded_in_the_state_directory_and_reinvoked_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "state"
    assert main(["invoke", "echo", "--load", str(FUNCTIONS), "--state", str(state),
                 "--runtime", "inline"]) == 0
    # The function is in the state now: no --load needed.
    event = tmp_path / "e.json"
    event.write_text('{"again": true}')
    assert main(["invoke", "echo", "-e", str(event), "--state", str(state),
                 "--runtime", "inline"]) == 0
    outputs = capsys.readouterr().out.splitlines()
    assert [json.loads(o) for o in outputs] == [{}, {"again": True}]
    assert main(["logs", "echo", "--state", str(state), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in records] == ["Success", "Success"]


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["invoke", "nope", "--load", str(FUNCTIONS)], "", "no function nope (known: echo, "
     "failing, fn)"),
    (["invoke", "echo"], "", "no function echo: say where it is defined with --load FILE"),
    (["invoke", "echo", "-e", "-", "--load", str(FUNCTIONS)], "{not json",
     "--event stdin: not JSON: "),
    (["invoke", "echo", "-e", "-", "--load", str(FUNCTIONS)], "", "--event stdin: empty"),
    (["invoke", "echo", "-e", "missing.json", "--load", str(FUNCTIONS)], "",
     "--event missing.json: no such file"),
    (["invoke", "echo", "--load", "missing.yaml"], "", "missing.yaml: no such file"),
    (["invoke", "echo", "--state", "no-such-dir"], "", "--state no-such-dir: no such directory"),
])
def test_usage_errors_exit_2_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    argv: list[str], stdin: str, message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main([*argv, "--runtime", "inline"]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_without_load_or_state_the_functions_file_here_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "functions.yaml").write_text(
        FUNCTIONS.read_text(encoding="utf-8").replace("CodeUri: functions",
                                                      f"CodeUri: {FUNCTIONS.parent / 'functions'}"),
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["invoke", "echo", "--runtime", "inline"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {}
    assert "eventsim: using the functions of functions.yaml" in captured.err


def test_without_load_or_state_the_state_directory_here_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["invoke", "echo", "--load", str(FUNCTIONS), "--state", str(tmp_path),
                 "--runtime", "inline"]) == 0
    monkeypatch.chdir(tmp_path)
    assert main(["invoke", "echo", "--runtime", "inline"]) == 0
    captured = capsys.readouterr()
    assert "eventsim: using the state directory" in captured.err


def test_without_anything_to_load_the_usage_error_says_what_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["invoke", "echo"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path} has no eventsim.db, functions.yaml, functions.yml, scenario.yaml or " \
           "scenario.yml" in err
    assert "usage: eventsim invoke FUNCTION" in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["invoke", "--help"])
    assert exit_info.value.code == 0
    assert "-e FILE, --event FILE" in capsys.readouterr().out
