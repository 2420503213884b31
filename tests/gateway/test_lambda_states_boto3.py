"""Function states as AWS reports them (Pending while being created, InProgress while being
updated, then Active and Successful; the SDK's waiters), and a Node.js function created from a
zip through CreateFunction."""

from __future__ import annotations

import io
import itertools
import json
import shutil
import zipfile
from typing import Any

import pytest

from eventsim.testing import ThreadedSimulator

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function"
CREATING = "The function is being created."

_numbers = itertools.count()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PYTHON = _zip({"app.py": "def handler(event, context):\n    return event\n"})
NODE = _zip({"index.js": (
    "exports.handler = async (event, context) => ({\n"
    "  sum: event.a + event.b,\n"
    "  runtime: process.env.AWS_EXECUTION_ENV,\n"
    "  version: process.env.AWS_LAMBDA_FUNCTION_VERSION,\n"
    "  invoked: context.invokedFunctionArn,\n"
    "});\n")})


@pytest.fixture
def lam(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("lambda")


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    return f"{request.node.name[5:35].replace('_', '-')}-{next(_numbers)}"


def test_create_function_answers_pending_and_reads_find_it_active(lam: Any, name: str) -> None:
    made = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                               Handler="app.handler", Code={"ZipFile": PYTHON})
    assert (made["State"], made["StateReason"], made["StateReasonCode"]) == (
        "Pending", CREATING, "Creating")
    assert "LastUpdateStatus" not in made
    # eventsim creates a function at once: the waiter boto3 users call returns on its first
    # poll, and the function is Active from then on.
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    got = lam.get_function(FunctionName=name)["Configuration"]
    assert (got["State"], got["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReason" not in got


def test_updates_answer_in_progress_and_reads_find_them_successful(lam: Any, name: str) -> None:
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": PYTHON})
    for update in (lambda: lam.update_function_configuration(FunctionName=name, Timeout=9),
                   lambda: lam.update_function_code(FunctionName=name, ZipFile=PYTHON)):
        answer = update()
        assert (answer["State"], answer["LastUpdateStatus"], answer["LastUpdateStatusReason"],
                answer["LastUpdateStatusReasonCode"]) == ("Active", "InProgress", CREATING,
                                                         "Creating")
        lam.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1})
        got = lam.get_function_configuration(FunctionName=name)
        assert got["LastUpdateStatus"] == "Successful"
        assert "LastUpdateStatusReason" not in got


def test_publish_version_answers_the_new_version_pending(lam: Any, name: str) -> None:
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": PYTHON})
    first = lam.publish_version(FunctionName=name)
    assert (first["Version"], first["State"]) == ("1", "Pending")
    again = lam.publish_version(FunctionName=name)  # nothing changed: the version there is
    assert (again["Version"], again["State"]) == ("1", "Active")
    got = lam.get_function_configuration(FunctionName=name, Qualifier="1")
    assert got["State"] == "Active"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_nodejs_function_created_from_a_zip_runs_and_publishes(lam: Any, name: str) -> None:
    made = lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE,
                               Handler="index.handler", Code={"ZipFile": NODE}, Publish=True)
    assert (made["Runtime"], made["Version"]) == ("nodejs20.x", "1")
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"a": 2, "b": 3}))
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {
        "sum": 5, "runtime": "AWS_Lambda_nodejs20.x", "version": "$LATEST",
        "invoked": f"{ACCOUNT_ARN}:{name}"}
    versioned = lam.invoke(FunctionName=name, Qualifier="1", Payload=b'{"a": 1, "b": 1}')
    answer = json.loads(versioned["Payload"].read())
    assert (versioned["ExecutedVersion"], answer["version"], answer["invoked"]) == (
        "1", "1", f"{ACCOUNT_ARN}:{name}:1")
