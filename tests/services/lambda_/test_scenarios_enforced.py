"""Scenario files imply the permissions their S3 and SNS events need, as SAM writes them: every
scenario shipped with eventsim passes with permissions enforced, and leaves no warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from eventsim import SimulatorConfig
from eventsim.scenario import parse_scenario, run_scenario

ROOT = Path(__file__).parents[3]
SCENARIOS = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("tests/scenarios/*.yaml")])


@pytest.mark.asyncio
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
async def test_scenario_passes_with_permissions_enforced(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="eventsim.services.lambda_.permissions"):
        report = await run_scenario(path, config=SimulatorConfig(permissions="enforce"))
    assert report.passed, report.render()
    assert [r.getMessage() for r in caplog.records
            if r.name == "eventsim.services.lambda_.permissions"] == []


SNS_TO_FUNCTIONS = """\
name: sns-to-functions
clock: virtual
resources:
  topics:
    - name: news
      subscriptions:
        - {Protocol: lambda, Endpoint: subscribed}
functions:
  subscribed: {Handler: app.lambda_handler, CodeUri: fixtures/functions/echo}
  evented:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
    Events:
      news: {Type: SNS, Properties: {Topic: news}}
steps:
  - publish: {topic: news, message: hello}
expect:
  - invocations: {function: subscribed, count: 1, status: Success}
  - invocations: {function: evented, count: 1, status: Success}
"""


@pytest.mark.asyncio
async def test_sns_events_and_lambda_subscriptions_pass_with_permissions_enforced(
    caplog: pytest.LogCaptureFixture
) -> None:
    scenario = parse_scenario(SNS_TO_FUNCTIONS, source="sns.yaml", base_dir=ROOT)
    with caplog.at_level(logging.WARNING, logger="eventsim.services.lambda_.permissions"):
        report = await run_scenario(scenario, config=SimulatorConfig(permissions="enforce"))
    assert report.passed, report.render()
    assert not [r for r in caplog.records if r.name == "eventsim.services.lambda_.permissions"]
