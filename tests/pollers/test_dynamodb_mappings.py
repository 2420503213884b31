"""DynamoDB Streams event source mappings."""

import json
from pathlib import Path

import pytest

from eventsim import Simulator

HANDLERS = Path(__file__).parent / "handlers"


async def _table_with_stream(sim: Simulator, name: str = "orders") -> str:
    answer = await sim.dynamodb.create_table(
        table_name=name, attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST",
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return str(answer["TableDescription"]["LatestStreamArn"])


@pytest.mark.asyncio
async def test_item_changes_reach_the_function_and_parse_with_powertools(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.powertools_dynamodb",
                                        code_dir=HANDLERS)
    arn = await _table_with_stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON")
    await sim.dynamodb.put_item(table_name="orders", item={"id": {"S": "1"}, "n": {"N": "5"}})
    await sim.dynamodb.update_item(
        table_name="orders", key={"id": {"S": "1"}}, update_expression="SET n = :n",
        expression_attribute_values={":n": {"N": "6"}})
    await sim.dynamodb.delete_item(table_name="orders", key={"id": {"S": "1"}})
    await sim.settle()
    answers = [r for i in await sim.invocations.list(function="f") for r in i.response]
    assert [a["name"] for a in answers] == ["INSERT", "MODIFY", "REMOVE"]
    assert answers[0]["keys"] == {"id": "1"}
    assert answers[1]["new"] == {"id": "1", "n": 6}
    numbers = [int(a["seq"]) for a in answers]
    assert numbers == sorted(numbers)
    [invocation, *_] = await sim.invocations.list(function="f")
    record = invocation.event["Records"][0]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == arn
    assert invocation.trigger.startswith("dynamodb:orders ")


@pytest.mark.asyncio
async def test_dynamodb_filter_sees_the_record_in_dynamodb_json(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
    arn = await _table_with_stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        filter_criteria={"Filters": [{"Pattern": json.dumps(
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["DONE"]}}}})}]})
    await sim.dynamodb.put_item(table_name="orders",
                                item={"id": {"S": "1"}, "status": {"S": "NEW"}})
    await sim.dynamodb.put_item(table_name="orders",
                                item={"id": {"S": "2"}, "status": {"S": "DONE"}})
    await sim.dynamodb.put_item(table_name="orders",
                                item={"id": {"S": "1"}, "status": {"S": "DONE"}})  # MODIFY
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    [record] = invocation.event["Records"]
    assert record["dynamodb"]["Keys"] == {"id": {"S": "2"}}


@pytest.mark.asyncio
async def test_dynamodb_failure_record_has_whole_second_arrivals(sim: Simulator) -> None:
    await sim.functions.create_function(name="f", handler="streams.fail", code_dir=HANDLERS)
    arn = await _table_with_stream(sim)
    url = (await sim.sqs.create_queue(queue_name="dlq"))["QueueUrl"]
    queue_arn = (await sim.sqs.get_queue_attributes(
        queue_url=url, attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST",
        maximum_retry_attempts=0, destination_config={"OnFailure": {"Destination": queue_arn}})
    await sim.dynamodb.put_item(table_name="orders", item={"id": {"S": "1"}})
    await sim.settle()
    [message] = (await sim.sqs.receive_message(queue_url=url))["Messages"]
    failure = json.loads(message["Body"])
    info = failure["DDBStreamBatchInfo"]
    assert info["streamArn"] == arn
    assert info["batchSize"] == 1
    assert len(info["approximateArrivalOfFirstRecord"]) == len("2019-11-14T00:13:19Z")
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"


@pytest.mark.asyncio
async def test_dynamodb_checkpoint_survives_a_restart(tmp_path) -> None:
    from eventsim import SimulatorConfig

    db = str(tmp_path / "state.db")
    async with Simulator(SimulatorConfig(clock="virtual", db=db)) as sim:
        await sim.functions.create_function(name="f", handler="streams.ok", code_dir=HANDLERS)
        arn = await _table_with_stream(sim)
        await sim.mappings.create_event_source_mapping(
            function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
            batch_size=2)
        for i in range(5):
            await sim.dynamodb.put_item(table_name="orders", item={"id": {"S": str(i)}})
        await sim.settle()
        before = await sim.invocations.count()
    async with Simulator(SimulatorConfig(clock="virtual", db=db)) as sim:
        await sim.dynamodb.put_item(table_name="orders", item={"id": {"S": "new"}})
        await sim.settle()
        invocations = await sim.invocations.list()
        assert len(invocations) == before + 1
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in invocations[-1].event["Records"]] \
            == ["new"]
