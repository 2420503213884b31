"""`LambdaAPI` through the Python API: what the gateway's dispatcher finds on it, the forwarding of
event source mapping operations to a second object, and persistence of what it changes."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from eventsim.config import SimulatorConfig
from eventsim.errors import NotImplementedOperation
from eventsim.gateway.dispatch import OperationDispatcher
from eventsim.gateway.specs import load_service_model
from eventsim.services.lambda_.api import MAPPING_OPERATIONS, LambdaAPI
from eventsim.simulator import Simulator

MAPPING_OPERATIONS_BY_NAME = (
    "CreateEventSourceMapping", "GetEventSourceMapping", "ListEventSourceMappings",
    "UpdateEventSourceMapping", "DeleteEventSourceMapping",
)

HANDLERS = Path(__file__).parent.parent / "gateway" / "lambda_handlers"


class _StubMappings:
    """Stands in for the event source mapping service: records what it is asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def create_event_source_mapping(
        self, *, event_source_arn: str, function_name: str, batch_size: int | None = None,
    ) -> dict[str, Any]:
        self.calls.append(("create", {"event_source_arn": event_source_arn,
                                      "function_name": function_name,
                                      "batch_size": batch_size}))
        return {"UUID": "u-1", "EventSourceArn": event_source_arn, "State": "Creating"}

    async def list_event_source_mappings(self) -> dict[str, Any]:
        return {"EventSourceMappings": []}

    async def put_provisioned_concurrency_config(self, **_: Any) -> dict[str, Any]:
        raise AssertionError("not a mapping operation: must never be forwarded")


@pytest.mark.asyncio
async def test_mapping_operations_are_forwarded_to_the_mappings_object() -> None:
    async with Simulator(SimulatorConfig()) as sim:
        stub = _StubMappings()
        api = LambdaAPI(sim.functions, mappings=stub)
        model = load_service_model("lambda")
        dispatcher = OperationDispatcher(api, model)
        assert dispatcher.implements("CreateEventSourceMapping")
        assert dispatcher.implements("ListEventSourceMappings")
        # Listed, but the stub has no such method: not implemented, not faked.
        assert not dispatcher.implements("DeleteEventSourceMapping")
        # Not a mapping operation: never taken from the mappings object.
        assert not dispatcher.implements("PutProvisionedConcurrencyConfig")
        arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
        result = await dispatcher.call(
            model.operation_model("CreateEventSourceMapping"),
            {"EventSourceArn": arn, "FunctionName": "f", "BatchSize": 10},
        )
        assert result == {"UUID": "u-1", "EventSourceArn": arn, "State": "Creating"}
        assert stub.calls == [("create", {"event_source_arn": arn, "function_name": "f",
                                          "batch_size": 10})]
        with pytest.raises(NotImplementedOperation, match="StartingPosition"):
            await dispatcher.call(model.operation_model("CreateEventSourceMapping"),
                                  {"EventSourceArn": arn, "FunctionName": "f",
                                   "StartingPosition": "LATEST"})


@pytest.mark.asyncio
async def test_mapping_operations_are_served_only_with_a_mapping_service() -> None:
    async with Simulator(SimulatorConfig()) as sim:
        model = load_service_model("lambda")
        alone = OperationDispatcher(LambdaAPI(sim.functions), model)
        assert alone.implements("Invoke")
        assert alone.implements("GetFunction")
        assert not any(alone.implements(op) for op in MAPPING_OPERATIONS_BY_NAME)
        served = OperationDispatcher(sim.service("lambda"), model)
        assert all(served.implements(op) for op in MAPPING_OPERATIONS_BY_NAME)
        assert len(MAPPING_OPERATIONS) == 5


@pytest.mark.asyncio
async def test_event_invoke_config_role_and_last_modified_survive_a_restart(
    tmp_path: Path,
) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    queue = "arn:aws:sqs:us-east-1:000000000000:failures"
    async with Simulator(config) as sim:
        await sim.functions.create_function(
            name="keeper", handler="app.echo", code_dir=HANDLERS,
            role="arn:aws:iam::000000000000:role/keeper", description="keeps things",
            tags={"team": "pets"})
        await sim.lambda_api.put_function_event_invoke_config(
            function_name="keeper", maximum_retry_attempts=1,
            destination_config={"OnFailure": {"Destination": queue}})
        before = await sim.lambda_api.get_function_configuration(function_name="keeper")
        settings = await sim.lambda_api.get_function_event_invoke_config(function_name="keeper")
    async with Simulator(config) as sim:
        after = await sim.lambda_api.get_function_configuration(function_name="keeper")
        assert after == before
        assert after["Role"] == "arn:aws:iam::000000000000:role/keeper"
        assert after["Description"] == "keeps things"
        assert (await sim.lambda_api.get_function(function_name="keeper"))["Tags"] == {
            "team": "pets"}
        again = await sim.lambda_api.get_function_event_invoke_config(function_name="keeper")
        assert again == settings
        assert again["MaximumRetryAttempts"] == 1
        function = sim.functions.peek("keeper")
        assert function is not None and function.on_failure == queue


@pytest.mark.asyncio
async def test_invoke_through_the_python_api_of_the_adapter() -> None:
    async with Simulator(SimulatorConfig()) as sim:
        await sim.functions.create_function(name="echo", handler="app.echo", code_dir=HANDLERS)
        result = await sim.lambda_api.invoke(function_name="echo", payload=b'{"a": 1}')
        assert result["StatusCode"] == 200
        assert result["Payload"] == b'{"received": {"a": 1}, "function": "echo"}'
        # A member of Invoke that eventsim does not simulate is refused by name, not ignored.
        with pytest.raises(NotImplementedOperation, match="TenantId"):
            await OperationDispatcher(sim.lambda_api, load_service_model("lambda")).call(
                load_service_model("lambda").operation_model("Invoke"),
                {"FunctionName": "echo", "TenantId": "t-1"})


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.asyncio
async def test_function_created_from_a_zip_survives_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"))
    package = _zip({"app.py": "def handler(event, context):\n    return event['n'] * 2\n"})
    async with Simulator(config) as sim:
        created = await sim.lambda_api.create_function(
            function_name="doubler", role="arn:aws:iam::000000000000:role/r",
            runtime="python3.12", handler="app.handler", code={"ZipFile": package})
    # Unpacked beside the database file, not in a temporary directory.
    assert (tmp_path / "state.db.functions").is_dir()
    async with Simulator(config) as sim:
        again = await sim.lambda_api.get_function_configuration(function_name="doubler")
        assert (again["CodeSize"], again["CodeSha256"]) == (created["CodeSize"],
                                                            created["CodeSha256"])
        result = await sim.lambda_api.invoke(function_name="doubler", payload=b'{"n": 21}')
        assert result["Payload"] == b"42"
        await sim.lambda_api.delete_function(function_name="doubler")
    assert list((tmp_path / "state.db.functions").iterdir()) == []


@pytest.mark.asyncio
async def test_in_memory_simulator_removes_its_unpacked_zips_when_closed() -> None:
    async with Simulator(SimulatorConfig()) as sim:
        await sim.lambda_api.create_function(
            function_name="temp", role="arn:aws:iam::000000000000:role/r",
            runtime="python3.12", handler="app.handler",
            code={"ZipFile": _zip({"app.py": "def handler(e, c):\n    return 1\n"})})
        function = sim.functions.peek("temp")
        assert function is not None
        code_dir = Path(function.code_dir)
        assert await asyncio.to_thread(code_dir.is_dir)
    assert not await asyncio.to_thread(code_dir.parent.exists)
