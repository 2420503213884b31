"""PutFunctionRecursionConfig: a function set to Allow is invoked by a chain that has looped
more than 16 times; Terminate (the default) stops the chain, as Lambda does."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim import SimulatorConfig
from eventsim.server import Server
from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "loop_handlers"


async def _chain(allow: bool) -> list[str]:
    """The statuses of a chain of 21 writes into the function's own trigger bucket."""
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        sim = server.sim
        await sim.s3.create_bucket(bucket="loop")
        await sim.functions.create_function(name="rewrite", handler="app.rewrite",
                                            code_dir=HANDLERS, maximum_retry_attempts=0)
        if allow:
            await sim.lambda_api.put_function_recursion_config(function_name="rewrite",
                                                               recursive_loop="Allow")
        await sim.s3.put_bucket_notification_configuration(
            bucket="loop", notification_configuration={"LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": sim.functions.arn("rewrite"),
                "Events": ["s3:ObjectCreated:*"]}]})
        await sim.s3.put_object(bucket="loop", key="gen-0", body=b"start")
        await sim.settle()
        records = sorted(await sim.invocations.list(function="rewrite"), key=lambda r: r.hop)
        return [r.status for r in records]


@pytest.mark.asyncio
async def test_terminate_stops_the_chain_after_16_invocations() -> None:
    assert await _chain(allow=False) == ["Success"] * 16 + ["LoopDetected"]


@pytest.mark.asyncio
async def test_allow_lets_the_chain_run_to_its_own_end() -> None:
    assert await _chain(allow=True) == ["Success"] * 21


@pytest.mark.asyncio
async def test_the_setting_is_the_functions_and_survives_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    async with Server(config, port=0) as server:
        api = server.sim.lambda_api
        await server.sim.functions.create_function(name="rewrite", handler="app.rewrite",
                                                   code_dir=HANDLERS)
        assert await api.get_function_recursion_config(function_name="rewrite") == {
            "RecursiveLoop": "Terminate"}
        await api.put_function_recursion_config(function_name="rewrite", recursive_loop="Allow")
    async with Server(config, port=0) as server:
        assert await server.sim.lambda_api.get_function_recursion_config(
            function_name="rewrite") == {"RecursiveLoop": "Allow"}


def test_boto3_reads_and_sets_the_recursion_config() -> None:
    with ThreadedSimulator() as sim:
        sim.functions.create_function(name="rewrite", handler="app.rewrite", code_dir=HANDLERS)
        lam = sim.client("lambda")
        assert lam.get_function_recursion_config(FunctionName="rewrite")["RecursiveLoop"] \
            == "Terminate"
        assert lam.put_function_recursion_config(
            FunctionName="rewrite", RecursiveLoop="Allow")["RecursiveLoop"] == "Allow"
        assert lam.get_function_recursion_config(
            FunctionName=sim.functions.arn("rewrite"))["RecursiveLoop"] == "Allow"
        with pytest.raises(ClientError) as raised:
            lam.put_function_recursion_config(FunctionName="rewrite", RecursiveLoop="Sometimes")
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        lam.publish_version(FunctionName="rewrite")
        with pytest.raises(ClientError) as raised:
            lam.put_function_recursion_config(FunctionName="rewrite:1", RecursiveLoop="Allow")
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
