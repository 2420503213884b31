"""Scenario files: resources, functions, steps and expectations in YAML, run end to end.

    scenario = load_scenario("scenarios/thumbnail.yaml")    # ConfigError names file:line
    report = await run_scenario(scenario)
    assert report.passed, report.render()

``model`` says what a file may contain, ``loader`` reads one, ``runner`` runs it,
``expectations`` checks the ``expect:`` list and ``report`` holds the outcome.
"""

from eventsim.scenario.loader import load_scenario, parse_scenario
from eventsim.scenario.model import Scenario
from eventsim.scenario.report import ScenarioReport
from eventsim.scenario.runner import apply_resources, run_scenario

__all__ = [
    "Scenario",
    "ScenarioReport",
    "apply_resources",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]
