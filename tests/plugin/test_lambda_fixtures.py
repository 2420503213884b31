"""The pytest plugin's fixtures with Lambda, the way users write tests (through pytester): a
function defined through the Python API, then invoked through boto3."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_eventsim_lambda_invokes_a_function_defined_on_eventsim(
    pytester: pytest.Pytester,
) -> None:
    pytester.mkdir("handlers").joinpath("greet.py").write_text(textwrap.dedent('''
        def handler(event, context):
            print("greeting", event["name"])
            return {"greeting": f"hello {event['name']}"}
    '''))
    pytester.makepyfile(textwrap.dedent('''
        import base64
        import json
        from pathlib import Path

        def test_invoke(eventsim, eventsim_lambda):
            eventsim.functions.create_function(
                name="greet", handler="greet.handler", code_dir=Path("handlers").resolve())
            response = eventsim_lambda.invoke(FunctionName="greet", LogType="Tail",
                                              Payload=json.dumps({"name": "cat"}))
            assert json.loads(response["Payload"].read()) == {"greeting": "hello cat"}
            assert "greeting cat" in base64.b64decode(response["LogResult"]).decode()
            [record] = eventsim.invocations.list(function="greet")
            assert record.request_id == response["ResponseMetadata"]["RequestId"]
    '''))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
