"""The published JSON Schema: current, valid, accepting every shipped scenario and rejecting
structurally broken ones, the way an editor would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from eventsim.cli import main
from eventsim.scenario.loader import _Loader
from eventsim.scenario.schema import scenario_json_schema, scenario_json_schema_text

REPO = Path(__file__).parent.parent.parent
COMMITTED = REPO / "schema" / "scenario.schema.json"
BROKEN = Path(__file__).parent / "broken"


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(scenario_json_schema())


def _yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def test_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == scenario_json_schema_text(), (
        "schema/scenario.schema.json is stale: run "
        "`eventsim schema > schema/scenario.schema.json`")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_json_schema())


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == scenario_json_schema_text()


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_every_shipped_scenario_matches_the_schema(path: Path) -> None:
    errors = [e.message for e in _validator().iter_errors(_yaml(path))]
    assert errors == []


@pytest.mark.parametrize("name", ["unknown_field", "wrong_type", "missing_field",
                                  "unknown_step", "unknown_expectation", "table_bad_key_type",
                                  "queue_count_wrong_type", "subscription_unknown_field"])
def test_structurally_broken_scenarios_do_not_match_the_schema(name: str) -> None:
    assert not _validator().is_valid(_yaml(BROKEN / f"{name}.yaml"))


def test_a_reference_may_stand_for_a_number() -> None:
    scenario = {"name": "n", "variables": {"t": 5},
                "functions": {"f": {"Handler": "app.h", "CodeUri": ".", "Timeout": "${t}"}}}
    assert _validator().is_valid(scenario)
    scenario["functions"]["f"]["Timeout"] = "five"  # type: ignore[index]
    assert not _validator().is_valid(scenario)


def test_a_bare_settle_step_matches_the_schema() -> None:
    assert _validator().is_valid({"name": "s", "steps": ["settle", {"settle": None}]})
    assert json.loads(scenario_json_schema_text())["title"] == "eventsim scenario"
