"""The mapping operations as the gateway calls them: botocore's names and shapes, end to end
through `OperationDispatcher` (what the Lambda API adapter forwards to `sim.mappings`)."""

import datetime as dt
from pathlib import Path

import botocore.session
import pytest

from eventsim import Simulator
from eventsim.errors import NotImplementedOperation
from eventsim.gateway.dispatch import OperationDispatcher

HANDLERS = Path(__file__).parent / "handlers"
OPERATIONS = ("CreateEventSourceMapping", "GetEventSourceMapping", "ListEventSourceMappings",
              "UpdateEventSourceMapping", "DeleteEventSourceMapping")


@pytest.mark.asyncio
async def test_every_mapping_operation_answers_in_botocores_shape(sim: Simulator) -> None:
    model = botocore.session.get_session().get_service_model("lambda")
    dispatcher = OperationDispatcher(sim.mappings, model)
    assert all(dispatcher.implements(op) for op in OPERATIONS)
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    arn = sim.kinesis.stream_arn("s")

    async def call(op: str, **params):
        answer = await dispatcher.call(model.operation_model(op), params)
        shape = model.operation_model(op).output_shape
        assert set(answer) <= set(shape.members)
        return answer

    created = await call(
        "CreateEventSourceMapping", FunctionName="f", EventSourceArn=arn,
        StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=dt.datetime.fromtimestamp(sim.clock.time() - 5, dt.UTC),
        BatchSize=50, DestinationConfig={"OnFailure": {}},
        FilterCriteria={"Filters": [{"Pattern": '{"data": {"a": [1]}}'}]})
    uuid = created["UUID"]
    assert isinstance(created["LastModified"], dt.datetime)
    assert (await call("GetEventSourceMapping", UUID=uuid))["BatchSize"] == 50
    listed = await call("ListEventSourceMappings", FunctionName="f", MaxItems=10)
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [uuid]
    assert (await call("UpdateEventSourceMapping", UUID=uuid, Enabled=False))["State"] \
        == "Disabling"
    assert (await call("DeleteEventSourceMapping", UUID=uuid))["State"] == "Deleting"
    with pytest.raises(NotImplementedOperation, match="Tags"):
        await call("CreateEventSourceMapping", FunctionName="f", EventSourceArn=arn,
                   StartingPosition="LATEST", Tags={"a": "b"})
