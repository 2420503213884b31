"""Lambda: one sequence of boto3 calls against moto's server and eventsim's gateway.

Invoke is left out: moto runs functions in Docker. Each step's answers must agree in shape (keys
and value types) or in error code and HTTP status, once the documented differences below are
taken out: keys moto adds or omits where AWS does otherwise (eventsim follows AWS, and the step
checks it), and what eventsim does not have yet.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any, str], Any]]

_API = "https://docs.aws.amazon.com/lambda/latest/api/"


def _zip(body: str = "return event") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", f"def handler(event, context):\n    {body}\n")
    return buffer.getvalue()


ZIP = _zip()


def _create(c: Any, role: str, name: str = "f", **kwargs: Any) -> Any:
    return c.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                             Handler="app.handler", Code={"ZipFile": ZIP}, **kwargs)


def _arn(c: Any, name: str = "f") -> str:
    return str(c.get_function(FunctionName=name)["Configuration"]["FunctionArn"])


STEPS: list[Step] = [
    ("create_function", lambda c, role: _create(c, role, Description="d", Timeout=10)),
    ("create_function_again", lambda c, role: _create(c, role)),
    ("create_function_bad_role", lambda c, role: _create(c, "not-a-role", name="g")),
    ("create_second_function", lambda c, role: _create(c, role, name="h")),
    ("get_function", lambda c, role: c.get_function(FunctionName="f")),
    ("get_function_by_arn", lambda c, role: c.get_function(
        FunctionName=c.get_function(FunctionName="f")["Configuration"]["FunctionArn"])),
    ("get_function_configuration", lambda c, role: c.get_function_configuration(
        FunctionName="f")),
    ("get_function_missing", lambda c, role: c.get_function(FunctionName="nope")),
    ("get_function_configuration_missing", lambda c, role: c.get_function_configuration(
        FunctionName="nope")),
    ("get_function_unknown_version", lambda c, role: c.get_function(FunctionName="f",
                                                                     Qualifier="9")),
    ("list_functions", lambda c, role: c.list_functions()),
    ("list_functions_paged", lambda c, role: c.list_functions(MaxItems=1)),
    ("list_versions_by_function", lambda c, role: c.list_versions_by_function(
        FunctionName="f")),
    ("invoke_missing", lambda c, role: c.invoke(FunctionName="nope", Payload=b"{}")),
    ("publish_version", lambda c, role: c.publish_version(FunctionName="f")),
    ("update_code_and_publish", lambda c, role: c.update_function_code(
        FunctionName="f", ZipFile=_zip("return 2"), Publish=True)),
    ("list_versions_published", lambda c, role: c.list_versions_by_function(
        FunctionName="f")),
    ("get_function_configuration_version", lambda c, role: c.get_function_configuration(
        FunctionName="f", Qualifier="1")),
    ("get_function_qualified_name", lambda c, role: c.get_function(FunctionName="f:1")),
    ("create_alias", lambda c, role: c.create_alias(FunctionName="f", Name="live",
                                                    FunctionVersion="1", Description="d")),
    ("create_alias_again", lambda c, role: c.create_alias(FunctionName="f", Name="live",
                                                          FunctionVersion="2")),
    ("get_alias", lambda c, role: c.get_alias(FunctionName="f", Name="live")),
    ("get_alias_missing", lambda c, role: c.get_alias(FunctionName="f", Name="nope")),
    ("update_alias", lambda c, role: c.update_alias(FunctionName="f", Name="live",
                                                    FunctionVersion="2")),
    ("list_aliases", lambda c, role: c.list_aliases(FunctionName="f")),
    ("get_function_configuration_alias", lambda c, role: c.get_function_configuration(
        FunctionName="f", Qualifier="live")),
    ("delete_version_an_alias_names", lambda c, role: c.delete_function(FunctionName="f",
                                                                        Qualifier="2")),
    ("delete_alias", lambda c, role: c.delete_alias(FunctionName="f", Name="live")),
    ("delete_version", lambda c, role: c.delete_function(FunctionName="f", Qualifier="1")),
    ("get_deleted_version", lambda c, role: c.get_function(FunctionName="f", Qualifier="1")),
    ("put_event_invoke_config", lambda c, role: c.put_function_event_invoke_config(
        FunctionName="f", MaximumRetryAttempts=1)),
    ("get_event_invoke_config", lambda c, role: c.get_function_event_invoke_config(
        FunctionName="f")),
    ("delete_event_invoke_config", lambda c, role: c.delete_function_event_invoke_config(
        FunctionName="f")),
    ("get_event_invoke_config_deleted", lambda c, role: c.get_function_event_invoke_config(
        FunctionName="f")),
    ("tag_resource", lambda c, role: c.tag_resource(Resource=_arn(c), Tags={"team": "pets"})),
    ("list_tags", lambda c, role: c.list_tags(Resource=_arn(c))),
    ("untag_resource", lambda c, role: c.untag_resource(Resource=_arn(c), TagKeys=["team"])),
    ("list_tags_untagged", lambda c, role: c.list_tags(Resource=_arn(c))),
    ("list_tags_missing_function", lambda c, role: c.list_tags(
        Resource=_arn(c).rsplit(":", 1)[0] + ":nope")),
    ("get_policy_none", lambda c, role: c.get_policy(FunctionName="f")),
    ("add_permission", lambda c, role: c.add_permission(
        FunctionName="f", StatementId="s3invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")),
    ("add_permission_again", lambda c, role: c.add_permission(
        FunctionName="f", StatementId="s3invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com")),
    ("get_policy", lambda c, role: c.get_policy(FunctionName="f")),
    ("remove_permission", lambda c, role: c.remove_permission(FunctionName="f",
                                                              StatementId="s3invoke")),
    ("remove_permission_again", lambda c, role: c.remove_permission(FunctionName="f",
                                                                    StatementId="s3invoke")),
    ("get_account_settings", lambda c, role: c.get_account_settings()),
    ("delete_function", lambda c, role: c.delete_function(FunctionName="f")),
    ("delete_function_again", lambda c, role: c.delete_function(FunctionName="f")),
    ("get_deleted_function", lambda c, role: c.get_function(FunctionName="f")),
]

_CONFIGURATION_STEPS = ("create_function", "create_second_function", "get_function",
                        "get_function_by_arn", "get_function_configuration", "list_functions",
                        "list_functions_paged", "list_versions_by_function",
                        "publish_version", "update_code_and_publish", "list_versions_published",
                        "get_function_configuration_version", "get_function_qualified_name",
                        "get_function_configuration_alias")

MOTO_ADDS = {
    "Layers": (
        "moto answers Layers: [] for a function without layers; AWS leaves Layers out of the "
        f"FunctionConfiguration then ({_API}API_FunctionConfiguration.html: 'The function's "
        "layers', present when it has some; a real get-function shows none)"
    ),
}
MOTO_OMITS = {
    "RevisionId": (
        "AWS answers RevisionId, 'the latest updated revision of the function' "
        f"({_API}API_FunctionConfiguration.html), on every configuration; moto leaves it out"
    ),
    "LoggingConfig": (
        "AWS answers LoggingConfig ({'LogFormat': 'Text', 'LogGroup': '/aws/lambda/<name>'} "
        f"by default, {_API}API_LoggingConfig.html) since advanced logging controls (2023); "
        "moto leaves it out"
    ),
    "LastUpdateStatus": (
        "AWS answers LastUpdateStatus ('Successful' once the function is ready, "
        f"{_API}API_FunctionConfiguration.html) on every read; moto only on some"
    ),
}
_CREATING_STEPS = ("create_function", "create_second_function", "publish_version",
                   "update_code_and_publish")
CREATING = (
    "CreateFunction and PublishVersion answer while the function (or version) is still being "
    "created: State 'Pending' with StateReason 'The function is being created.' and "
    "StateReasonCode 'Creating', and no LastUpdateStatus yet ('first set to Successful after "
    f"function creation completes', {_API}API_FunctionConfiguration.html; "
    "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html); moto answers "
    "Active at once, without a reason"
)
EVENTSIM_LACKS = {
    "Code": (
        "GetFunction's Code.Location is a presigned URL to download the deployment package "
        f"({_API}API_FunctionCodeLocation.html); eventsim keeps code in a directory and has no "
        "download URL yet, so it leaves Code out"
    ),
}

_EVENT_INVOKE_CONFIG_STEPS = ("put_event_invoke_config", "get_event_invoke_config")
DESTINATION_CONFIG = (
    "AWS answers DestinationConfig even when no destination is set, as "
    "{'OnSuccess': {}, 'OnFailure': {}} (the example output of "
    "https://docs.aws.amazon.com/cli/latest/reference/lambda/put-function-event-invoke-config.html"
    "); moto leaves it out"
)

MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "create_alias_again": (
        "CreateAlias of a name the function has is ResourceConflictException 409 ('The "
        f"resource already exists', {_API}API_CreateAlias.html, Errors); moto answers "
        "ConflictException, a code Lambda's API does not have",
        lambda got: got == ("error", ("ResourceConflictException", 409)),
    ),
    "delete_version_an_alias_names": (
        "a version an alias points to cannot be deleted: DeleteFunction answers "
        "ResourceConflictException 409 ('Unable to delete version because the following "
        f"aliases reference it: [live]', {_API}API_DeleteFunction.html, Errors); moto deletes "
        "it and leaves the alias pointing nowhere",
        lambda got: got == ("error", ("ResourceConflictException", 409)),
    ),
    "add_permission_again": (
        "a statement id is unique within a function's policy: AddPermission with one that "
        "exists is ResourceConflictException 409 ('The statement id (...) provided already "
        f"exists', {_API}API_AddPermission.html, Errors); moto adds a second statement",
        lambda got: got == ("error", ("ResourceConflictException", 409)),
    ),
    "remove_permission_again": (
        "RemovePermission of a statement the policy does not have is "
        f"ResourceNotFoundException 404 ({_API}API_RemovePermission.html, Errors); moto "
        "answers 204",
        lambda got: got == ("error", ("ResourceNotFoundException", 404)),
    ),
    "list_functions_paged": (
        "ListFunctions returns at most MaxItems functions and a NextMarker 'included if more "
        f"results are available' ({_API}API_ListFunctions.html); moto returns every function "
        "and no NextMarker",
        lambda got: got[0] == "ok" and got[1].get("NextMarker") == "str",
    ),
    "get_account_settings": (
        f"GetAccountSettings answers AccountLimit and AccountUsage ({_API}"
        "API_GetAccountSettings.html); moto's server does not implement it (404)",
        lambda got: got[0] == "ok" and set(got[1]) == {"AccountLimit", "AccountUsage"}
        and got[1]["AccountUsage"] == {"FunctionCount": "int", "TotalCodeSize": "int"},
    ),
}


def _configurations(step: str, shape: dict[str, Any]) -> list[dict[str, Any]]:
    """The FunctionConfiguration shapes inside a step's answer."""
    if step in ("get_function", "get_function_by_arn", "get_function_qualified_name"):
        return [shape["Configuration"]]
    if step.startswith("list_functions"):
        return list(shape["Functions"])
    if step in ("list_versions_by_function", "list_versions_published"):
        return list(shape["Versions"])
    return [shape]


def _comparable(step: str, got: Outcome) -> Outcome:
    """`got` without the documented differences (on both sides alike)."""
    if got[0] != "ok":
        return got
    shape = copy.deepcopy(got[1])
    if step in _CONFIGURATION_STEPS:
        for key in EVENTSIM_LACKS:
            shape.pop(key, None)
        for configuration in _configurations(step, shape):
            for key in (*MOTO_ADDS, *MOTO_OMITS, "StateReason", "StateReasonCode"):
                configuration.pop(key, None)
    if step in _EVENT_INVOKE_CONFIG_STEPS:
        shape.pop("DestinationConfig", None)
    return got[0], shape


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]],
             moto_server: str) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    from eventsim.testing import boto3_client

    moto, ours = clients("lambda")
    # moto checks that the execution role exists; eventsim checks only its form.
    iam = boto3_client("iam", moto_server)
    role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    steps = [(name, lambda c, fn=fn: fn(c, role)) for name, fn in STEPS]
    return run_steps(moto, ours, steps)  # type: ignore[no-any-return]


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_like_moto_or_like_aws_where_moto_is_wrong(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    moto, ours = outcomes[step]
    if step in MOTO_IS_WRONG:
        assert_agrees(step, moto, ours, MOTO_IS_WRONG)
        return
    if ours[0] == "ok" and step in _CONFIGURATION_STEPS:
        for configuration in _configurations(step, ours[1]):
            for key in MOTO_ADDS:
                assert key not in configuration, MOTO_ADDS[key]
            for key in MOTO_OMITS:
                if key == "LastUpdateStatus" and step in _CREATING_STEPS:
                    continue
                assert key in configuration, MOTO_OMITS[key]
    if ours[0] == "ok" and step in _CREATING_STEPS:
        # Outcomes hold shapes (keys and types): the values are checked in
        # tests/gateway/test_lambda_states_boto3.py.
        assert "LastUpdateStatus" not in ours[1] and "StateReasonCode" in ours[1], CREATING
    if ours[0] == "ok" and step in _EVENT_INVOKE_CONFIG_STEPS:
        assert ours[1]["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}, (
            DESTINATION_CONFIG)
    assert _comparable(step, ours) == _comparable(step, moto)
