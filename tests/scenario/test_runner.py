"""Steps, expectations and reports of the scenario runner (needs the engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.errors import ConfigError
from eventsim.scenario import parse_scenario, run_scenario
from eventsim.scenario.model import Scenario

REPO = Path(__file__).parent.parent.parent
FUNCTIONS = REPO / "fixtures" / "functions"


def scenario(text: str) -> Scenario:
    return parse_scenario(text, source="s.yaml", base_dir=REPO)


@pytest.mark.asyncio
async def test_failing_event_invocation_is_retried_twice() -> None:
    report = await run_scenario(scenario("""\
name: retries
clock: virtual
functions:
  failing: {Handler: app.lambda_handler, CodeUri: fixtures/functions/failing}
steps:
  - invoke: {function: failing, invocation_type: Event}
expect:
  - invocations: {function: failing, count: 3, status: Error}
  - invocations: {function: failing, count: 0, status: Success}
"""))
    assert report.passed, report.render()
    assert [i.attempt for i in report.invocations] == [1, 2, 3]
    assert report.invocations[0].error == "ValueError: this function always fails"
    assert report.steps[0].outcome == "queued"


@pytest.mark.asyncio
async def test_request_response_invoke_reports_the_status() -> None:
    report = await run_scenario(scenario("""\
name: sync
functions:
  echo: {Handler: app.lambda_handler, CodeUri: fixtures/functions/echo}
  failing: {Handler: app.lambda_handler, CodeUri: fixtures/functions/failing}
steps:
  - invoke: {function: echo, event: {hello: world}}
  - invoke: {function: failing}
expect:
  - invocations: {function: echo, status: Success}
  - invocations: {function: failing, count: 1, status: Error}
"""), clock="virtual")
    assert report.passed, report.render()
    assert [s.outcome for s in report.steps] == ["Success", "Error"]
    assert "ValueError: this function always fails" in report.render()


@pytest.mark.asyncio
async def test_object_steps_and_expectations() -> None:
    report = await run_scenario(scenario("""\
name: objects
clock: virtual
resources: {buckets: [box]}
steps:
  - put_object: {bucket: box, key: note.txt, text: hello}
  - put_object: {bucket: box, key: data.json, body: {a: 1}}
  - put_object: {bucket: box, key: gone.txt, text: bye}
  - delete_object: {bucket: box, key: gone.txt}
  - advance_clock: {seconds: 60}
  - settle:
expect:
  - object: {bucket: box, key: note.txt, text: hello, content_type: text/plain}
  - object: {bucket: box, key: data.json, text: '{"a": 1}', content_type: application/json}
  - object: {bucket: box, key: gone.txt, exists: false}
"""))
    assert report.passed, report.render()
    assert [s.ok for s in report.steps] == [True] * 6


@pytest.mark.asyncio
async def test_failed_expectations_say_expected_and_found() -> None:
    report = await run_scenario(scenario("""\
name: wrong
clock: virtual
resources: {buckets: [box]}
steps:
  - put_object: {bucket: box, key: cat.jpg, file: fixtures/images/cat.jpg}
expect:
  - object: {bucket: box, key: cat.jpg, image: {max_width: 64, format: png}}
  - object: {bucket: box, key: missing.jpg}
  - object: {bucket: box, key: cat.jpg, exists: false}
  - object: {bucket: box, key: cat.jpg, text: meow}
"""))
    assert not report.passed
    problems = [e.problem for e in report.expectations]
    assert problems[0] == "expected max_width 64, found width 640; expected format PNG, found JPEG"
    assert problems[1] == "expected object box/missing.jpg to exist, found NoSuchKey"
    assert problems[2] is not None and problems[2].startswith(
        "expected object box/cat.jpg not to exist"
    )
    assert problems[3] is not None and problems[3].startswith("expected text 'meow', found")
    text = report.render()
    assert "object box/cat.jpg: image 640x480 JPEG (max_width 64, format png) ... FAILED" in text
    assert "[s.yaml:7]" in text
    assert "FAILED: 0 of 4 expectations hold" in text


@pytest.mark.asyncio
async def test_loop_detected_expectation_fails_without_a_loop() -> None:
    report = await run_scenario(scenario("""\
name: no-loop
clock: virtual
functions:
  echo: {Handler: app.lambda_handler, CodeUri: fixtures/functions/echo}
steps:
  - invoke: {function: echo}
expect:
  - loop_detected: {function: echo}
"""))
    assert not report.passed
    assert report.expectations[0].found == "no loop detected (1 invocation)"


@pytest.mark.asyncio
async def test_unsupported_runtime_is_a_config_error_at_the_function() -> None:
    with pytest.raises(ConfigError, match=r"^s.yaml:3: functions.f: InvalidParameterValue"):
        await run_scenario(scenario("""\
name: node
functions:
  f: {Runtime: cobol85, Handler: app.lambda_handler, CodeUri: fixtures/functions/echo}
"""))
