"""Lambda layers: published versions, a function's layers on its import path (after its own
code, a later layer over an earlier one) in both runtimes, and the checks CreateFunction makes.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig

CODE = Path(__file__).parent / "layer_code"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def _code(coro: Any) -> tuple[str, str]:
    with pytest.raises(AwsError) as raised:
        await coro
    return raised.value.code, raised.value.message


@pytest.mark.asyncio
@pytest.mark.parametrize("runtime_kind", ["inline", "process"])
async def test_a_function_imports_what_its_layers_hold(sim: Simulator, runtime_kind: str) -> None:
    shared = await sim.functions.publish_layer_version(name="shared",
                                                       content_dir=CODE / "shared")
    assert (shared.version, shared.arn) == (
        1, "arn:aws:lambda:us-east-1:000000000000:layer:shared:1")
    await sim.functions.create_function(name="greet", handler="app.handler",
                                        code_dir=CODE / "function", layers=[shared.arn],
                                        runtime_kind=runtime_kind)  # type: ignore[arg-type]
    record = await sim.functions.invoke("greet", {})
    assert record is not None and record.response == "hello from the shared layer"
    # A later layer's files win over an earlier one's; a changed configuration is a new
    # environment, which imports again.
    newer = await sim.functions.publish_layer_version(name="newer", content_dir=CODE / "newer")
    await sim.functions.update_function("greet", layers=[shared.arn, newer.arn])
    record = await sim.functions.invoke("greet", {})
    assert record is not None and record.response == "hello from the newer layer"


@pytest.mark.asyncio
async def test_without_its_layer_the_handler_cannot_import(sim: Simulator) -> None:
    await sim.functions.create_function(name="greet", handler="app.handler",
                                        code_dir=CODE / "function")
    record = await sim.functions.invoke("greet", {})
    assert record is not None and record.error is not None
    assert record.error["errorType"] == "Runtime.ImportModuleError"


@pytest.mark.asyncio
async def test_versions_count_up_and_deleted_ones_stay_with_their_functions(
    sim: Simulator,
) -> None:
    first = await sim.functions.publish_layer_version(name="shared",
                                                      content_dir=CODE / "shared")
    second = await sim.functions.publish_layer_version(name="shared",
                                                       content_dir=CODE / "shared")
    assert [v.version for v in sim.functions.layer_versions("shared")] == [2, 1]
    await sim.functions.create_function(name="greet", handler="app.handler",
                                        code_dir=CODE / "function", layers=[second.arn])
    await sim.functions.delete_layer_version("shared", 2)
    assert [v.version for v in sim.functions.layer_versions("shared")] == [1]
    record = await sim.functions.invoke("greet", {})
    assert record is not None and record.status == "Success"
    third = await sim.functions.publish_layer_version(name="shared",
                                                      content_dir=CODE / "shared")
    assert third.version == 3  # numbers are never reused
    assert first.version == 1


@pytest.mark.asyncio
async def test_create_function_checks_its_layers(sim: Simulator) -> None:
    shared = await sim.functions.publish_layer_version(name="shared",
                                                       content_dir=CODE / "shared")
    again = await sim.functions.publish_layer_version(name="shared",
                                                      content_dir=CODE / "shared")

    def create(layers: list[str]) -> Any:
        return sim.functions.create_function(name="greet", handler="app.handler",
                                             code_dir=CODE / "function", layers=layers)

    code, message = await _code(create([shared.arn, again.arn]))
    assert (code, message) == ("InvalidParameterValueException", "Two different versions of "
                               "the same layer are not allowed to be referenced in the same "
                               "function.")
    code, message = await _code(create([shared.arn[:-1] + "9"]))
    assert message.endswith(":layer:shared:9 does not exist.")
    code, message = await _code(create(
        ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7"]))
    assert "of another account" in message
    code, message = await _code(create([shared.arn] * 6))
    assert message == "Cannot reference more than 5 layers."


@pytest.mark.asyncio
async def test_layers_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        shared = await first.functions.publish_layer_version(name="shared",
                                                             content_dir=CODE / "shared")
        await first.functions.create_function(name="greet", handler="app.handler",
                                              code_dir=CODE / "function", layers=[shared.arn])
    async with Simulator(config) as second:
        assert [v.arn for v in second.functions.layer_versions("shared")] == [shared.arn]
        record = await second.functions.invoke("greet", {})
        assert record is not None and record.response == "hello from the shared layer"


@pytest.mark.asyncio
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_a_node_function_requires_what_its_layer_holds(sim: Simulator) -> None:
    layer = await sim.functions.publish_layer_version(name="node-shared",
                                                      content_dir=CODE / "node_shared")
    await sim.functions.create_function(name="greet-js", handler="index.handler",
                                        runtime="nodejs22.x", code_dir=CODE / "node_function",
                                        layers=[layer.arn])
    record = await sim.functions.invoke("greet-js", {})
    assert record is not None and record.response == "hello from the node layer", record.error
