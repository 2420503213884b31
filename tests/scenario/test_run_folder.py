"""``eventsim run scenarios/ --junit-xml``: every shipped scenario passes, and the JUnit XML
has the structure CI report readers expect."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from eventsim.cli import main

REPO = Path(__file__).parent.parent.parent
SHIPPED = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))


def _check_junit(root: ET.Element) -> None:
    """What Jenkins' and GitLab's JUnit readers rely on."""
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites
    for suite in suites:
        assert suite.get("name")
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors", "-1")) == len(suite.findall("testcase/error"))
        float(suite.get("time", "x"))
        for case in cases:
            assert case.get("classname") and case.get("name")
            float(case.get("time", "x"))
            for outcome in case:
                assert outcome.tag in ("failure", "error", "skipped")
                assert outcome.get("message")
    assert int(root.get("tests", "-1")) == sum(int(s.get("tests", "0")) for s in suites)


def test_run_scenarios_folder_exits_0_and_writes_junit_xml(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "junit.xml"
    result = subprocess.run(
        [sys.executable, "-m", "eventsim", "run", "scenarios/", "--junit-xml", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(SHIPPED)} of {len(SHIPPED)} scenarios passed" in result.stdout
    assert "Traceback" not in result.stderr
    # Progress: one line per scenario on stderr as it finishes, uncoloured through a pipe.
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [line.split()[:3] for line in progress] == [
        [f"[{n}/{len(SHIPPED)}]", "PASSED", name] for n, name in enumerate(SHIPPED, start=1)]
    assert "\x1b[" not in result.stdout + result.stderr
    root = ET.parse(report).getroot()
    _check_junit(root)
    assert sorted(s.get("name", "") for s in root.findall("testsuite")) == sorted(
        ["clickstream", "node-orders", "order-pipeline", "poison-record", "retry-then-dlq",
         "thumbnail"])
    assert root.get("failures") == "0" and root.get("errors") == "0"
    order = root.find("testsuite[@name='order-pipeline']")
    assert order is not None
    names = [c.get("name", "") for c in order.findall("testcase")]
    assert names[0] == "steps"
    assert "expect[6] queue billing" in names
    assert len(names) == 14  # the steps and 13 expectations


def test_failures_and_step_errors_are_in_the_junit_xml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    echo = REPO / "fixtures/functions/echo"
    (folder / "a-fails.yaml").write_text(f"""\
name: a-fails
clock: virtual
resources:
  queues: [jobs]
functions:
  echo: {{Handler: app.lambda_handler, CodeUri: {echo}}}
steps:
  - send_message: {{queue: jobs, message_body: {{job: 1}}}}
  - invoke: {{function: echo, event: {{hello: world}}}}
expect:
  - queue: {{name: jobs, count: 2}}
  - invocations: {{function: echo, count: 1}}
""")
    (folder / "b-step-fails.yaml").write_text("""\
name: b-step-fails
clock: virtual
resources:
  tables:
    - TableName: things
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
steps:
  - put_item: {table: things, item: {id: 7}}
""")
    report = tmp_path / "junit.xml"
    assert main(["run", str(folder), "--junit-xml", str(report)]) == 1
    out = capsys.readouterr().out
    assert "1 of 2 scenarios passed" not in out
    assert "0 of 2 scenarios passed; failed: a-fails, b-step-fails" in out
    root = ET.parse(report).getroot()
    _check_junit(root)
    assert (root.get("failures"), root.get("errors")) == ("1", "1")
    failure = root.find("testsuite[@name='a-fails']/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "expected 2 messages in queue jobs, found 1"
    error = root.find("testsuite[@name='b-step-fails']/testcase[@name='steps']/error")
    assert error is not None
    assert "ValidationException" in (error.get("message") or "")


def test_a_bad_file_in_a_folder_stops_the_run_before_any_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.yaml").write_text("name: ok\n")
    (tmp_path / "bad.yaml").write_text("name: bad\nexpect:\n  - queue: {name: nope}\n")
    assert main(["run", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert f"{tmp_path / 'bad.yaml'}:3: expect[0].queue.name: no queue nope" in captured.err
    assert captured.out == ""


def test_an_empty_folder_is_a_usage_error(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path)]) == 2
    assert "no scenario files" in capsys.readouterr().err
