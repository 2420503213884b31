"""boto3 and the AWS CLI against a running gateway with the real Lambda service (rest-json end
to end): functions defined through the Python API, read and invoked through Lambda's API."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "lambda_handlers"
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function"

_numbers = itertools.count()


@pytest.fixture
def lam(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("lambda")


@pytest.fixture
def make_function(threaded_sim: ThreadedSimulator, request: pytest.FixtureRequest) -> Any:
    """Define a function with a name of its own (the module's simulator is shared)."""

    def make(handler: str = "app.echo", **settings: Any) -> str:
        name = f"{request.node.name[5:35].replace('_', '-')}-{next(_numbers)}"
        threaded_sim.functions.create_function(name=name, handler=handler, code_dir=HANDLERS,
                                               **settings)
        return name

    return make


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


# -- reading functions ---------------------------------------------------------------------


def test_get_function_answers_the_function_configuration(lam: Any, make_function: Any) -> None:
    name = make_function(environment={"STAGE": "test"}, timeout=30, memory_size=256,
                         reserved_concurrency=5)
    got = lam.get_function(FunctionName=name)
    config = got["Configuration"]
    assert config["FunctionName"] == name
    assert config["FunctionArn"] == f"{ACCOUNT_ARN}:{name}"
    assert (config["Runtime"], config["Handler"]) == ("python3.12", "app.echo")
    assert (config["Timeout"], config["MemorySize"]) == (30, 256)
    assert config["Environment"] == {"Variables": {"STAGE": "test"}}
    assert (config["State"], config["PackageType"], config["Version"]) == ("Active", "Zip",
                                                                          "$LATEST")
    assert config["TracingConfig"] == {"Mode": "PassThrough"}
    assert config["Architectures"] == ["x86_64"]
    assert config["CodeSize"] == sum(p.stat().st_size for p in HANDLERS.glob("*.py"))
    assert len(base64.b64decode(config["CodeSha256"])) == 32
    # Lambda's own date format, not ISO 8601 with a colon.
    assert config["LastModified"][-5:] == "+0000" and config["LastModified"][10] == "T"
    assert got["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    alone = lam.get_function_configuration(FunctionName=name)
    alone.pop("ResponseMetadata")
    assert alone == config


def test_get_function_by_arn_partial_arn_and_latest_qualifier(lam: Any,
                                                              make_function: Any) -> None:
    name = make_function()
    for spelled in (f"{ACCOUNT_ARN}:{name}", f"000000000000:function:{name}",
                    f"{name}:$LATEST", f"{ACCOUNT_ARN}:{name}:$LATEST"):
        assert lam.get_function(FunctionName=spelled)["Configuration"]["FunctionName"] == name
    assert lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"][
        "FunctionName"] == name


def test_unknown_function_is_resource_not_found_with_awss_message(lam: Any) -> None:
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_function(FunctionName="nope")
    assert _error(raised) == (
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", 404)
    assert raised.value.response["Type"] == "User"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.invoke(FunctionName="nope", Payload=b"{}")
    assert _error(raised)[1] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")


def test_unknown_version_of_a_function_is_not_found(lam: Any, make_function: Any) -> None:
    name = make_function()
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_function(FunctionName=name, Qualifier="7")
    assert _error(raised)[1] == f"Function not found: {ACCOUNT_ARN}:{name}:7"


def test_list_functions_pages_with_max_items_and_marker(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    made = {make_function() for _ in range(3)}
    every = {f.name for f in threaded_sim.functions.list_functions()}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxItems": 2}
    while True:
        page = lam.list_functions(**kwargs)
        assert len(page["Functions"]) <= 2
        seen += [f["FunctionName"] for f in page["Functions"]]
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert seen == sorted(every)
    assert made <= set(seen)
    paged = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 1}) for f in p["Functions"]]
    assert paged == seen


def test_delete_function_then_it_is_gone(lam: Any, make_function: Any) -> None:
    name = make_function()
    assert lam.delete_function(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=name)


def test_get_account_settings_counts_the_functions(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    make_function()
    settings = lam.get_account_settings()
    assert settings["AccountUsage"]["FunctionCount"] == len(
        threaded_sim.functions.list_functions())
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000


# -- invoking ------------------------------------------------------------------------------


def test_invoke_returns_the_handlers_result(lam: Any, make_function: Any) -> None:
    name = make_function()
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"received": {"n": 1}, "function": name}


def test_invoke_without_payload_sends_an_empty_event_and_none_answers_null(
    lam: Any, make_function: Any
) -> None:
    echo = make_function()
    assert json.loads(lam.invoke(FunctionName=echo)["Payload"].read())["received"] == {}
    nothing = make_function("app.nothing")
    assert lam.invoke(FunctionName=nothing)["Payload"].read() == b"null"


def test_handler_error_answers_200_with_function_error_and_the_error_document(
    lam: Any, make_function: Any
) -> None:
    name = make_function("app.fail")
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the handler failed on purpose"
    assert isinstance(error["stackTrace"], list)


def test_log_type_tail_returns_the_log_with_start_end_and_report_lines(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    response = lam.invoke(FunctionName=name, Payload=b'{"k": "v"}', LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.splitlines()
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    # One request id, as on AWS: the answer's header is the invocation's.
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "echoing {'k': 'v'}" in lines
    assert lines[-2] == f"END RequestId: {request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "Billed Duration" in lines[-1]
    plain = lam.invoke(FunctionName=name, Payload=b"{}")
    assert "LogResult" not in plain


def test_log_tail_is_the_last_4_kb(lam: Any, make_function: Any) -> None:
    name = make_function()
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"big": "x" * 10000}),
                          LogType="Tail")
    tail = base64.b64decode(response["LogResult"])
    assert len(tail) == 4096
    assert tail.decode().splitlines()[-1].startswith("REPORT RequestId: ")


def test_event_invoke_answers_202_and_the_invocation_is_recorded(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    response = lam.invoke(FunctionName=name, InvocationType="Event",
                          Payload=json.dumps({"async": True}))
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    threaded_sim.settle()
    records = threaded_sim.invocations.list(function=name)
    assert [(r.invocation_type, r.status, r.event) for r in records] == [
        ("Event", "Success", {"async": True})]
    assert records[0].request_id == response["ResponseMetadata"]["RequestId"]


def test_invoke_async_queues_an_event(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    assert lam.invoke_async(FunctionName=name, InvokeArgs=b'{"old": 1}')["Status"] == 202
    threaded_sim.settle()
    assert [r.event for r in threaded_sim.invocations.list(function=name)] == [{"old": 1}]


def test_dry_run_answers_204_and_runs_nothing(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    response = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    threaded_sim.settle()
    assert threaded_sim.invocations.list(function=name) == []


def test_payload_that_is_not_json_is_invalid_request_content(lam: Any,
                                                             make_function: Any) -> None:
    name = make_function()
    with pytest.raises(lam.exceptions.InvalidRequestContentException) as raised:
        lam.invoke(FunctionName=name, Payload=b"{not json")
    assert _error(raised)[0] == "InvalidRequestContentException"
    assert _error(raised)[2] == 400


def test_unknown_invocation_type_is_a_validation_error(lam: Any, make_function: Any) -> None:
    name = make_function()
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName=name, InvocationType="Later")
    assert _error(raised)[0] == "ValidationException"
    assert "[Event, RequestResponse, DryRun]" in _error(raised)[1]


def test_operation_eventsim_does_not_simulate_answers_not_implemented(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    with pytest.raises(ClientError) as raised:
        lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1)
    assert _error(raised)[0] == "NotImplemented"
    assert _error(raised)[2] == 501


# -- asynchronous invocation settings ------------------------------------------------------


def test_event_invoke_config_put_get_update_delete(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    queue = "arn:aws:sqs:us-east-1:000000000000:failures"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert _error(raised)[1] == (
        f"The function {ACCOUNT_ARN}:{name}:$LATEST doesn't have an EventInvokeConfig")

    put = lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": queue}})
    assert put["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:$LATEST"
    assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (0, 120)
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue}}
    assert put["LastModified"].tzinfo is not None
    # The engine reads the same settings.
    config = threaded_sim.functions.peek(name)
    assert (config.maximum_retry_attempts, config.maximum_event_age,
            config.on_failure) == (0, 120, queue)

    updated = lam.update_function_event_invoke_config(FunctionName=name,
                                                      MaximumRetryAttempts=1)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 120)
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": queue}
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert got["MaximumRetryAttempts"] == 1
    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [
        f"{ACCOUNT_ARN}:{name}:$LATEST"]

    deleted = lam.delete_function_event_invoke_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName=name)
    config = threaded_sim.functions.peek(name)
    assert (config.maximum_retry_attempts, config.maximum_event_age,
            config.on_failure) == (2, 21600, None)


def test_event_invoke_config_validates_like_aws(lam: Any, make_function: Any) -> None:
    name = make_function()
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as raised:
        lam.put_function_event_invoke_config(FunctionName=name)
    assert _error(raised)[1] == (
        "You must specify at least one of error handling or destination setting.")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": "nowhere"}})
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.put_function_event_invoke_config(FunctionName="nope", MaximumRetryAttempts=1)
    assert _error(raised)[1] == "The function doesn't exist."
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)


# -- the AWS CLI ---------------------------------------------------------------------------


def _aws(threaded_sim: ThreadedSimulator, home: Path, *args: str,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    aws = Path(sys.executable).with_name("aws")
    done = subprocess.run(
        [str(aws), "--endpoint-url", threaded_sim.url, *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_aws_cli_invoke_get_function_and_a_missing_function(
    threaded_sim: ThreadedSimulator, make_function: Any, tmp_path: Path
) -> None:
    name = make_function()
    out = tmp_path / "out.json"
    done = _aws(threaded_sim, tmp_path, "lambda", "invoke", "--function-name", name,
                "--payload", '{"from": "cli"}',
                "--log-type", "Tail", str(out))
    summary = json.loads(done.stdout)
    assert summary["StatusCode"] == 200
    assert summary["ExecutedVersion"] == "$LATEST"
    assert base64.b64decode(summary["LogResult"]).decode().startswith("START RequestId: ")
    assert json.loads(out.read_text()) == {"received": {"from": "cli"}, "function": name}

    got = json.loads(_aws(threaded_sim, tmp_path, "lambda", "get-function",
                          "--function-name", name).stdout)
    assert got["Configuration"]["FunctionArn"] == f"{ACCOUNT_ARN}:{name}"

    missing = _aws(threaded_sim, tmp_path, "lambda", "get-function", "--function-name", "nope",
                   check=False)
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr
    assert f"Function not found: {ACCOUNT_ARN}:nope" in missing.stderr


# -- CreateFunction from a zip -------------------------------------------------------------

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ZIPPED_HANDLER = '''
import json


def handler(event, context):
    print("zipped handler ran")
    return {"zipped": True, "event": event, "request_id": context.aws_request_id}
'''


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_create_function_from_a_zip_then_invoke_it(
    lam: Any, threaded_sim: ThreadedSimulator
) -> None:
    package = _zip({"pkg/__init__.py": "", "pkg/main.py": ZIPPED_HANDLER})
    created = lam.create_function(
        FunctionName="zipped-echo", Runtime="python3.12", Role=ROLE, Handler="pkg.main.handler",
        Code={"ZipFile": package}, Timeout=10, Description="from a zip",
        Environment={"Variables": {"STAGE": "dev"}},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == f"{ACCOUNT_ARN}:zipped-echo"
    assert (created["Role"], created["Handler"], created["Timeout"]) == (
        ROLE, "pkg.main.handler", 10)
    assert created["Description"] == "from a zip"
    # AWS's own measures of the package: its length and the base64 SHA-256 of its bytes.
    assert created["CodeSize"] == len(package)
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    response = lam.invoke(FunctionName="zipped-echo", Payload=b'{"a": 1}')
    result = json.loads(response["Payload"].read())
    assert result["zipped"] is True and result["event"] == {"a": 1}
    assert result["request_id"] == response["ResponseMetadata"]["RequestId"]

    with pytest.raises(lam.exceptions.ResourceConflictException) as raised:
        lam.create_function(FunctionName="zipped-echo", Runtime="python3.12", Role=ROLE,
                            Handler="pkg.main.handler", Code={"ZipFile": package})
    assert _error(raised) == ("ResourceConflictException",
                              "Function already exist: zipped-echo", 409)

    code_dir = Path(threaded_sim.functions.peek("zipped-echo").code_dir)
    assert (code_dir / "pkg" / "main.py").is_file()
    lam.delete_function(FunctionName="zipped-echo")
    assert not code_dir.exists()


@pytest.mark.parametrize(("settings", "code", "message"), [
    pytest.param({"Role": "not-a-role"}, "ValidationException",
                 "Value 'not-a-role' at 'role' failed to satisfy constraint", id="role"),
    pytest.param({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException",
                 "Could not unzip uploaded file.", id="bad-zip"),
    pytest.param({"Runtime": None}, "InvalidParameterValueException",
                 "Runtime and Handler are mandatory parameters", id="no-runtime"),
    pytest.param({"Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}},
                 "InvalidParameterValueException",
                 "Reserved keys used in this request: AWS_REGION", id="reserved-variable"),
    pytest.param({"Timeout": 901}, "ValidationException",
                 "Value '901' at 'timeout' failed to satisfy constraint: Member must have value "
                 "less than or equal to 900", id="timeout"),
    pytest.param({"MemorySize": 10241}, "ValidationException",
                 "Member must have value less than or equal to 10240", id="memory"),
])
def test_create_function_validates_like_aws(
    lam: Any, threaded_sim: ThreadedSimulator, settings: dict[str, Any], code: str,
    message: str,
) -> None:
    params: dict[str, Any] = {
        "FunctionName": "never-made", "Runtime": "python3.12", "Role": ROLE,
        "Handler": "app.handler", "Code": {"ZipFile": _zip({"app.py": ZIPPED_HANDLER})},
    }
    params.update(settings)
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(ClientError) as raised:
        lam.create_function(**params)
    assert _error(raised)[0] == code
    assert message in _error(raised)[1]
    assert threaded_sim.functions.peek("never-made") is None


def test_create_function_from_s3_is_not_implemented(lam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        lam.create_function(FunctionName="from-s3", Runtime="python3.12", Role=ROLE,
                            Handler="app.handler",
                            Code={"S3Bucket": "code-bucket", "S3Key": "k.zip"})
    assert _error(raised)[0] == "NotImplemented"


def test_event_invoke_config_reports_only_the_settings_it_was_given(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert put["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in put
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    # What was not given is AWS's default for the engine.
    assert threaded_sim.functions.peek(name).maximum_event_age == 21600
    updated = lam.update_function_event_invoke_config(FunctionName=name,
                                                      MaximumEventAgeInSeconds=60)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 60)
    again = lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=90)
    assert "MaximumRetryAttempts" not in again
    assert threaded_sim.functions.peek(name).maximum_retry_attempts == 2


# -- updating functions --------------------------------------------------------------------


def test_update_function_configuration_changes_what_is_given_and_moves_the_revision(
    lam: Any, make_function: Any
) -> None:
    name = make_function(environment={"A": "1"})
    before = lam.get_function_configuration(FunctionName=name)
    updated = lam.update_function_configuration(
        FunctionName=name, Timeout=20, Description="now slower", Role=ROLE,
        Environment={"Variables": {"B": "2"}}, RevisionId=before["RevisionId"])
    assert (updated["Timeout"], updated["Description"], updated["Role"]) == (
        20, "now slower", ROLE)
    assert updated["Environment"] == {"Variables": {"B": "2"}}
    assert (updated["MemorySize"], updated["Handler"]) == (before["MemorySize"],
                                                           before["Handler"])
    assert updated["RevisionId"] != before["RevisionId"]
    with pytest.raises(lam.exceptions.PreconditionFailedException) as raised:
        lam.update_function_configuration(FunctionName=name, Timeout=5,
                                          RevisionId=before["RevisionId"])
    assert _error(raised)[2] == 412
    with pytest.raises(ClientError) as raised:
        lam.update_function_configuration(FunctionName=name, Timeout=901)
    assert _error(raised)[0] == "ValidationException"
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 20
    # The next invocation runs with the new environment.
    assert json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())[
        "function"] == name


def test_update_function_code_runs_the_new_code(
    lam: Any, threaded_sim: ThreadedSimulator
) -> None:
    first = _zip({"app.py": "def handler(event, context):\n    return 'first'\n"})
    second = _zip({"app.py": "def handler(event, context):\n    return 'second'\n"})
    lam.create_function(FunctionName="recoded", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": first})
    assert lam.invoke(FunctionName="recoded")["Payload"].read() == b'"first"'
    old_dir = Path(threaded_sim.functions.peek("recoded").code_dir)
    updated = lam.update_function_code(FunctionName="recoded", ZipFile=second)
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(second).digest()).decode()
    assert lam.invoke(FunctionName="recoded")["Payload"].read() == b'"second"'
    assert not old_dir.exists()
    dry = lam.update_function_code(FunctionName="recoded", ZipFile=first, DryRun=True)
    assert dry["CodeSha256"] == updated["CodeSha256"]
    lam.delete_function(FunctionName="recoded")


def test_function_concurrency_put_get_delete(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    put = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    assert put["ReservedConcurrentExecutions"] == 3
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 3
    assert threaded_sim.functions.peek(name).reserved_concurrency == 3
    assert lam.get_function(FunctionName=name)["Concurrency"] == {
        "ReservedConcurrentExecutions": 3}
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as raised:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=901)
    assert "below its minimum value of [100]" in _error(raised)[1]
    deleted = lam.delete_function_concurrency(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert threaded_sim.functions.peek(name).reserved_concurrency is None


@pytest.mark.slow
def test_handler_timeout_answers_200_with_function_error_and_sandbox_timedout(
    lam: Any, make_function: Any
) -> None:
    name = make_function("app.slow", timeout=1)
    response = lam.invoke(FunctionName=name, Payload=b'{"seconds": 1.5}', LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert base64.b64decode(response["LogResult"]).decode().splitlines()[-1].startswith(
        "REPORT RequestId: ")


def test_client_context_reaches_a_synchronous_handler(lam: Any, make_function: Any) -> None:
    name = make_function("app.client_context")
    sent = {"custom": {"tenant": "t-1"}, "env": {"platform": "Android"},
            "client": {"app_title": "Pets"}}
    encoded = base64.b64encode(json.dumps(sent).encode()).decode()
    response = lam.invoke(FunctionName=name, ClientContext=encoded)
    assert json.loads(response["Payload"].read()) == {
        "custom": {"tenant": "t-1"}, "env": {"platform": "Android"}, "app_title": "Pets"}
    assert lam.invoke(FunctionName=name)["Payload"].read() == b"null"
    with pytest.raises(lam.exceptions.InvalidRequestContentException):
        lam.invoke(FunctionName=name, ClientContext=base64.b64encode(b"[1]").decode())


# -- tags ----------------------------------------------------------------------------------


def test_tags_on_create_then_tag_untag_and_list(lam: Any, threaded_sim: ThreadedSimulator) -> None:
    created = lam.create_function(
        FunctionName="tagged", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": ZIPPED_HANDLER})}, Tags={"team": "pets"})
    arn = created["FunctionArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "pets"}
    assert lam.get_function(FunctionName="tagged")["Tags"] == {"team": "pets"}
    lam.tag_resource(Resource=arn, Tags={"stage": "dev", "team": "cats"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "cats", "stage": "dev"}
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"stage": "dev"}
    # Tagging is no configuration change.
    assert (lam.get_function_configuration(FunctionName="tagged")["LastModified"]
            == created["LastModified"])
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.list_tags(Resource=f"{ACCOUNT_ARN}:nope")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.tag_resource(Resource=f"{arn}:$LATEST", Tags={"a": "b"})
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.tag_resource(Resource=arn, Tags={"aws:cloudformation": "x"})
    lam.delete_function(FunctionName="tagged")


def test_tags_survive_in_the_function_record(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    lam.tag_resource(Resource=f"{ACCOUNT_ARN}:{name}", Tags={"k": "v"})
    assert threaded_sim.functions.peek(name).tags == {"k": "v"}
    assert "Tags" not in lam.get_function(FunctionName=make_function())


def test_dead_letter_config_is_set_removed_and_receives_failed_events(
    lam: Any, threaded_sim: ThreadedSimulator
) -> None:
    sqs = threaded_sim.client("sqs")
    url = sqs.create_queue(QueueName="lambda-dlq")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    failing = _zip({"app.py": "def handler(event, context):\n    raise ValueError('no')\n"})
    created = lam.create_function(
        FunctionName="dead-lettered", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": failing}, DeadLetterConfig={"TargetArn": queue})
    assert created["DeadLetterConfig"] == {"TargetArn": queue}
    lam.put_function_event_invoke_config(FunctionName="dead-lettered", MaximumRetryAttempts=0)
    lam.invoke(FunctionName="dead-lettered", InvocationType="Event", Payload=b'{"n": 1}')
    threaded_sim.settle()
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   MessageAttributeNames=["All"]).get("Messages", [])
    # A dead-letter queue gets the event itself, with Lambda's three attributes.
    [message] = messages
    assert json.loads(message["Body"]) == {"n": 1}
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "no"
    assert attributes["RequestID"]["StringValue"] == threaded_sim.invocations.list(
        function="dead-lettered")[0].request_id
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.update_function_configuration(
            FunctionName="dead-lettered",
            DeadLetterConfig={"TargetArn": "arn:aws:s3:::not-a-queue"})
    removed = lam.update_function_configuration(FunctionName="dead-lettered",
                                                DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in removed
    lam.delete_function(FunctionName="dead-lettered")


def test_on_failure_destination_queue_receives_the_invocation_record(
    lam: Any, threaded_sim: ThreadedSimulator
) -> None:
    sqs = threaded_sim.client("sqs")
    url = sqs.create_queue(QueueName="lambda-failures")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    failing = _zip({"app.py": "def handler(event, context):\n    raise ValueError('no')\n"})
    lam.create_function(FunctionName="fails-to-queue", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": failing})
    lam.put_function_event_invoke_config(
        FunctionName="fails-to-queue", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue}})
    response = lam.invoke(FunctionName="fails-to-queue", InvocationType="Event",
                          Payload=b'{"n": 2}')
    threaded_sim.settle()
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert record["requestPayload"] == {"n": 2}
    assert record["responsePayload"]["errorType"] == "ValueError"
    lam.delete_function(FunctionName="fails-to-queue")


def test_aws_cli_create_function_from_a_zip_file_then_invoke_and_delete(
    threaded_sim: ThreadedSimulator, tmp_path: Path
) -> None:
    package = tmp_path / "function.zip"
    package.write_bytes(_zip({"app.py": ZIPPED_HANDLER}))
    created = json.loads(_aws(
        threaded_sim, tmp_path, "lambda", "create-function", "--function-name", "from-cli",
        "--runtime", "python3.12", "--role", ROLE, "--handler", "app.handler",
        "--zip-file", f"fileb://{package}", "--environment", "Variables={STAGE=cli}",
    ).stdout)
    assert created["CodeSize"] == package.stat().st_size
    assert created["Environment"] == {"Variables": {"STAGE": "cli"}}
    out = tmp_path / "out.json"
    _aws(threaded_sim, tmp_path, "lambda", "invoke", "--function-name", "from-cli",
         "--payload", '{"k": 1}', str(out))
    assert json.loads(out.read_text())["event"] == {"k": 1}
    _aws(threaded_sim, tmp_path, "lambda", "delete-function", "--function-name", "from-cli")
    assert threaded_sim.functions.peek("from-cli") is None


def test_answer_over_6_mb_is_a_response_size_function_error(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function("app.big")
    fits = lam.invoke(FunctionName=name, Payload=json.dumps({"size": 6_291_556 - 2}))
    assert "FunctionError" not in fits
    assert len(fits["Payload"].read()) == 6_291_556
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"size": 6_291_556}))
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read()) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
                        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    assert [r.status for r in threaded_sim.invocations.list(function=name)] == ["Success",
                                                                               "Error"]


# -- resource policy -----------------------------------------------------------------------


def test_add_permission_get_policy_and_remove_permission(lam: Any, make_function: Any) -> None:
    name = make_function()
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_policy(FunctionName=name)
    assert _error(raised)[1] == "The resource you requested does not exist."
    added = lam.add_permission(
        FunctionName=name, StatementId="s3invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads",
        SourceAccount="000000000000")
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "s3invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": f"{ACCOUNT_ARN}:{name}",
        "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
    }
    lam.add_permission(FunctionName=name, StatementId="account", Action="lambda:*",
                       Principal="111122223333")
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert (policy["Version"], policy["Id"]) == ("2012-10-17", "default")
    assert [s["Sid"] for s in policy["Statement"]] == ["s3invoke", "account"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    with pytest.raises(lam.exceptions.ResourceConflictException) as raised:
        lam.add_permission(FunctionName=name, StatementId="s3invoke",
                           Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    assert "The statement id (s3invoke) provided already exists" in _error(raised)[1]
    removed = lam.remove_permission(FunctionName=name, StatementId="s3invoke")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.remove_permission(FunctionName=name, StatementId="s3invoke")
    assert _error(raised)[1] == "Statement s3invoke is not found in resource policy."


def test_list_versions_by_function_of_an_unpublished_function_lists_latest_only(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    [latest] = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert (latest["Version"], latest["FunctionArn"]) == ("$LATEST",
                                                          f"{ACCOUNT_ARN}:{name}:$LATEST")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.list_versions_by_function(FunctionName="nope")
