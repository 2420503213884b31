"""The causal trace read back from what the engine recorded (eventsim/traces.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.config import SimulatorConfig
from eventsim.server import Server

CODE = Path(__file__).parent.parent.parent / "fixtures" / "functions" / "chain"


async def chain(server: Server) -> None:
    sim = server.sim
    for bucket in ("uploads", "thumbnails"):
        await sim.s3.create_bucket(bucket=bucket)
    await sim.functions.create_function(name="resize", handler="app.resize", code_dir=CODE)
    await sim.functions.create_function(name="index", handler="app.index", code_dir=CODE,
                                        maximum_retry_attempts=1)
    for bucket, fn in (("uploads", "resize"), ("thumbnails", "index")):
        await sim.s3.put_bucket_notification_configuration(
            bucket=bucket,
            notification_configuration={"LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": sim.functions.arn(fn), "Events": ["s3:ObjectCreated:*"],
            }]},
        )


@pytest.mark.asyncio
async def test_trace_links_upload_invocation_write_and_the_invocation_it_caused() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        await chain(server)
        await server.sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"big")
        await server.sim.settle()
        [resized] = await server.sim.invocations.list(function="resize")
        trace = await server.sim.trace_of(resized.request_id)

    assert trace is not None
    assert trace.functions == ["resize", "index"]
    assert trace.depth == 2
    [indexed] = [n for n in trace.invocations if n.function == "index"]
    path = [(n.kind, n.label) for n in trace.path_to(indexed.id)]
    assert path == [
        ("origin", "s3:ObjectCreated:Put uploads/cat.jpg"),
        ("invocation", "resize"),
        ("write", "s3:PutObject arn:aws:s3:::thumbnails/cat.jpg"),
        ("invocation", "index"),
    ]
    assert indexed.status == "Success"
    assert indexed.hop == 1
    assert trace.to_dict()["edges"][0].keys() == {"from", "to", "kind"}


@pytest.mark.asyncio
async def test_trace_shows_each_retry_and_where_the_failed_event_ended() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        await chain(server)
        await server.sim.s3.put_object(bucket="uploads", key="bad.jpg", body=b"big")
        await server.sim.settle()
        [resized] = await server.sim.invocations.list(function="resize")
        trace = await server.sim.trace(resized.trace_id)

    attempts = [n for n in trace.invocations if n.function == "index"]
    assert [(n.attempt, n.status) for n in attempts] == [(1, "Error"), (2, "Error")]
    assert [n.id for n in trace.children(attempts[0].id)] == [attempts[1].id]
    [outcome] = [n for n in trace.nodes if n.kind == "outcome"]
    assert outcome.status == "RetriesExhausted"
    assert [p.id for p in trace.parents(outcome.id)] == [attempts[1].id]
    assert [n.kind for n in trace.path_to(outcome.id)] == [
        "origin", "invocation", "write", "invocation", "invocation", "outcome",
    ]


@pytest.mark.asyncio
async def test_trace_of_an_unknown_request_is_none_and_an_unknown_trace_is_empty() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        assert await server.sim.trace_of("no-such-request") is None
        empty = await server.sim.trace("1-00000000-000000000000000000000000")
    assert empty.nodes == [] and empty.edges == [] and empty.depth == 0


@pytest.mark.asyncio
async def test_trace_nodes_are_in_causal_order_on_a_virtual_clock() -> None:
    """On a virtual clock every step starts at the same instant, and invocations are stored
    as they finish: the order of nodes still puts each cause before its effects."""
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        await chain(server)
        await server.sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"big")
        await server.sim.settle()
        [resized] = await server.sim.invocations.list(function="resize")
        trace = await server.sim.trace(resized.trace_id)
    position = {n.id: i for i, n in enumerate(trace.nodes)}
    assert all(position[e.source] < position[e.target] for e in trace.edges)
    assert [n.kind for n in trace.nodes] == ["origin", "invocation", "write", "invocation"]


@pytest.mark.asyncio
async def test_a_handlers_dynamodb_and_kinesis_writes_appear_in_its_trace() -> None:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server:
        sim = server.sim
        await sim.dynamodb.create_table(
            table_name="orders", key_schema=[{"AttributeName": "id", "KeyType": "HASH"}],
            attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
            billing_mode="PAY_PER_REQUEST")
        await sim.kinesis.create_stream(stream_name="clicks", shard_count=1)
        await sim.functions.create_function(name="record", handler="app.record", code_dir=CODE)
        done = await sim.functions.invoke("record", {})
        assert done is not None and done.status == "Success", done
        trace = await sim.trace(done.trace_id)
    writes = [n.label for n in trace.nodes if n.kind == "write"]
    assert writes == [
        "dynamodb:PutItem arn:aws:dynamodb:us-east-1:000000000000:table/orders",
        "kinesis:PutRecord arn:aws:kinesis:us-east-1:000000000000:stream/clicks",
    ]
    assert all(next(trace.parents(f"write:{i}")).function == "record" for i in range(2))


@pytest.mark.asyncio
async def test_a_cold_starts_init_duration_is_stored_with_its_invocation(tmp_path) -> None:
    config = SimulatorConfig(clock="virtual", db=str(tmp_path / "state.db"))
    async with Server(config, port=0) as server:
        await server.sim.functions.create_function(name="index", handler="app.index",
                                                   code_dir=CODE)
        event = {"Records": [{"s3": {"object": {"key": "ok.jpg"}}}]}
        await server.sim.functions.invoke("index", event)
        await server.sim.functions.invoke("index", event)
    async with Server(config, port=0) as server:  # read back after a restart
        cold, warm = await server.sim.invocations.list(function="index")
    assert cold.init_duration_ms is not None and cold.init_duration_ms >= 0
    assert warm.init_duration_ms is None
