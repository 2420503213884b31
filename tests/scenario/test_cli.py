"""The ``eventsim`` command: exit statuses, messages, and ``serve``."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from eventsim.cli import main

HERE = Path(__file__).parent
REPO = HERE.parent.parent
BROKEN = HERE / "broken"


def _eventsim(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eventsim", *args], cwd=cwd, capture_output=True, text=True,
        timeout=60, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_run_bad_file_exits_2_with_the_message_on_stderr() -> None:
    result = _eventsim("run", str(BROKEN / "wrong_type.yaml"))
    assert result.returncode == 2
    assert "wrong_type.yaml:8: functions.make-thumbnail.Timeout: " in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_run_bad_yaml_exits_2_without_traceback() -> None:
    result = _eventsim("run", str(BROKEN / "bad_syntax.yaml"))
    assert result.returncode == 2
    assert "bad_syntax.yaml:4: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_broken_scenario_exits_2_naming_file_and_line(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.match(rf"eventsim: {re.escape(str(path))}:\d+: ", captured.err), captured.err
    assert "Traceback" not in captured.err


def test_there_are_thirty_broken_scenarios() -> None:
    assert len(list(BROKEN.glob("*.yaml"))) >= 30


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["run"], id="run-without-file"),
        pytest.param(["bogus"], id="unknown-command"),
        pytest.param(["run", "x.yaml", "--clock", "sideways"], id="bad-choice"),
        pytest.param(["serve", "--port", "many"], id="bad-port"),
    ],
)
def test_usage_error_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse exits by itself
        status = int(exc.code or 0)
    assert status == 2
    assert capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["serve", "--help"]])
def test_help_exits_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage: eventsim" in capsys.readouterr().out


def test_run_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(HERE / "no-such.yaml")]) == 2
    assert "no-such.yaml: no such file" in capsys.readouterr().err


# -- these need the engine ------------------------------------------------------------------


def test_run_thumbnail_exits_0(capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["run", "scenarios/thumbnail.yaml"]) == 0
    out = capsys.readouterr().out
    assert "PASSED: 3 of 3 expectations hold" in out


def test_run_failed_expectation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fails.yaml"
    path.write_text(f"""\
name: fails
clock: virtual
functions:
  echo: {{Handler: app.lambda_handler, CodeUri: {REPO / "fixtures/functions/echo"}}}
steps:
  - invoke: {{function: echo, event: {{hello: world}}}}
expect:
  - invocations: {{function: echo, count: 2}}
""")
    assert main(["run", str(path)]) == 1
    out = capsys.readouterr().out
    assert "expected 2 invocations of echo, found 1 (1 Success)" in out
    assert "FAILED: 0 of 1 expectations hold" in out


def test_run_json_is_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = tmp_path / "echo.yaml"
    path.write_text(f"""\
name: echo
functions:
  echo: {{Handler: app.lambda_handler, CodeUri: {REPO / "fixtures/functions/echo"}}}
steps:
  - invoke: {{function: echo, event: {{hello: world}}}}
expect:
  - invocations: {{function: echo, count: 1, status: Success}}
""")
    assert main(["run", str(path), "--json", "--clock", "virtual"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is True
    assert report["clock"] == "virtual"
    assert [i["status"] for i in report["invocations"]] == ["Success"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_loads_a_scenario_and_stops_on_sigterm(tmp_path: Path) -> None:
    from eventsim.testing import boto3_client

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--port", str(port), "--state",
         str(tmp_path / "state"), "--load", "scenarios/thumbnail.yaml"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert "loaded 2 bucket(s) and 1 function(s)" in lines[0], lines
        assert f"listening on http://127.0.0.1:{port}" in lines[1], lines
        url = f"http://127.0.0.1:{port}"
        s3 = boto3_client("s3", url)
        s3.put_object(Bucket="uploads", Key="cats/cat.jpg",
                      Body=(REPO / "fixtures/images/cat.jpg").read_bytes())
        request = urllib.request.Request(f"{url}/_eventsim/api/settle", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=60):
            pass
        thumb = s3.get_object(Bucket="thumbnails", Key="cats/cat.jpg")
        assert thumb["ContentType"] == "image/jpeg"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "state" / "eventsim.db").exists()
    # A restart with the same state and --load is fine (resources already exist).
    again = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--port", str(port), "--state",
         str(tmp_path / "state"), "--load", "scenarios/thumbnail.yaml"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert again.stdout is not None
        assert "loaded" in again.stdout.readline()
        assert "listening" in again.stdout.readline()
    finally:
        again.send_signal(signal.SIGINT)
        _, err = again.communicate(timeout=30)
    assert again.returncode == 0, err

