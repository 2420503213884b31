"""Aliases through boto3 against the gateway: CreateAlias, GetAlias, ListAliases, UpdateAlias,
DeleteAlias, invoking through an alias, and weighted routing between two versions."""

from __future__ import annotations

import io
import itertools
import json
import random
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function"
ROLE = "arn:aws:iam::000000000000:role/lambda-role"

_numbers = itertools.count()


def package(code: str) -> bytes:
    """A zip whose handler answers which code ran and the ARN it was invoked by."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", (
            "def handler(event, context):\n"
            f"    return {{'code': {code!r}, 'invoked': context.invoked_function_arn}}\n"))
    return buffer.getvalue()


@pytest.fixture
def lam(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("lambda")


@pytest.fixture
def versioned(lam: Any, request: pytest.FixtureRequest) -> str:
    """A function with two published versions, answering "one" and "two"."""
    name = f"{request.node.name[5:35].replace('_', '-')}-{next(_numbers)}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="handler.handler", Code={"ZipFile": package("one")},
                        Publish=True)
    lam.update_function_code(FunctionName=name, ZipFile=package("two"), Publish=True)
    return name


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


def _run(lam: Any, **arguments: Any) -> tuple[str, str, str]:
    """(code that ran, ExecutedVersion, the invoked ARN the handler saw)."""
    response = lam.invoke(Payload=b"{}", **arguments)
    answer = json.loads(response["Payload"].read())
    return answer["code"], response["ExecutedVersion"], answer["invoked"]


class Draws(random.Random):
    """A routing source that answers the given draws, in order."""

    def __init__(self, draws: list[float]) -> None:
        super().__init__()
        self._draws: Iterator[float] = iter(draws)

    def random(self) -> float:
        return next(self._draws)


def test_alias_lifecycle_create_get_list_update_delete(lam: Any, versioned: str) -> None:
    made = lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1",
                            Description="production")
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = f"{ACCOUNT_ARN}:{versioned}:live"
    assert (made["AliasArn"], made["Name"], made["FunctionVersion"], made["Description"]) == (
        arn, "live", "1", "production")
    assert "RoutingConfig" not in made
    got = lam.get_alias(FunctionName=versioned, Name="live")
    assert {k: got[k] for k in ("AliasArn", "FunctionVersion", "RevisionId")} == {
        "AliasArn": arn, "FunctionVersion": "1", "RevisionId": made["RevisionId"]}
    lam.create_alias(FunctionName=versioned, Name="beta", FunctionVersion="2")
    listed = lam.list_aliases(FunctionName=versioned)["Aliases"]
    assert [a["Name"] for a in listed] == ["beta", "live"]
    only_one = lam.list_aliases(FunctionName=versioned, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_one] == ["live"]
    first_page = lam.list_aliases(FunctionName=versioned, MaxItems=1)
    second_page = lam.list_aliases(FunctionName=versioned, Marker=first_page["NextMarker"])
    assert [a["Name"] for a in first_page["Aliases"] + second_page["Aliases"]] == [
        "beta", "live"]

    updated = lam.update_alias(FunctionName=versioned, Name="live", FunctionVersion="2")
    assert (updated["FunctionVersion"], updated["Description"]) == ("2", "production")
    assert updated["RevisionId"] != made["RevisionId"]
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.update_alias(FunctionName=versioned, Name="live", Description="x",
                         RevisionId=made["RevisionId"])

    deleted = lam.delete_alias(FunctionName=versioned, Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_alias(FunctionName=versioned, Name="live")
    assert _error(raised) == ("ResourceNotFoundException", f"Cannot find alias arn: {arn}", 404)


def test_create_alias_is_refused_as_aws_refuses_it(lam: Any, versioned: str) -> None:
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceConflictException) as raised:
        lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="2")
    assert _error(raised) == ("ResourceConflictException",
                              f"Alias already exists: {ACCOUNT_ARN}:{versioned}:live", 409)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.create_alias(FunctionName=versioned, Name="later", FunctionVersion="9")
    assert _error(raised)[1] == f"Function not found: {ACCOUNT_ARN}:{versioned}:9"
    with pytest.raises(ClientError) as raised:
        lam.create_alias(FunctionName=versioned, Name="12", FunctionVersion="1")
    assert _error(raised)[0] == "ValidationException"
    routing = [
        ({"2": 0.5, "3": 0.1}, "InvalidParameterValueException",
         "Number of items in AdditionalVersionWeights cannot be greater than 1"),
        ({"1": 0.5}, "InvalidParameterValueException",
         "Invalid function version 1. Function version 1 is already included in routing "
         "configuration."),
        ({"2": 1.5}, "ValidationException", None),
        ({"7": 0.5}, "ResourceNotFoundException",
         f"Function not found: {ACCOUNT_ARN}:{versioned}:7"),
    ]
    for weights, code, message in routing:
        with pytest.raises(ClientError) as raised:
            lam.create_alias(FunctionName=versioned, Name="weighted", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": weights})
        assert _error(raised)[0] == code, weights
        if message is not None:
            assert _error(raised)[1] == message


def test_invoking_an_alias_runs_the_version_it_points_to(lam: Any, versioned: str) -> None:
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    alias_arn = f"{ACCOUNT_ARN}:{versioned}:live"
    assert _run(lam, FunctionName=versioned, Qualifier="live") == ("one", "1", alias_arn)
    assert _run(lam, FunctionName=f"{versioned}:live") == ("one", "1", alias_arn)
    assert _run(lam, FunctionName=alias_arn) == ("one", "1", alias_arn)
    lam.update_alias(FunctionName=versioned, Name="live", FunctionVersion="2")
    assert _run(lam, FunctionName=alias_arn) == ("two", "2", alias_arn)
    config = lam.get_function_configuration(FunctionName=versioned, Qualifier="live")
    assert (config["Version"], config["FunctionArn"]) == ("2", alias_arn)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.invoke(FunctionName=versioned, Qualifier="nope", Payload=b"{}")
    assert _error(raised)[1] == f"Function not found: {ACCOUNT_ARN}:{versioned}:nope"


def test_weighted_routing_sends_the_weighted_share_to_the_additional_version(
    lam: Any, versioned: str, threaded_sim: ThreadedSimulator
) -> None:
    made = lam.create_alias(FunctionName=versioned, Name="canary", FunctionVersion="1",
                            RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert made["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    functions = threaded_sim.sim.functions
    saved = functions.routing
    # A draw below the weight picks the additional version; anything else the alias's own.
    functions.routing = Draws([0.1, 0.25, 0.9, 0.249, 0.5])
    try:
        ran = [_run(lam, FunctionName=versioned, Qualifier="canary")[:2] for _ in range(5)]
    finally:
        functions.routing = saved
    assert ran == [("two", "2"), ("one", "1"), ("one", "1"), ("two", "2"), ("one", "1")]
    functions.routing = random.Random(20261201)
    try:
        versions = [_run(lam, FunctionName=versioned, Qualifier="canary")[1]
                    for _ in range(40)]
    finally:
        functions.routing = saved
    assert set(versions) == {"1", "2"}  # a seeded source: the same split every run
    lam.update_alias(FunctionName=versioned, Name="canary", RoutingConfig={})
    assert "RoutingConfig" not in lam.get_alias(FunctionName=versioned, Name="canary")
    assert {_run(lam, FunctionName=versioned, Qualifier="canary")[1] for _ in range(5)} == {"1"}


def test_a_version_an_alias_names_cannot_be_deleted(lam: Any, versioned: str) -> None:
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="2",
                     RoutingConfig={"AdditionalVersionWeights": {"1": 0.1}})
    lam.create_alias(FunctionName=versioned, Name="stable", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceConflictException) as raised:
        lam.delete_function(FunctionName=versioned, Qualifier="1")
    assert _error(raised) == (
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live, stable]",
        409)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.delete_function(FunctionName=versioned, Qualifier="live")
    lam.delete_alias(FunctionName=versioned, Name="live")
    lam.delete_alias(FunctionName=versioned, Name="stable")
    lam.delete_function(FunctionName=versioned, Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(
        FunctionName=versioned)["Versions"]] == ["$LATEST", "2"]


def test_event_invoke_config_and_policy_of_an_alias_are_its_own(
    lam: Any, versioned: str
) -> None:
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    alias_arn = f"{ACCOUNT_ARN}:{versioned}:live"
    put = lam.put_function_event_invoke_config(FunctionName=versioned, Qualifier="live",
                                               MaximumRetryAttempts=0)
    assert (put["FunctionArn"], put["MaximumRetryAttempts"]) == (alias_arn, 0)
    got = lam.get_function_event_invoke_config(FunctionName=alias_arn)
    assert got["FunctionArn"] == alias_arn
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.get_function_event_invoke_config(FunctionName=versioned)
    assert _error(raised)[1] == (
        f"The function {ACCOUNT_ARN}:{versioned}:$LATEST doesn't have an EventInvokeConfig")
    listed = lam.list_function_event_invoke_configs(FunctionName=versioned)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [alias_arn]

    added = lam.add_permission(FunctionName=versioned, Qualifier="live", StatementId="sns",
                               Action="lambda:InvokeFunction", Principal="sns.amazonaws.com")
    assert json.loads(added["Statement"])["Resource"] == alias_arn
    policy = json.loads(lam.get_policy(FunctionName=versioned, Qualifier="live")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns"]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=versioned)  # the unqualified function has none
    lam.remove_permission(FunctionName=versioned, Qualifier="live", StatementId="sns")
    lam.delete_function_event_invoke_config(FunctionName=versioned, Qualifier="live")
    assert lam.list_function_event_invoke_configs(
        FunctionName=versioned)["FunctionEventInvokeConfigs"] == []
