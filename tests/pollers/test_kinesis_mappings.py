"""Kinesis event source mappings: order, batches, failure handling, filters, restarts."""

import base64
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig

HANDLERS = Path(__file__).parent / "handlers"


async def _function(sim: Simulator, name: str, handler: str) -> None:
    await sim.functions.create_function(name=name, handler=f"streams.{handler}",
                                        code_dir=HANDLERS, timeout=30)


async def _stream(sim: Simulator, name: str = "clicks", shards: int = 1) -> str:
    await sim.kinesis.create_stream(stream_name=name, shard_count=shards)
    return sim.kinesis.stream_arn(name)


async def _queue(sim: Simulator, name: str = "failures") -> tuple[str, str]:
    url = (await sim.sqs.create_queue(queue_name=name))["QueueUrl"]
    attrs = await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["QueueArn"])
    return url, attrs["Attributes"]["QueueArn"]


async def _put(sim: Simulator, texts: list[str], stream: str = "clicks", key: str = "k") -> None:
    for start in range(0, len(texts), 500):
        await sim.kinesis.put_records(stream_name=stream, records=[
            {"Data": t.encode(), "PartitionKey": key} for t in texts[start:start + 500]])


def _texts(invocation) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode()
            for r in invocation.event["Records"]]


async def _messages(sim: Simulator, url: str) -> list[dict]:
    found = []
    while True:
        answer = await sim.sqs.receive_message(queue_url=url, max_number_of_messages=10)
        batch = answer.get("Messages", [])
        if not batch:
            return found
        found += [json.loads(m["Body"]) for m in batch]
        for m in batch:
            await sim.sqs.delete_message(queue_url=url, receipt_handle=m["ReceiptHandle"])


@pytest.mark.asyncio
async def test_every_record_of_four_shards_arrives_once_in_shard_order(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim, shards=4)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=100)
    for start in range(0, 20_000, 500):
        await sim.kinesis.put_records(stream_name="clicks", records=[
            {"Data": str(i).encode(), "PartitionKey": f"key-{i % 97}"}
            for i in range(start, start + 500)])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    per_shard: dict[str, list[int]] = defaultdict(list)
    seen: list[str] = []
    for invocation in invocations:
        records = invocation.event["Records"]
        assert 1 <= len(records) <= 100
        shards = {r["eventID"].split(":")[0] for r in records}
        assert len(shards) == 1  # a batch holds one shard's records
        for r in records:
            per_shard[shards.pop() if shards else r["eventID"].split(":")[0]].append(
                int(r["kinesis"]["sequenceNumber"]))
            seen.append(base64.b64decode(r["kinesis"]["data"]).decode())
    assert sorted(seen, key=int) == [str(i) for i in range(20_000)]
    assert len(per_shard) == 4
    for numbers in per_shard.values():
        assert numbers == sorted(numbers)
    assert all(i.trigger.startswith("kinesis:clicks shardId-") for i in invocations)
    assert invocations[0].trigger.endswith(" 100 records")


@pytest.mark.asyncio
async def test_latest_skips_what_was_there_before_the_mapping(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await _put(sim, ["old-1", "old-2"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="LATEST")
    await sim.settle()
    await _put(sim, ["new-1"])
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    assert _texts(invocation) == ["new-1"]


@pytest.mark.asyncio
async def test_bisection_isolates_a_poison_record(sim: Simulator) -> None:
    await _function(sim, "f", "poison")
    arn = await _stream(sim)
    url, queue_arn = await _queue(sim)
    texts = [f"r{i}" for i in range(8)]
    texts[5] = "poison"
    await _put(sim, texts)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=8, bisect_batch_on_function_error=True, maximum_retry_attempts=1,
        destination_config={"OnFailure": {"Destination": queue_arn}})
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    delivered = [t for i in invocations if i.status == "Success" for t in _texts(i)]
    assert delivered == [t for t in texts if t != "poison"]
    failing = [i for i in invocations if i.status != "Success"]
    assert _texts(failing[-1]) == ["poison"]
    [failure] = await _messages(sim, url)
    info = failure["KinesisBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    poison_number = failing[-1].event["Records"][0]["kinesis"]["sequenceNumber"]
    assert info["startSequenceNumber"] == poison_number


@pytest.mark.asyncio
async def test_report_batch_item_failures_resumes_from_the_lowest_failed_item(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "report_bad")
    arn = await _stream(sim)
    url, queue_arn = await _queue(sim)
    await _put(sim, ["a", "b", "bad-c", "d", "bad-e", "f"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10, function_response_types=["ReportBatchItemFailures"],
        maximum_retry_attempts=2,
        destination_config={"OnFailure": {"Destination": queue_arn}})
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert [_texts(i) for i in invocations] == [
        ["a", "b", "bad-c", "d", "bad-e", "f"],
        ["bad-c", "d", "bad-e", "f"],
        ["bad-c", "d", "bad-e", "f"],
    ]
    [failure] = await _messages(sim, url)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["responseContext"]["functionError"] is None
    assert failure["KinesisBatchInfo"]["batchSize"] == 4
    mapping = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"][0]
    assert mapping["LastProcessingResult"] == "PROBLEM: Function call failed"


@pytest.mark.asyncio
async def test_powertools_batch_processor_response_works_unchanged(sim: Simulator) -> None:
    await _function(sim, "f", "powertools_batch")
    arn = await _stream(sim)
    await _put(sim, ["a", "bad-b", "c"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        function_response_types=["ReportBatchItemFailures"], maximum_retry_attempts=1)
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert [_texts(i) for i in invocations] == [["a", "bad-b", "c"], ["bad-b", "c"]]
    failed = invocations[0].response["batchItemFailures"]
    assert failed == [{"itemIdentifier": invocations[0].event["Records"][1]["kinesis"][
        "sequenceNumber"]}]


@pytest.mark.parametrize("answer", ["null", '""', "[]", "{}", '{"batchItemFailures": []}',
                                    '{"batchItemFailures": null}'])
@pytest.mark.asyncio
async def test_empty_item_failure_answers_are_success(sim: Simulator, answer: str) -> None:
    await _function(sim, "f", "answer_with")
    arn = await _stream(sim)
    await _put(sim, [answer, "2"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        function_response_types=["ReportBatchItemFailures"], maximum_retry_attempts=0)
    await sim.settle()
    assert len(await sim.invocations.list(function="f")) == 1


@pytest.mark.parametrize("answer", ['{"batchItemFailures": [{"itemIdentifier": ""}]}',
                                    '{"batchItemFailures": [{"itemIdentifier": null}]}',
                                    '{"batchItemFailures": [{"foo": "1"}]}',
                                    '{"batchItemFailures": [{"itemIdentifier": "123"}]}',
                                    '{"foo": 1}'])
@pytest.mark.asyncio
async def test_malformed_item_failure_answers_fail_the_whole_batch(
    sim: Simulator, answer: str,
) -> None:
    await _function(sim, "f", "answer_with")
    arn = await _stream(sim)
    await _put(sim, [answer, "2"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        function_response_types=["ReportBatchItemFailures"], maximum_retry_attempts=1)
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert [len(i.event["Records"]) for i in invocations] == [2, 2]


@pytest.mark.asyncio
async def test_exhausted_retries_send_the_failure_record_and_the_shard_moves_on(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "poison")
    arn = await _stream(sim, shards=2)
    url, queue_arn = await _queue(sim)
    mapping = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        maximum_retry_attempts=2,
        destination_config={"OnFailure": {"Destination": queue_arn}})
    # Shard of key "k" gets the poison; the other shard keeps delivering meanwhile.
    await _put(sim, ["poison", "after"], key="k")
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert [i.status for i in invocations] == ["Error", "Error", "Error"]
    assert _texts(invocations[0]) == ["poison", "after"]
    [failure] = await _messages(sim, url)
    assert failure["requestContext"] == {
        "requestId": invocations[-1].request_id,
        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3,
    }
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                          "functionError": "Unhandled"}
    assert failure["version"] == "1.0"
    info = failure["KinesisBatchInfo"]
    records = invocations[0].event["Records"]
    assert info["shardId"] == records[0]["eventID"].split(":")[0]
    assert info["startSequenceNumber"] == records[0]["kinesis"]["sequenceNumber"]
    assert info["endSequenceNumber"] == records[1]["kinesis"]["sequenceNumber"]
    assert info["batchSize"] == 2
    assert info["streamArn"] == arn
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    # Moved on: the next record is delivered.
    await _put(sim, ["later"], key="k")
    await sim.settle()
    last = (await sim.invocations.list(function="f"))[-1]
    assert (last.status, _texts(last)) == ("Success", ["later"])
    assert (await sim.mappings.get_event_source_mapping(uuid=mapping["UUID"]))[
        "LastProcessingResult"] == "OK"


@pytest.mark.asyncio
async def test_s3_on_failure_destination_gets_the_record_with_the_batch_as_an_object(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "poison")
    arn = await _stream(sim)
    await sim.s3.create_bucket(bucket="failed-batches")
    mapping = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        maximum_retry_attempts=0,
        destination_config={"OnFailure": {"Destination": "arn:aws:s3:::failed-batches"}})
    await _put(sim, ["poison", "after"])
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    listed = await sim.s3.list_objects_v2(bucket="failed-batches")
    [entry] = listed["Contents"]
    shard = invocation.event["Records"][0]["eventID"].split(":")[0]
    # aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>
    assert re.fullmatch(
        rf"aws/lambda/{mapping['UUID']}/{shard}/\d{{4}}/\d{{2}}/\d{{2}}/"
        r"\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}", entry["Key"])
    got = await sim.s3.get_object(bucket="failed-batches", key=entry["Key"])
    record = json.loads(got["Body"])
    assert got["ContentType"] == "application/json"
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["KinesisBatchInfo"]["batchSize"] == 2
    # Only an S3 destination carries the batch itself.
    assert json.loads(record["payload"]) == invocation.event


@pytest.mark.asyncio
async def test_a_failing_shard_does_not_hold_up_the_others(sim: Simulator) -> None:
    await _function(sim, "f", "poison")
    arn = await _stream(sim, shards=2)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        maximum_retry_attempts=3)
    placed = await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b"poison", "PartitionKey": "a"}] + [
        {"Data": f"o{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(20)])
    poisoned = placed["Records"][0]["ShardId"]
    assert {r["ShardId"] for r in placed["Records"]} != {poisoned}
    await sim.settle()
    invocations = await sim.invocations.list(function="f")

    def shard(i):
        return i.event["Records"][0]["eventID"].split(":")[0]

    failures = [n for n, i in enumerate(invocations) if shard(i) == poisoned]
    others = [n for n, i in enumerate(invocations) if shard(i) != poisoned]
    assert len(failures) == 4  # the first attempt and three retries
    assert all(invocations[n].status == "Error" for n in failures)
    assert all(invocations[n].status == "Success" for n in others)
    # The other shard was served while the poisoned one was blocked in its retries.
    assert others and max(others) < max(failures)


@pytest.mark.asyncio
async def test_maximum_record_age_sends_old_records_to_the_destination(sim: Simulator) -> None:
    await _function(sim, "f", "fail")
    arn = await _stream(sim)
    url, queue_arn = await _queue(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        maximum_record_age_in_seconds=60,
        destination_config={"OnFailure": {"Destination": queue_arn}})
    await _put(sim, ["a", "b"])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert invocations and all(i.status == "Error" for i in invocations)
    [failure] = await _messages(sim, url)
    assert failure["requestContext"]["condition"] == "RecordAgeExceeded"
    assert "responseContext" not in failure
    assert failure["KinesisBatchInfo"]["batchSize"] == 2


@pytest.mark.asyncio
async def test_sns_on_failure_destination_gets_the_record(sim: Simulator) -> None:
    await _function(sim, "f", "fail")
    arn = await _stream(sim)
    url, queue_arn = await _queue(sim)
    topic = (await sim.sns.create_topic(name="failed"))["TopicArn"]
    await sim.sns.subscribe(topic_arn=topic, protocol="sqs", endpoint=queue_arn,
                            attributes={"RawMessageDelivery": "true"})
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        maximum_retry_attempts=0, destination_config={"OnFailure": {"Destination": topic}})
    await _put(sim, ["a"])
    await sim.settle()
    [failure] = await _messages(sim, url)
    assert failure["requestContext"]["approximateInvokeCount"] == 1
    assert failure["KinesisBatchInfo"]["batchSize"] == 1


@pytest.mark.asyncio
async def test_a_disabled_mapping_delivers_nothing_until_enabled(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    mapping = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON")
    await _put(sim, ["one"])
    await sim.settle()
    uuid = mapping["UUID"]
    answer = await sim.mappings.update_event_source_mapping(uuid=uuid, enabled=False)
    assert answer["State"] == "Disabling"
    assert (await sim.mappings.get_event_source_mapping(uuid=uuid))["State"] == "Disabled"
    await _put(sim, ["two", "three"])
    await sim.settle()
    assert [_texts(i) for i in await sim.invocations.list(function="f")] == [["one"]]
    answer = await sim.mappings.update_event_source_mapping(uuid=uuid, enabled=True)
    assert answer["State"] == "Enabling"
    await sim.settle()
    assert [_texts(i) for i in await sim.invocations.list(function="f")] == [
        ["one"], ["two", "three"]]


@pytest.mark.asyncio
async def test_filtered_out_records_never_reach_the_function_nor_block_the_shard(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        filter_criteria={"Filters": [
            {"Pattern": json.dumps({"data": {"status": ["ok"]}})},
            {"Pattern": json.dumps({"partitionKey": [{"prefix": "vip"}]})},
        ]})
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b'{"status": "ok", "n": 1}', "PartitionKey": "k"},
        {"Data": b'{"status": "bad", "n": 2}', "PartitionKey": "k"},
        {"Data": b"not json", "PartitionKey": "k"},
        {"Data": b"not json either", "PartitionKey": "vip-1"},
    ])
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    assert _texts(invocation) == ['{"status": "ok", "n": 1}', "not json either"]
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b'{"status": "bad"}', "PartitionKey": "k"}])
    await sim.settle()
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b'{"status": "ok"}', "PartitionKey": "k"}])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    assert _texts(invocations[-1]) == ['{"status": "ok"}']
    assert len(invocations) == 2


@pytest.mark.asyncio
async def test_batching_window_gathers_records_on_the_clock(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10, maximum_batching_window_in_seconds=5)
    await _put(sim, ["a"])
    await _put(sim, ["b"])
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    assert _texts(invocation) == ["a", "b"]


@pytest.mark.asyncio
async def test_handler_batches_parse_with_powertools(sim: Simulator) -> None:
    await _function(sim, "f", "powertools_kinesis")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON")
    placed = await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b"hello", "PartitionKey": "p1"}, {"Data": b"world", "PartitionKey": "p2"}])
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    assert invocation.response == [
        {"seq": placed["Records"][0]["SequenceNumber"], "key": "p1", "text": "hello",
         "shard": "shardId-000000000000"},
        {"seq": placed["Records"][1]["SequenceNumber"], "key": "p2", "text": "world",
         "shard": "shardId-000000000000"},
    ]


@pytest.mark.asyncio
async def test_parent_shard_is_drained_before_its_children(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10)
    await sim.mappings.update_event_source_mapping(
        uuid=(await sim.mappings.list_event_source_mappings())["EventSourceMappings"][0][
            "UUID"], enabled=False)
    await _put(sim, [f"parent-{i}" for i in range(25)])
    await sim.kinesis.split_shard(stream_name="clicks", shard_to_split="shardId-000000000000",
                                  new_starting_hash_key=str(2**127))
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": f"child-{i}".encode(), "PartitionKey": f"key{i}"} for i in range(20)])
    uuid = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"][0]["UUID"]
    await sim.mappings.update_event_source_mapping(uuid=uuid, enabled=True)
    await sim.settle()
    texts = [t for i in await sim.invocations.list(function="f") for t in _texts(i)]
    assert len(texts) == 45
    last_parent = max(i for i, t in enumerate(texts) if t.startswith("parent"))
    first_child = min(i for i, t in enumerate(texts) if t.startswith("child"))
    assert last_parent < first_child
    assert [t for t in texts if t.startswith("parent")] == [f"parent-{i}" for i in range(25)]


@pytest.mark.asyncio
async def test_checkpoints_survive_a_restart(tmp_path) -> None:
    db = str(tmp_path / "state.db")
    async with Simulator(SimulatorConfig(clock="virtual", db=db)) as sim:
        await _function(sim, "f", "ok")
        arn = await _stream(sim, shards=2)
        await sim.mappings.create_event_source_mapping(
            function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
            batch_size=7)
        await _put(sim, [f"a{i}" for i in range(30)], key="x")
        await _put(sim, [f"b{i}" for i in range(30)], key="y")
        await sim.settle()
        assert sum(len(i.event["Records"]) for i in await sim.invocations.list()) == 60
        seen = await sim.invocations.count()
    async with Simulator(SimulatorConfig(clock="virtual", db=db)) as sim:
        await sim.settle()
        assert await sim.invocations.count() == seen  # nothing replayed
        await _put(sim, ["c0", "c1"], key="x")
        await sim.settle()
        later = await sim.invocations.list(after_seq=0)
        assert [_texts(i) for i in later[seen:]] == [["c0", "c1"]]
        [mapping] = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"]
        assert mapping["State"] == "Enabled"
        assert mapping["LastProcessingResult"] == "OK"


def _wait_for(path: Path) -> None:
    import time

    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)  # sleep-ok: polling for a file with a deadline


@pytest.mark.asyncio
async def test_a_restart_replays_only_the_batch_in_flight(tmp_path) -> None:
    import asyncio

    db = str(tmp_path / "state.db")
    seen, blocked, release = tmp_path / "seen", tmp_path / "blocked", tmp_path / "release"
    texts = [f"r{i}" for i in range(30)]
    texts[25] = "block"
    async with Simulator(SimulatorConfig(db=db)) as sim:
        await sim.functions.create_function(
            name="f", handler="streams.record_and_block", code_dir=HANDLERS,
            environment={"SEEN": str(seen), "BLOCKED": str(blocked), "RELEASE": str(release)})
        arn = await _stream(sim)
        await _put(sim, texts)
        await sim.mappings.create_event_source_mapping(
            function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
            batch_size=10)
        await asyncio.to_thread(_wait_for, blocked)  # the third batch is in flight
    release.touch()
    first_run = seen.read_text().split()
    assert first_run == texts  # the third batch ran, but was never recorded
    async with Simulator(SimulatorConfig(db=db)) as sim:
        await sim.settle()
        recorded = [t for i in await sim.invocations.list() for t in _texts(i)]
    assert recorded == texts  # each record recorded once
    assert seen.read_text().split() == texts + texts[20:]  # only the in-flight batch again


@pytest.mark.asyncio
async def test_parallelization_factor_keeps_each_partition_key_in_order(sim: Simulator) -> None:
    await _function(sim, "f", "powertools_kinesis")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10, parallelization_factor=4)
    for start in range(0, 400, 100):
        await sim.kinesis.put_records(stream_name="clicks", records=[
            {"Data": str(i).encode(), "PartitionKey": f"user-{i % 7}"}
            for i in range(start, start + 100)])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    delivered = [r for i in invocations for r in i.response]
    assert sorted(int(d["text"]) for d in delivered) == list(range(400))
    for user in range(7):
        mine = [int(d["text"]) for d in delivered if d["key"] == f"user-{user}"]
        assert mine == sorted(mine)
    assert all(len(i.event["Records"]) <= 10 for i in invocations)
    # More than one partition per window: batches mix fewer keys than the shard holds.
    assert any(len({r["key"] for r in i.response}) < 7 for i in invocations)


@pytest.mark.asyncio
async def test_parallel_partitions_retry_alone(sim: Simulator) -> None:
    await _function(sim, "f", "poison")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10, parallelization_factor=2, maximum_retry_attempts=1)
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": b"poison" if i == 0 else f"r{i}".encode(), "PartitionKey": f"k{i}"}
        for i in range(12)])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    ok = sorted(t for i in invocations if i.status == "Success" for t in _texts(i))
    failed = [i for i in invocations if i.status == "Error"]
    assert len(failed) == 2 and all("poison" in _texts(i) for i in failed)
    assert set(ok) | {t for i in failed for t in _texts(i)} == {
        "poison", *(f"r{i}" for i in range(1, 12))}


@pytest.mark.asyncio
async def test_shard_status_reports_checkpoints_and_iterator_age(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim, shards=2)
    mapping = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON")
    await _put(sim, ["a", "b", "c"], key="x")
    await sim.settle()
    status = {s["ShardId"]: s for s in sim.pollers.shard_status(mapping["UUID"])}
    assert len(status) == 2
    busy = [s for s in status.values() if s["IteratorAgeMilliseconds"] is not None]
    [shard] = busy
    assert shard["Position"] == 4 and shard["Finished"] is False
    assert shard["IteratorAgeMilliseconds"] >= 0


@pytest.mark.asyncio
async def test_tumbling_window_passes_state_and_ends_with_a_final_invocation(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "tumbling_sum")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=2, tumbling_window_in_seconds=60)
    start = (int(sim.clock.time()) // 60 + 1) * 60
    sim.clock.advance(start - sim.clock.time() + 1)  # one second into a fresh window
    await _put(sim, ["1", "2", "3", "4", "5"])
    await sim.settle()
    invocations = await sim.invocations.list(function="f")
    events = [i.event for i in invocations]
    assert [len(e["Records"]) for e in events] == [2, 2, 1, 0]
    assert [e["state"] for e in events] == [{}, {"total": 3}, {"total": 10}, {"total": 15}]
    assert [e["isFinalInvokeForWindow"] for e in events] == [False, False, False, True]
    first = events[0]
    assert first["shardId"] == "shardId-000000000000" and first["eventSourceARN"] == arn
    assert first["isWindowTerminatedEarly"] is False
    assert first["window"]["end"] > first["window"]["start"]
    assert all(e["window"] == first["window"] for e in events)
    assert invocations[-1].response == {"state": {"total": 15}}
    # A later record opens a new window with a fresh state.
    await _put(sim, ["7"])
    await sim.settle()
    later = [i.event for i in await sim.invocations.list(function="f")][4:]
    assert [(len(e["Records"]), e["state"]) for e in later] == [(1, {}), (0, {"total": 7})]


@pytest.mark.asyncio
async def test_at_timestamp_starts_at_the_first_record_put_since(sim: Simulator) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await _put(sim, ["early"])
    sim.clock.advance(10)
    since = sim.clock.time()
    sim.clock.advance(1)
    await _put(sim, ["late-1", "late-2"])
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="AT_TIMESTAMP",
        starting_position_timestamp=since)
    await sim.settle()
    [invocation] = await sim.invocations.list(function="f")
    assert _texts(invocation) == ["late-1", "late-2"]
    got = (await sim.mappings.list_event_source_mappings())["EventSourceMappings"][0]
    assert got["StartingPositionTimestamp"].timestamp() == pytest.approx(since)


@pytest.mark.asyncio
async def test_both_parents_of_a_merge_are_drained_before_the_child(sim: Simulator) -> None:
    await _function(sim, "f", "powertools_kinesis")
    arn = await _stream(sim, shards=2)
    mapping = await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=5, enabled=False)
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": f"p{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(30)])
    await sim.kinesis.merge_shards(stream_name="clicks", shard_to_merge="shardId-000000000000",
                                   adjacent_shard_to_merge="shardId-000000000001")
    await sim.kinesis.put_records(stream_name="clicks", records=[
        {"Data": f"c{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(10)])
    await sim.mappings.update_event_source_mapping(uuid=mapping["UUID"], enabled=True)
    await sim.settle()
    delivered = [r for i in await sim.invocations.list(function="f") for r in i.response]
    assert sorted(d["text"] for d in delivered) == sorted(
        [f"p{i}" for i in range(30)] + [f"c{i}" for i in range(10)])
    child = [n for n, d in enumerate(delivered) if d["shard"] == "shardId-000000000002"]
    parents = [n for n, d in enumerate(delivered) if d["shard"] != "shardId-000000000002"]
    assert child and parents and max(parents) < min(child)


@pytest.mark.asyncio
async def test_records_keep_their_order_per_key_across_update_shard_count(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim, shards=3)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON",
        batch_size=10)
    for n in range(60):
        await sim.kinesis.put_record(stream_name="clicks", data=str(n).encode(),
                                     partition_key=f"key-{n % 7}")
    await sim.kinesis.update_shard_count(stream_name="clicks", target_shard_count=2,
                                         scaling_type="UNIFORM_SCALING")
    for n in range(60, 120):
        await sim.kinesis.put_record(stream_name="clicks", data=str(n).encode(),
                                     partition_key=f"key-{n % 7}")
    await sim.settle()
    by_key: dict[str, list[int]] = defaultdict(list)
    for invocation in await sim.invocations.list(function="f"):
        for r in invocation.event["Records"]:
            by_key[r["kinesis"]["partitionKey"]].append(
                int(base64.b64decode(r["kinesis"]["data"])))
    assert sorted(n for numbers in by_key.values() for n in numbers) == list(range(120))
    for numbers in by_key.values():  # a child shard is read after its parents are drained
        assert numbers == sorted(numbers)


@pytest.mark.asyncio
async def test_a_shard_split_before_its_first_record_does_not_hold_up_its_children(
    sim: Simulator,
) -> None:
    await _function(sim, "f", "ok")
    arn = await _stream(sim)
    await sim.mappings.create_event_source_mapping(
        function_name="f", event_source_arn=arn, starting_position="TRIM_HORIZON")
    await sim.kinesis.put_record(stream_name="clicks", data=b"before", partition_key="k")
    await sim.kinesis.split_shard(stream_name="clicks", shard_to_split="shardId-000000000000",
                                  new_starting_hash_key=str(2**127))
    # The child is split again before it holds anything: closed, and empty.
    await sim.kinesis.split_shard(stream_name="clicks", shard_to_split="shardId-000000000002",
                                  new_starting_hash_key=str(3 * 2**126))
    await sim.kinesis.put_record(stream_name="clicks", data=b"after", partition_key="k",
                                 explicit_hash_key=str(2**128 - 1))
    await sim.settle()
    delivered = [base64.b64decode(r["kinesis"]["data"])
                 for i in await sim.invocations.list(function="f")
                 for r in i.event["Records"]]
    assert delivered == [b"before", b"after"]
