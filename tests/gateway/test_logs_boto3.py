"""CloudWatch Logs through boto3 (json 1.1 end to end): a function's logs read back as
``aws logs`` and boto3's paginators read them on AWS; and services the gateway does not
serve, answered NotImplemented in their own protocol."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator, boto3_client

HANDLERS = Path(__file__).parent / "lambda_handlers"
_numbers = itertools.count()


@pytest.fixture
def logs(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("logs")


@pytest.fixture
def function(threaded_sim: ThreadedSimulator, request: pytest.FixtureRequest) -> str:
    """A function of the process runtime (a real execution environment), named per test."""
    name = f"{request.node.name[5:35].replace('_', '-')}-{next(_numbers)}"
    threaded_sim.functions.create_function(name=name, handler="app.echo", code_dir=HANDLERS,
                                           runtime_kind="process")
    return name


def _invoke(threaded_sim: ThreadedSimulator, name: str, event: Any) -> str:
    answer = threaded_sim.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    return base64.b64decode(answer["LogResult"]).decode()


def test_a_functions_logs_read_back_through_boto3(
    threaded_sim: ThreadedSimulator, logs: Any, function: str,
) -> None:
    tails = [_invoke(threaded_sim, function, {"n": n}) for n in range(3)]
    group = f"/aws/lambda/{function}"
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    # One environment ran all three: one stream, the one its handler was told.
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"],
                                 startFromHead=True)["events"]
    assert "".join(e["message"] for e in events) == "".join(tails)
    assert "echoing {'n': 1}\n" in [e["message"] for e in events]


def test_boto3_paginators_walk_streams_and_filtered_events(
    threaded_sim: ThreadedSimulator, logs: Any, function: str,
) -> None:
    for n in range(5):
        _invoke(threaded_sim, function, {"n": n})
    group = f"/aws/lambda/{function}"
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, filterPattern="echoing", PaginationConfig={"PageSize": 2})
    messages = [e["message"] for page in pages for e in page["events"]]
    assert messages == [f"echoing {{'n': {n}}}\n" for n in range(5)]
    streams = [s for page in logs.get_paginator("describe_log_streams").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 1}) for s in page["logStreams"]]
    assert len(streams) == 1


def test_logs_errors_reach_boto3_with_their_codes(logs: Any, function: str) -> None:
    with pytest.raises(ClientError) as raised:
        logs.describe_log_streams(logGroupName="/aws/lambda/no-such-function")
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", "The specified log group does not exist.")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as raised:
        logs.create_log_group(logGroupName="/my/app")
    assert raised.value.response["Error"]["Code"] == "NotImplemented"


@pytest.mark.parametrize(("service", "call"), [
    ("events", lambda c: c.list_rules()),                     # json, a botocore name
    ("iam", lambda c: c.list_users()),                        # query
    ("stepfunctions", lambda c: c.list_state_machines()),     # json, signed as "states"
    ("cloudwatch", lambda c: c.list_metrics()),               # signed as "monitoring"
])
def test_services_the_gateway_does_not_serve_are_not_implemented(
    threaded_sim: ThreadedSimulator, service: str, call: Any,
) -> None:
    client = boto3_client(service, threaded_sim.url, "us-east-1")
    with pytest.raises(ClientError) as raised:
        call(client)
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert "eventsim does not implement the" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_sts_tells_the_caller_its_account(threaded_sim: ThreadedSimulator) -> None:
    sts = boto3_client("sts", threaded_sim.url, "us-east-1")
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        "000000000000", "AIDAEVENTSIMUSER", "arn:aws:iam::000000000000:user/eventsim")
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="session")
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
