"""Published versions in both kinds of execution environment: a version runs its code
snapshot, and the Runtime API hands its processes the ARN the caller invoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig

pytestmark = pytest.mark.asyncio

HANDLER = '''
import os

def handler(event, context):
    return {{"code": {code!r}, "invoked": context.invoked_function_arn,
            "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}}
'''
ARN = "arn:aws:lambda:us-east-1:000000000000:function:versioned"


@pytest.mark.parametrize("kind", ["inline", "process"])
async def test_a_version_runs_its_snapshot_after_the_directory_changes(
    tmp_path: Path, kind: str
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(HANDLER.format(code="first"))
    async with Simulator(SimulatorConfig()) as sim:
        await sim.functions.create_function(name="versioned", handler="app.handler",
                                            code_dir=code, runtime_kind=kind)
        published = await sim.lambda_api.publish_version(function_name="versioned")
        # The function was defined on a directory: editing it changes $LATEST only.
        (code / "app.py").write_text(HANDLER.format(code="second"))
        await sim.functions.update_function("versioned", code_dir=code)
        old = await sim.functions.invoke("versioned:1")
        new = await sim.functions.invoke(f"{ARN}:$LATEST")
        unqualified = await sim.functions.invoke("versioned")
    assert published["Version"] == "1"
    assert old is not None and new is not None and unqualified is not None
    assert old.response == {"code": "first", "invoked": f"{ARN}:1", "version": "1"}
    assert old.version == "1" and old.logs.startswith(f"START RequestId: {old.request_id} "
                                                      "Version: 1\n")
    assert new.response == {"code": "second", "invoked": f"{ARN}:$LATEST",
                            "version": "$LATEST"}
    assert unqualified.response["invoked"] == ARN


async def test_versions_and_aliases_outlive_a_restart(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(HANDLER.format(code="first"))
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Simulator(config) as sim:
        await sim.functions.create_function(name="versioned", handler="app.handler",
                                            code_dir=code)
        await sim.lambda_api.publish_version(function_name="versioned")
        await sim.lambda_api.create_alias(function_name="versioned", name="live",
                                          function_version="1")
        (code / "app.py").write_text(HANDLER.format(code="second"))
        await sim.functions.update_function("versioned", code_dir=code)
    async with Simulator(config) as sim:
        versions = await sim.lambda_api.list_versions_by_function(function_name="versioned")
        alias = await sim.lambda_api.get_alias(function_name="versioned", name="live")
        record = await sim.functions.invoke("versioned:live")
        republished = await sim.lambda_api.publish_version(function_name="versioned")
    assert [v["Version"] for v in versions["Versions"]] == ["$LATEST", "1"]
    assert alias["FunctionVersion"] == "1"
    assert record is not None and record.response["code"] == "first"
    assert record.response["invoked"] == f"{ARN}:live"
    assert republished["Version"] == "2"


async def test_publishing_measures_a_directory_afresh_so_edited_files_make_a_new_version(
    tmp_path: Path
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(HANDLER.format(code="first"))
    async with Simulator(SimulatorConfig()) as sim:
        await sim.functions.create_function(name="versioned", handler="app.handler",
                                            code_dir=code)
        first = await sim.lambda_api.publish_version(function_name="versioned")
        unchanged = await sim.lambda_api.publish_version(function_name="versioned")
        (code / "app.py").write_text(HANDLER.format(code="second"))
        edited = await sim.lambda_api.publish_version(function_name="versioned")
        record = await sim.functions.invoke("versioned:2")
    assert (first["Version"], unchanged["Version"], edited["Version"]) == ("1", "1", "2")
    assert edited["CodeSha256"] != first["CodeSha256"]
    assert record is not None and record.response["code"] == "second"
