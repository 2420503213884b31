"""Lambda layers through boto3: PublishLayerVersion from a zip, a function created with the
layer importing what it holds, and the layer read, listed and deleted as AWS answers."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.testing import ThreadedSimulator

ROLE = "arn:aws:iam::000000000000:role/lambda"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def lam(threaded_sim: ThreadedSimulator) -> Any:
    return threaded_sim.client("lambda")


def test_a_published_layer_is_imported_by_a_function_that_has_it(lam: Any) -> None:
    published = lam.publish_layer_version(
        LayerName="helpers", Description="shared helpers", CompatibleRuntimes=["python3.12"],
        Content={"ZipFile": _zip({"python/helpers.py": "def shout(s):\n    return s.upper()\n"})})
    assert published["Version"] == 1
    assert published["LayerVersionArn"] == \
        "arn:aws:lambda:us-east-1:000000000000:layer:helpers:1"
    assert published["Content"]["CodeSize"] > 0 and published["Content"]["CodeSha256"]
    created = lam.create_function(
        FunctionName="shouter", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Layers=[published["LayerVersionArn"]],
        Code={"ZipFile": _zip({"app.py": "import helpers\n\ndef handler(e, c):\n"
                                         "    return helpers.shout(e['say'])\n"})})
    assert created["Layers"] == [{"Arn": published["LayerVersionArn"],
                                  "CodeSize": published["Content"]["CodeSize"]}]
    answer = lam.invoke(FunctionName="shouter", Payload=json.dumps({"say": "hi"}))
    assert json.loads(answer["Payload"].read()) == "HI"
    # UpdateFunctionConfiguration with no layers takes them away.
    lam.update_function_configuration(FunctionName="shouter", Layers=[])
    failed = lam.invoke(FunctionName="shouter", Payload=json.dumps({"say": "hi"}))
    assert failed["FunctionError"] == "Unhandled"


def test_layer_versions_are_read_listed_and_deleted(lam: Any) -> None:
    for _ in range(2):
        lam.publish_layer_version(LayerName="listed", CompatibleRuntimes=["python3.12"],
                                  Content={"ZipFile": _zip({"python/x.py": "X = 1\n"})})
    versions = lam.list_layer_versions(LayerName="listed")["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    layers = {layer["LayerName"]: layer for layer in lam.list_layers()["Layers"]}
    assert layers["listed"]["LatestMatchingVersion"]["Version"] == 2
    assert lam.list_layers(CompatibleRuntime="nodejs22.x")["Layers"] == []
    arn = versions[0]["LayerVersionArn"]
    assert lam.get_layer_version_by_arn(Arn=arn)["Version"] == 2
    lam.delete_layer_version(LayerName="listed", VersionNumber=2)
    with pytest.raises(ClientError) as raised:
        lam.get_layer_version(LayerName="listed", VersionNumber=2)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="listed")["LayerVersions"]] \
        == [1]


def test_a_layer_of_another_account_is_refused_with_a_reason(lam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        lam.create_function(
            FunctionName="public-layer", Runtime="python3.12", Role=ROLE,
            Handler="app.handler", Code={"ZipFile": _zip({"app.py": "def handler(e, c): pass"})},
            Layers=["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3"
                    "-python312-x86_64:7"])
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert "another account" in error["Message"]
