"""``variables:`` and ``${...}`` references: typed whole-string values, text, env, sim."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.config import SimulatorConfig
from eventsim.errors import ConfigError
from eventsim.scenario import parse_scenario, run_scenario
from eventsim.scenario.model import InvokeStep, PutObjectStep
from eventsim.scenario.variables import resolve_variables

REPO = Path(__file__).parent.parent.parent

FUNCTION = """\
functions:
  echo:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
    Timeout: ${timeout}
"""



def test_a_whole_string_reference_keeps_the_value_type() -> None:
    scenario = parse_scenario(
        "name: v\nvariables: {timeout: 7, payload: {a: [1, 2]}}\n" + FUNCTION
        + "steps:\n  - invoke: {function: echo, event: '${payload}'}\n",
        source="v.yaml", base_dir=REPO)
    assert scenario.functions["echo"].timeout == 7
    step = scenario.steps[0]
    assert isinstance(step, InvokeStep)
    assert step.event == {"a": [1, 2]}
    assert scenario.variables == {"timeout": 7, "payload": {"a": [1, 2]}}


def test_a_reference_inside_text_is_replaced_by_the_value_text() -> None:
    scenario = parse_scenario(
        "name: v\nvariables: {b: uploads, n: 3, flag: true}\n"
        "resources: {buckets: ['${b}']}\n"
        "steps:\n  - put_object: {bucket: '${b}', key: 'in/${n}-${flag}.txt', text: 'x'}\n",
        source="v.yaml")
    step = scenario.steps[0]
    assert isinstance(step, PutObjectStep)
    assert (step.bucket, step.key) == ("uploads", "in/3-true.txt")


def test_variables_may_use_other_variables_env_and_sim() -> None:
    data = {"variables": {"prefix": "${env:EVS_PREFIX:-raw}/${sim:region}", "key": "${prefix}/k"},
            "name": "${key} in ${sim:account}"}
    out = resolve_variables(data, {}, "v.yaml", sim={"region": "eu-west-1",
                                                     "account": "123456789012"}, environ={})
    assert out["name"] == "raw/eu-west-1/k in 123456789012"


def test_env_reference_reads_the_environment_before_its_default() -> None:
    out = resolve_variables({"name": "${env:EVS_NAME:-fallback}"}, {}, "v.yaml",
                            sim={}, environ={"EVS_NAME": "set"})
    assert out["name"] == "set"


def test_an_empty_environment_variable_takes_the_default_like_the_shell() -> None:
    environ = {"EVS_EMPTY": ""}
    with_default = resolve_variables({"name": "${env:EVS_EMPTY:-d}"}, {}, "v.yaml", sim={},
                                     environ=environ)
    without = resolve_variables({"name": "x${env:EVS_EMPTY}y"}, {}, "v.yaml", sim={},
                                environ=environ)
    assert (with_default["name"], without["name"]) == ("d", "xy")


def test_double_dollar_writes_a_literal_reference() -> None:
    out = resolve_variables({"name": "cost $${price}"}, {}, "v.yaml", sim={}, environ={})
    assert out["name"] == "cost ${price}"


def test_sim_region_and_account_default_to_the_simulator_defaults() -> None:
    scenario = parse_scenario("name: '${sim:region}/${sim:account}'\n", source="v.yaml")
    assert scenario.name == "us-east-1/000000000000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("name: '${sim:zone}'\n", "v.yaml:1: name: ${sim:zone}: sim knows account, "
                     "region", id="unknown-sim-value"),
        pytest.param("name: '${aws:x}'\n", "v.yaml:1: name: ${aws:x}: unknown kind 'aws'",
                     id="unknown-kind"),
        pytest.param("name: '${a b}'\n", "v.yaml:1: name: ${a b} is not a variable reference",
                     id="not-a-name"),
        pytest.param("variables: {m: {a: 1}}\nname: 'x-${m}'\n",
                     "v.yaml:2: name: ${m} is a dict; only a whole string", id="mapping-in-text"),
        pytest.param("variables: [a]\nname: x\n", "v.yaml:1: variables: a mapping of names",
                     id="variables-not-a-mapping"),
    ],
)
def test_bad_references_name_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_scenario(text, source="v.yaml")
    assert str(exc.value).startswith(message), str(exc.value)


def test_every_undefined_reference_is_reported_on_its_own_line() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_scenario("name: '${one}'\ndescription: '${two}'\n", source="v.yaml")
    lines = str(exc.value).splitlines()
    assert lines == [
        "v.yaml:1: name: undefined variable ${one} (defined in variables: none)",
        "v.yaml:2: description: undefined variable ${two} (defined in variables: none)",
    ]


@pytest.mark.asyncio
async def test_a_run_gives_sim_references_its_configured_region_and_account(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: '${sim:region} ${sim:account}'\n", encoding="utf-8")
    report = await run_scenario(path, config=SimulatorConfig(region="eu-west-1",
                                                             account_id="123456789012"))
    assert report.name == "eu-west-1 123456789012"
