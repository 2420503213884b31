"""Published versions through boto3 against the gateway: PublishVersion, ListVersionsByFunction,
and GetFunction / Invoke / DeleteFunction with a qualifier, as AWS answers them."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function"
ROLE = "arn:aws:iam::000000000000:role/lambda-role"

_numbers = itertools.count()

HANDLER = '''
import os

CODE = {code!r}


def handler(event, context):
    return {{
        "code": CODE,
        "stage": os.environ.get("STAGE"),
        "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
        "context_version": context.function_version,
        "invoked": context.invoked_function_arn,
        "timeout": os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"],
        "log_stream": context.log_stream_name,
    }}
'''


def package(code: str) -> bytes:
    """A zip holding ``handler.py`` that answers with `code` (and what it sees of itself)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", HANDLER.format(code=code))
    return buffer.getvalue()


@pytest.fixture
def lam(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("lambda")


@pytest.fixture
def make_function(lam: Any, request: pytest.FixtureRequest) -> Any:
    """CreateFunction from a zip, with a name of its own (the module's simulator is shared)."""

    def make(code: str = "one", **settings: Any) -> str:
        name = f"{request.node.name[5:35].replace('_', '-')}-{next(_numbers)}"
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                            Handler="handler.handler", Code={"ZipFile": package(code)},
                            **settings)
        return name

    return make


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


def _invoke(lam: Any, **arguments: Any) -> tuple[dict[str, Any], str]:
    response = lam.invoke(Payload=b"{}", **arguments)
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read()), response["ExecutedVersion"]


def test_publish_version_numbers_versions_from_one_with_qualified_arns(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    latest = lam.get_function_configuration(FunctionName=name)
    first = lam.publish_version(FunctionName=name, Description="first cut")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["Version"], first["FunctionArn"]) == ("1", f"{ACCOUNT_ARN}:{name}:1")
    assert first["Description"] == "first cut"
    assert (first["CodeSha256"], first["CodeSize"]) == (latest["CodeSha256"],
                                                        latest["CodeSize"])
    lam.update_function_code(FunctionName=name, ZipFile=package("two"))
    second = lam.publish_version(FunctionName=name)
    assert second["Version"] == "2"
    assert second["CodeSha256"] != first["CodeSha256"]


def test_publish_version_with_nothing_changed_returns_the_last_version(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    first = lam.publish_version(FunctionName=name)
    # A policy statement is no change of code or configuration: no new version either.
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com")
    again = lam.publish_version(FunctionName=name)
    assert (again["Version"], again["RevisionId"]) == ("1", first["RevisionId"])
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]


def test_publish_version_refuses_a_code_sha256_or_revision_id_that_is_not_latest(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    latest = lam.get_function_configuration(FunctionName=name)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as raised:
        lam.publish_version(FunctionName=name, CodeSha256="bm90IHRoZSBjb2Rl")
    assert _error(raised) == (
        "InvalidParameterValueException",
        f"CodeSHA256 (bm90IHRoZSBjb2Rl) is different from current CodeSHA256 in $LATEST "
        f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST.", 400)
    lam.update_function_configuration(FunctionName=name, Description="moved on")
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.publish_version(FunctionName=name, RevisionId=latest["RevisionId"])
    current = lam.get_function_configuration(FunctionName=name)
    published = lam.publish_version(FunctionName=name, CodeSha256=current["CodeSha256"],
                                    RevisionId=current["RevisionId"])
    assert published["Version"] == "1"


def test_invoking_a_version_runs_its_own_code_and_configuration(
    lam: Any, make_function: Any
) -> None:
    name = make_function("one", Environment={"Variables": {"STAGE": "blue"}}, Timeout=3)
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=package("two"))
    lam.update_function_configuration(FunctionName=name, Timeout=7,
                                      Environment={"Variables": {"STAGE": "green"}})

    old, executed = _invoke(lam, FunctionName=name, Qualifier="1")
    assert executed == "1"
    assert (old["code"], old["stage"], old["timeout"]) == ("one", "blue", "3")
    assert (old["version"], old["context_version"]) == ("1", "1")
    assert old["invoked"] == f"{ACCOUNT_ARN}:{name}:1"
    assert old["log_stream"].split("/")[3].startswith("[1]")

    new, executed = _invoke(lam, FunctionName=name)
    assert executed == "$LATEST"
    assert (new["code"], new["stage"], new["timeout"]) == ("two", "green", "7")
    assert (new["version"], new["invoked"]) == ("$LATEST", f"{ACCOUNT_ARN}:{name}")

    by_name, _ = _invoke(lam, FunctionName=f"{name}:1")
    by_arn, _ = _invoke(lam, FunctionName=f"{ACCOUNT_ARN}:{name}:1")
    latest, executed = _invoke(lam, FunctionName=name, Qualifier="$LATEST")
    assert (by_name["code"], by_arn["code"], latest["code"]) == ("one", "one", "two")
    assert (executed, latest["invoked"]) == ("$LATEST", f"{ACCOUNT_ARN}:{name}:$LATEST")


def test_a_published_version_is_immutable_and_reads_back_by_qualifier(
    lam: Any, make_function: Any
) -> None:
    name = make_function(Timeout=3, Description="original")
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=10, Handler="handler.other",
                                      Description="changed")
    version = lam.get_function_configuration(FunctionName=name, Qualifier="1")
    assert (version["Timeout"], version["Handler"], version["Description"]) == (
        3, "handler.handler", "original")
    assert (version["Version"], version["FunctionArn"]) == ("1", f"{ACCOUNT_ARN}:{name}:1")
    got = lam.get_function(FunctionName=f"{name}:1")["Configuration"]
    assert (got["Timeout"], got["Version"]) == (3, "1")
    latest = lam.get_function(FunctionName=name)["Configuration"]
    assert (latest["Timeout"], latest["Version"], latest["FunctionArn"]) == (
        10, "$LATEST", f"{ACCOUNT_ARN}:{name}")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as raised:
        lam.get_function(FunctionName=f"{name}:1", Qualifier="2")
    assert "does not match the specified qualifier" in _error(raised)[1]


def test_unknown_versions_are_not_found_with_the_qualified_arn(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    for call in (lambda: lam.get_function_configuration(FunctionName=name, Qualifier="7"),
                 lambda: lam.invoke(FunctionName=name, Qualifier="7", Payload=b"{}"),
                 lambda: lam.delete_function(FunctionName=name, Qualifier="7")):
        with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
            call()
        assert _error(raised) == ("ResourceNotFoundException",
                                  f"Function not found: {ACCOUNT_ARN}:{name}:7", 404)


def test_list_versions_by_function_pages_with_latest_first(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    for index in range(3):
        lam.update_function_configuration(FunctionName=name, Description=f"v{index + 1}")
        lam.publish_version(FunctionName=name)
    seen: list[str] = []
    marker: dict[str, str] = {}
    pages = 0
    while True:
        page = lam.list_versions_by_function(FunctionName=name, MaxItems=3, **marker)
        seen += [v["Version"] for v in page["Versions"]]
        pages += 1
        if "NextMarker" not in page:
            break
        marker = {"Marker": page["NextMarker"]}
    assert (seen, pages) == (["$LATEST", "1", "2", "3"], 2)
    arns = [v["FunctionArn"] for v in lam.list_versions_by_function(
        FunctionName=name)["Versions"]]
    assert arns == [f"{ACCOUNT_ARN}:{name}:{v}" for v in ("$LATEST", "1", "2", "3")]


def test_delete_function_with_a_version_deletes_that_version_only_and_never_reuses_its_number(
    lam: Any, make_function: Any
) -> None:
    name = make_function()
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=5)
    lam.publish_version(FunctionName=name)
    deleted = lam.delete_function(FunctionName=name, Qualifier="2")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [v["Version"] for v in lam.list_versions_by_function(
        FunctionName=name)["Versions"]] == ["$LATEST", "1"]
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as raised:
        lam.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert _error(raised)[1] == (
        "$LATEST version cannot be deleted without deleting the function.")
    lam.update_function_configuration(FunctionName=name, Timeout=6)
    assert lam.publish_version(FunctionName=name)["Version"] == "3"
    assert _invoke(lam, FunctionName=name, Qualifier="1")[1] == "1"
    lam.delete_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name, Qualifier="1")


def test_create_function_and_update_function_code_with_publish_answer_the_new_version(
    lam: Any, request: pytest.FixtureRequest
) -> None:
    name = f"publish-on-create-{next(_numbers)}"
    made = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                               Handler="handler.handler", Code={"ZipFile": package("one")},
                               Publish=True)
    assert (made["Version"], made["FunctionArn"]) == ("1", f"{ACCOUNT_ARN}:{name}:1")
    updated = lam.update_function_code(FunctionName=name, ZipFile=package("two"), Publish=True)
    assert updated["Version"] == "2"
    assert _invoke(lam, FunctionName=name, Qualifier="1")[0]["code"] == "one"
    assert _invoke(lam, FunctionName=name, Qualifier="2")[0]["code"] == "two"


def test_an_asynchronous_invocation_of_a_version_runs_that_version(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function("one")
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=package("two"))
    accepted = lam.invoke(FunctionName=name, Qualifier="1", InvocationType="Event",
                          Payload=b"{}")
    assert accepted["StatusCode"] == 202
    threaded_sim.settle()
    [record] = threaded_sim.invocations.list(function=name)
    assert (record.version, record.response["code"]) == ("1", "one")
    assert record.response["invoked"] == f"{ACCOUNT_ARN}:{name}:1"


def test_list_functions_with_all_versions_lists_each_version_after_latest(
    lam: Any, make_function: Any, threaded_sim: ThreadedSimulator
) -> None:
    name = make_function()
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=4)
    lam.publish_version(FunctionName=name)
    plain = [f["FunctionName"] for f in lam.get_paginator("list_functions").paginate()
             .build_full_result()["Functions"]]
    assert plain.count(name) == 1
    entries: list[tuple[str, str, str]] = []
    for page in lam.get_paginator("list_functions").paginate(
            FunctionVersion="ALL", PaginationConfig={"PageSize": 2}):
        entries += [(f["FunctionName"], f["Version"], f["FunctionArn"])
                    for f in page["Functions"]]
    mine = [e for e in entries if e[0] == name]
    assert mine == [(name, v, f"{ACCOUNT_ARN}:{name}:{v}") for v in ("$LATEST", "1", "2")]
    functions = threaded_sim.functions.list_functions()
    expected = len(functions) + sum(len(threaded_sim.sim.functions.versions(f.name))
                                    for f in functions)
    assert len(set(entries)) == len(entries) == expected  # pages neither repeat nor skip
