"""The event source mapping operations: defaults, validation, errors, listing, deletion."""

from pathlib import Path

import pytest

from eventsim import Simulator
from eventsim.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    ValidationException,
)

HANDLERS = Path(__file__).parent / "handlers"


async def _setup(sim: Simulator) -> str:
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    return sim.kinesis.stream_arn("s")


@pytest.mark.asyncio
async def test_create_answers_with_aws_stream_defaults(sim: Simulator) -> None:
    arn = await _setup(sim)
    answer = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST")
    uuid = answer.pop("UUID")
    answer.pop("LastModified")
    assert answer == {
        "StartingPosition": "LATEST", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1, "EventSourceArn": arn,
        "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "LastProcessingResult": "No records processed", "State": "Creating",
        "StateTransitionReason": "User action", "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1, "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1, "TumblingWindowInSeconds": 0, "FunctionResponseTypes": [],
        "EventSourceMappingArn": f"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"
                                 f"{uuid}",
    }
    got = await sim.mappings.get_event_source_mapping(uuid=uuid)
    assert got["State"] == "Enabled"


@pytest.mark.asyncio
async def test_a_second_mapping_of_the_same_pair_conflicts(sim: Simulator) -> None:
    arn = await _setup(sim)
    first = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST")
    with pytest.raises(ResourceConflictException) as caught:
        await sim.mappings.create_event_source_mapping(
            function_name="f", event_source_arn=arn, starting_position="LATEST")
    assert first["UUID"] in str(caught.value)


@pytest.mark.parametrize(("kwargs", "error", "text"), [
    ({}, InvalidParameterValueException, "Value null at 'startingPosition'"),
    ({"starting_position": "NOW"}, ValidationException, "Member must satisfy enum"),
    ({"starting_position": "LATEST", "batch_size": 0}, ValidationException,
     "greater than or equal to 1"),
    ({"starting_position": "LATEST", "batch_size": 10001}, ValidationException,
     "less than or equal to 10000"),
    ({"starting_position": "LATEST", "maximum_record_age_in_seconds": 30},
     InvalidParameterValueException, "MaximumRecordAgeInSeconds"),
    ({"starting_position": "LATEST", "destination_config": {
        "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}}},
     InvalidParameterValueException, "Unsupported DestinationConfig parameter"),
    ({"starting_position": "LATEST", "filter_criteria": {"Filters": [{"Pattern": "{nope"}]}},
     InvalidParameterValueException, "Invalid filter pattern definition."),
    ({"starting_position": "LATEST", "function_response_types": ["Everything"]},
     ValidationException, "ReportBatchItemFailures"),
])
@pytest.mark.asyncio
async def test_invalid_settings_are_refused_as_aws_does(
    sim: Simulator, kwargs: dict, error: type, text: str,
) -> None:
    arn = await _setup(sim)
    with pytest.raises(error) as caught:
        await sim.mappings.create_event_source_mapping(function_name="f", event_source_arn=arn,
                                                       **kwargs)
    assert text in str(caught.value)


@pytest.mark.asyncio
async def test_missing_function_stream_and_mapping(sim: Simulator) -> None:
    arn = await _setup(sim)
    with pytest.raises(InvalidParameterValueException, match="Function does not exist"):
        await sim.mappings.create_event_source_mapping(
            function_name="nope", event_source_arn=arn, starting_position="LATEST")
    with pytest.raises(InvalidParameterValueException, match="Stream not found"):
        await sim.mappings.create_event_source_mapping(
            function_name="f", event_source_arn=arn + "x", starting_position="LATEST")
    with pytest.raises(ResourceNotFoundException,
                       match=r"The resource you requested does not exist\."):
        await sim.mappings.get_event_source_mapping(uuid="00000000-0000-0000-0000-000000000000")


@pytest.mark.asyncio
async def test_list_filters_and_pages_and_delete_removes(sim: Simulator) -> None:
    arn = await _setup(sim)
    await sim.kinesis.create_stream(stream_name="t", shard_count=1)
    other = sim.kinesis.stream_arn("t")
    a = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST")
    b = await sim.mappings.create_event_source_mapping(
        function_name="arn:aws:lambda:us-east-1:000000000000:function:f",
        event_source_arn=other, starting_position="TRIM_HORIZON")
    page = await sim.mappings.list_event_source_mappings(max_items=1)
    assert [m["UUID"] for m in page["EventSourceMappings"]] == [a["UUID"]]
    rest = await sim.mappings.list_event_source_mappings(marker=page["NextMarker"])
    assert [m["UUID"] for m in rest["EventSourceMappings"]] == [b["UUID"]]
    assert "NextMarker" not in rest
    only = await sim.mappings.list_event_source_mappings(event_source_arn=other)
    assert [m["UUID"] for m in only["EventSourceMappings"]] == [b["UUID"]]
    deleted = await sim.mappings.delete_event_source_mapping(uuid=a["UUID"])
    assert deleted["State"] == "Deleting"
    left = await sim.mappings.list_event_source_mappings(function_name="f")
    assert [m["UUID"] for m in left["EventSourceMappings"]] == [b["UUID"]]


@pytest.mark.asyncio
async def test_update_changes_settings(sim: Simulator) -> None:
    arn = await _setup(sim)
    a = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST")
    updated = await sim.mappings.update_event_source_mapping(
        uuid=a["UUID"], batch_size=500, bisect_batch_on_function_error=True,
        maximum_retry_attempts=3,
        destination_config={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}})
    assert updated["State"] == "Updating"
    got = await sim.mappings.get_event_source_mapping(uuid=a["UUID"])
    assert (got["BatchSize"], got["BisectBatchOnFunctionError"], got["MaximumRetryAttempts"]) \
        == (500, True, 3)
    assert got["DestinationConfig"] == {
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}}
