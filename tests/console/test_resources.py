"""The views of each service's resources, and their pages."""

from __future__ import annotations

import pytest

from .conftest import ECHO, Console


@pytest.mark.asyncio
async def test_s3_objects_page_by_key_with_prefix_and_delimiter(console: Console) -> None:
    sim = console.sim
    await sim.s3.create_bucket(bucket="bkt")
    for n in range(7):
        await sim.s3.put_object(bucket="bkt", key=f"photos/{n}.jpg", body=b"x" * n)
    await sim.s3.put_object(bucket="bkt", key="notes/a.txt", body=b"hello",
                            content_type="text/plain")
    keys = [o["key"] for o in await console.pages("api/s3/buckets/bkt/objects?prefix=photos/", 3)]
    assert keys == [f"photos/{n}.jpg" for n in range(7)]
    folders = await console.get("api/s3/buckets/bkt/objects?delimiter=/")
    assert folders["prefixes"] == ["notes/", "photos/"] and folders["items"] == []
    [bucket] = (await console.get("api/s3/buckets"))["items"]
    assert bucket["name"] == "bkt" and bucket["created"].endswith("Z")
    async with console.session.get(console.base + "api/s3/buckets/bkt/object",
                                   params={"key": "notes/a.txt"}) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        assert await response.read() == b"hello"


@pytest.mark.asyncio
async def test_s3_views_answer_missing_things_with_aws_errors(console: Console) -> None:
    answer = await console.get("api/s3/buckets/none/objects", status=404)
    assert answer["error"] == "NoSuchBucket"
    await console.sim.s3.create_bucket(bucket="bkt")
    answer = await console.get("api/s3/buckets/bkt/object?key=nope", status=404)
    assert answer["error"] == "NoSuchKey"
    answer = await console.get("api/s3/buckets/bkt/object", status=400)
    assert "key is required" in answer["message"]


@pytest.mark.asyncio
async def test_buckets_page_through_every_bucket(console: Console) -> None:
    for n in range(5):
        await console.sim.s3.create_bucket(bucket=f"bucket-{n}")
    names = [b["name"] for b in await console.pages("api/s3/buckets", 2)]
    assert names == [f"bucket-{n}" for n in range(5)]


@pytest.mark.asyncio
async def test_sqs_peek_shows_states_and_does_not_receive(console: Console) -> None:
    sqs = console.sim.sqs
    dlq = (await sqs.create_queue(queue_name="dead"))["QueueUrl"]
    dlq_arn = (await sqs.get_queue_attributes(queue_url=dlq, attribute_names=["QueueArn"])
               )["Attributes"]["QueueArn"]
    url = (await sqs.create_queue(queue_name="work", attributes={
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"3"}}'}))[
        "QueueUrl"]
    for n in range(4):
        await sqs.send_message(queue_url=url, message_body=f"m{n}")
    await sqs.send_message(queue_url=url, message_body="later", delay_seconds=60)
    await sqs.receive_message(queue_url=url, max_number_of_messages=1)
    queues = {q["name"]: q for q in (await console.get("api/sqs/queues"))["items"]}
    work = queues["work"]
    assert (work["visible"], work["in_flight"], work["delayed"]) == (3, 1, 1)
    assert work["dead_letter_queue"] == dlq_arn and work["max_receive_count"] == 3
    assert queues["dead"]["dead_letter_sources"] == [url]
    messages = await console.pages("api/sqs/queues/work/messages", 2)
    assert [m["Body"] for m in messages] == ["m0", "m1", "m2", "m3", "later"]
    assert [m["State"] for m in messages] == ["in_flight", "visible", "visible", "visible",
                                             "delayed"]
    assert messages[0]["ApproximateReceiveCount"] == 1
    # Peeking twice changed nothing.
    again = await console.pages("api/sqs/queues/work/messages", 10)
    assert [m["ApproximateReceiveCount"] for m in again] == [1, 0, 0, 0, 0]
    answer = await console.get("api/sqs/queues/nope/messages", status=400)
    assert answer["error"] == "QueueDoesNotExist"


@pytest.mark.asyncio
async def test_sns_topics_carry_their_subscriptions(console: Console) -> None:
    sim = console.sim
    url = (await sim.sqs.create_queue(queue_name="inbox"))["QueueUrl"]
    arn = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["QueueArn"])
           )["Attributes"]["QueueArn"]
    topic = (await sim.sns.create_topic(name="alerts"))["TopicArn"]
    await sim.sns.subscribe(topic_arn=topic, protocol="sqs", endpoint=arn,
                            attributes={"RawMessageDelivery": "true"})
    [shown] = (await console.get("api/sns/topics"))["items"]
    assert shown["name"] == "alerts" and shown["arn"] == topic
    [sub] = shown["subscriptions"]
    assert sub["Endpoint"] == arn and sub["Attributes"]["RawMessageDelivery"] == "true"


async def _table(console: Console, name: str = "orders") -> None:
    await console.sim.dynamodb.create_table(
        table_name=name, attribute_definitions=[{"AttributeName": "id",
                                                 "AttributeType": "S"}],
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST",
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


@pytest.mark.asyncio
async def test_dynamodb_items_are_plain_json_page_by_page(console: Console) -> None:
    await _table(console)
    for n in range(5):
        await console.sim.dynamodb.put_item(table_name="orders", item={
            "id": {"S": f"o{n}"}, "total": {"N": str(n * 2.5)}, "tags": {"SS": ["b", "a"]},
            "blob": {"B": b"\xff\x00"}, "ok": {"BOOL": True}})
    items = await console.pages("api/dynamodb/tables/orders/items", 2)
    assert sorted(i["id"] for i in items) == ["o0", "o1", "o2", "o3", "o4"]
    [two] = [i for i in items if i["id"] == "o2"]
    assert two == {"id": "o2", "total": 5, "tags": ["a", "b"], "blob": {"base64": "/wA="},
                   "ok": True}
    [table] = (await console.get("api/dynamodb/tables"))["items"]
    assert table["stream_view_type"] == "NEW_AND_OLD_IMAGES" and table["stream_arn"]


@pytest.mark.asyncio
async def test_dynamodb_stream_records_page_oldest_first(console: Console) -> None:
    await _table(console)
    for n in range(5):
        await console.sim.dynamodb.put_item(table_name="orders", item={"id": {"S": f"o{n}"}})
    records = await console.pages("api/dynamodb/tables/orders/stream", 2)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == [f"o{n}" for n in range(5)]
    assert {r["eventName"] for r in records} == {"INSERT"}


@pytest.mark.asyncio
async def test_dynamodb_table_without_stream_has_no_stream_records(console: Console) -> None:
    await console.sim.dynamodb.create_table(
        table_name="plain", attribute_definitions=[{"AttributeName": "id",
                                                    "AttributeType": "S"}],
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST")
    answer = await console.get("api/dynamodb/tables/plain/stream")
    assert answer["items"] == [] and answer["stream_arn"] is None


@pytest.mark.asyncio
async def test_kinesis_records_page_per_shard(console: Console) -> None:
    kinesis = console.sim.kinesis
    await kinesis.create_stream(stream_name="clicks", shard_count=2)
    [stream] = (await console.get("api/kinesis/streams"))["items"]
    shards = [s["id"] for s in stream["shards"]]
    assert len(shards) == 2 and all(s["open"] for s in stream["shards"])
    await kinesis.put_records(stream_name="clicks", records=[
        {"Data": f"click {n}".encode(), "PartitionKey": "user", "ExplicitHashKey": "0"}
        for n in range(5)])
    records = await console.pages(f"api/kinesis/streams/clicks/records?shard={shards[0]}", 2)
    assert [r["Text"] for r in records] == [f"click {n}" for n in range(5)]
    other = await console.get(f"api/kinesis/streams/clicks/records?shard={shards[1]}")
    assert other["items"] == [] and other["next"] is None


@pytest.mark.asyncio
async def test_mappings_show_state_result_and_checkpoints(console: Console) -> None:
    sim = console.sim
    await sim.kinesis.create_stream(stream_name="clicks", shard_count=1)
    await sim.functions.create_function(name="echo", handler="app.lambda_handler",
                                        code_dir=ECHO)
    created = await sim.mappings.create_event_source_mapping(
        function_name="echo", event_source_arn=sim.kinesis.stream_arn("clicks"),
        starting_position="TRIM_HORIZON", batch_size=10)
    await sim.kinesis.put_record(stream_name="clicks", data=b"{}", partition_key="p")
    await sim.settle()
    [mapping] = (await console.get("api/mappings"))["items"]
    assert mapping["uuid"] == created["UUID"] and mapping["state"] == "Enabled"
    assert mapping["last_processing_result"] == "OK"
    [shard] = mapping["shards"]
    assert shard["checkpoint"] == 2 and shard["iterator_age_ms"] == 0
    fn = await console.get("api/functions/echo")
    assert fn["mappings"][0]["UUID"] == created["UUID"]
    assert fn["recent_invocations"][0]["trigger"].startswith("kinesis")
    assert (await console.get("api/mappings?function=other"))["items"] == []


@pytest.mark.asyncio
async def test_function_detail_has_configuration_destinations_and_dead_letter_queue(
    console: Console,
) -> None:
    sim = console.sim
    url = (await sim.sqs.create_queue(queue_name="dlq"))["QueueUrl"]
    arn = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["QueueArn"])
           )["Attributes"]["QueueArn"]
    await sim.functions.create_function(name="echo", handler="app.lambda_handler",
                                        code_dir=ECHO, dead_letter_target=arn)
    await sim.lambda_api.put_function_event_invoke_config(
        function_name="echo", maximum_retry_attempts=1,
        destination_config={"OnFailure": {"Destination": arn}})
    detail = await console.get("api/functions/echo")
    assert detail["configuration"]["FunctionName"] == "echo"
    assert detail["dead_letter_queue"] == arn
    assert detail["destinations"] == {"on_success": None, "on_failure": arn}
    assert detail["event_invoke_config"]["MaximumRetryAttempts"] == 1
    [listed] = (await console.get("api/functions"))["items"]
    assert listed["name"] == "echo" and listed["invocations"] == 0
    answer = await console.get("api/functions/none", status=404)
    assert answer["error"] == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_overview_counts_every_service_and_shows_the_clock(console: Console) -> None:
    sim = console.sim
    await sim.s3.create_bucket(bucket="bkt")
    await sim.sns.create_topic(name="t")
    await sim.sqs.create_queue(queue_name="q")
    await _table(console)
    await sim.kinesis.create_stream(stream_name="s", shard_count=1)
    overview = await console.get("api/overview")
    assert overview["services"]["s3"] == {"buckets": 1}
    assert overview["services"]["sns"] == {"topics": 1, "subscriptions": 0}
    assert overview["services"]["sqs"] == {"queues": 1}
    assert overview["services"]["dynamodb"] == {"tables": 1}
    assert overview["services"]["kinesis"] == {"streams": 1}
    assert overview["invocations"] == {"total": 0, "errors": 0}
    assert overview["clock"]["mode"] == "virtual" and overview["clock"]["paused"] is True


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [
    pytest.param("limit=0", id="zero"), pytest.param("limit=501", id="too-many"),
    pytest.param("limit=ten", id="not-a-number"), pytest.param("next=%%%", id="bad-cursor"),
])
async def test_list_parameters_out_of_range_are_bad_requests(console: Console,
                                                             query: str) -> None:
    answer = await console.get(f"api/invocations?{query}", status=400)
    assert answer["error"] == "BadRequest"
