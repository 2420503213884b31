"""Asynchronous invocation: S3 notifications, retries, event age, destinations, settle()."""

import json
from pathlib import Path

import pytest

from eventsim import Simulator
from eventsim.simulator import SettleTimeout

HANDLERS = Path(__file__).parent / "handlers"


async def _function(sim: Simulator, name: str, handler: str, **kwargs):
    return await sim.functions.create_function(
        name=name, handler=f"behaviours.{handler}", code_dir=HANDLERS, **kwargs
    )


async def _bucket_notifying(sim: Simulator, bucket: str, function_arn: str, **filter_rules) -> None:
    await sim.s3.create_bucket(bucket=bucket)
    config = {"Id": "to-fn", "LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}
    if filter_rules:
        config["Filter"] = {"Key": {"FilterRules": [
            {"Name": name, "Value": value} for name, value in filter_rules.items()
        ]}}
    await sim.s3.put_bucket_notification_configuration(
        bucket=bucket, notification_configuration={"LambdaFunctionConfigurations": [config]}
    )


@pytest.mark.asyncio
async def test_put_object_invokes_function_once_with_s3_event(sim: Simulator) -> None:
    fn = await _function(sim, "echo", "echo")
    await _bucket_notifying(sim, "uploads", fn.arn)
    await sim.s3.put_object(bucket="uploads", key="cats/red cat.jpg", body=b"meow")
    await sim.settle()
    [record] = await sim.invocations.list(function="echo")
    assert record.status == "Success"
    assert record.invocation_type == "Event"
    event = record.event["Records"][0]
    assert event["eventName"] == "ObjectCreated:Put"
    assert event["s3"]["object"]["key"] == "cats/red+cat.jpg"
    assert event["s3"]["object"]["size"] == 4
    assert record.trigger.startswith("s3:ObjectCreated:Put uploads/cats/red cat.jpg")


@pytest.mark.asyncio
async def test_key_filter_keeps_other_objects_from_the_function(sim: Simulator) -> None:
    fn = await _function(sim, "echo", "echo")
    await _bucket_notifying(sim, "uploads", fn.arn, suffix=".jpg")
    await sim.s3.put_object(bucket="uploads", key="notes.txt", body=b"x")
    await sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"x")
    await sim.settle()
    records = await sim.invocations.list(function="echo")
    assert [r.event["Records"][0]["s3"]["object"]["key"] for r in records] == ["cat.jpg"]


@pytest.mark.asyncio
async def test_failing_event_is_retried_twice_then_retries_exhausted(sim: Simulator) -> None:
    await _function(sim, "fail", "fail")
    start = sim.clock.time()
    await sim.functions.invoke("fail", {"n": 1}, invocation_type="Event")
    await sim.settle()
    attempts = await sim.invocations.list(function="fail")
    assert [(a.attempt, a.status) for a in attempts] == [(1, "Error"), (2, "Error"), (3, "Error")]
    assert len({a.request_id for a in attempts}) == 1
    # AWS waits about one minute, then two, between attempts.
    assert sim.clock.time() - start >= 180
    [outcome] = await sim.invocations.outcomes(function="fail")
    assert outcome.condition == "RetriesExhausted"
    assert outcome.record["requestContext"]["approximateInvokeCount"] == 3
    assert outcome.record["requestPayload"] == {"n": 1}
    assert outcome.record["responseContext"]["functionError"] == "Unhandled"
    assert outcome.record["responsePayload"]["errorType"] == "ValueError"


@pytest.mark.asyncio
async def test_maximum_retry_attempts_zero_means_one_attempt(sim: Simulator) -> None:
    await _function(sim, "fail", "fail", maximum_retry_attempts=0)
    await sim.functions.invoke("fail", {}, invocation_type="Event")
    await sim.settle()
    assert await sim.invocations.count(function="fail") == 1


@pytest.mark.asyncio
async def test_event_older_than_maximum_age_is_dropped_before_its_retry(sim: Simulator) -> None:
    await _function(sim, "fail", "fail", maximum_event_age=90)
    await sim.functions.invoke("fail", {}, invocation_type="Event")
    await sim.settle()
    # First retry at +60 s fits in 90 s; the second at +180 s does not.
    assert await sim.invocations.count(function="fail") == 2
    [outcome] = await sim.invocations.outcomes(function="fail")
    assert outcome.condition == "EventAgeExceeded"


@pytest.mark.asyncio
async def test_retry_that_succeeds_ends_the_event(sim: Simulator) -> None:
    await _function(sim, "flaky", "fail_then_succeed")
    await sim.functions.invoke("flaky", {}, invocation_type="Event")
    await sim.settle()
    statuses = [r.status for r in await sim.invocations.list(function="flaky")]
    assert statuses == ["Error", "Error", "Success"]
    assert await sim.invocations.outcomes(function="flaky") == []


@pytest.mark.asyncio
async def test_on_success_destination_receives_the_invocation_record(sim: Simulator) -> None:
    audit = await _function(sim, "audit", "echo")
    await _function(sim, "echo", "echo", on_success=audit.arn)
    await sim.functions.invoke("echo", {"order": 7}, invocation_type="Event")
    await sim.settle()
    [received] = await sim.invocations.list(function="audit")
    record = received.event
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"order": 7}
    assert record["responsePayload"]["received"] == {"order": 7}
    assert received.trace_id == (await sim.invocations.list(function="echo"))[0].trace_id


@pytest.mark.asyncio
async def test_synchronous_invoke_returns_the_result(sim: Simulator) -> None:
    await _function(sim, "env", "env", environment={"DEST": "thumbnails"})
    record = await sim.functions.invoke("env", {})
    assert record is not None
    assert record.status == "Success"
    assert json.loads(record.result or "null") == {"DEST": "thumbnails", "name": "env"}


@pytest.mark.asyncio
async def test_settle_with_real_clock_reports_pending_retry() -> None:
    from eventsim import SimulatorConfig

    async with Simulator(SimulatorConfig(clock="real")) as real:
        await _function(real, "fail", "fail")
        await real.functions.invoke("fail", {}, invocation_type="Event")
        with pytest.raises(SettleTimeout, match="retry due in"):
            await real.settle(timeout=0.5)


@pytest.mark.asyncio
async def test_events_queued_before_a_restart_are_delivered_after_it(tmp_path) -> None:
    from eventsim import SimulatorConfig

    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        await _function(first, "echo", "echo")
        # Queue rows directly, as if the process died before delivering them.
        from eventsim.store.queue import insert_queued_event
        from eventsim.tracing import Cause

        cause = Cause(trace_id="1-00000000-000000000000000000000000", source="test")
        now = first.clock.time()
        await first.db.write(lambda c: insert_queued_event(
            c, function="echo", payload='{"n": 1}', cause=cause, now=now, request_id="r-1"))
        await first.async_queue.aclose()  # stop delivering before the queue runs
    async with Simulator(config) as second:
        await second.settle()
        [record] = await second.invocations.list(function="echo")
        assert record.event == {"n": 1}


@pytest.mark.asyncio
async def test_a_burst_of_puts_sharing_a_commit_invokes_once_per_object_and_empties_the_queue(
        sim: Simulator) -> None:
    # Concurrent puts share a transaction and their rows go in many to a statement: each
    # put into a missing bucket still fails alone, and each queued event knows its row (the
    # queue is empty once every invocation is recorded).
    import asyncio

    from eventsim import AwsError

    fn = await _function(sim, "echo", "echo")
    await _bucket_notifying(sim, "uploads", fn.arn)
    outcome = await asyncio.gather(*(
        sim.s3.put_object(bucket="missing" if n % 7 == 3 else "uploads", key=f"k/{n}",
                          body=b"x" * n)
        for n in range(150)), return_exceptions=True)
    for n, result in enumerate(outcome):
        if n % 7 == 3:
            assert isinstance(result, AwsError) and result.code == "NoSuchBucket", n
        else:
            assert isinstance(result, dict) and "ETag" in result, n
    await sim.settle()
    records = await sim.invocations.list(function="echo", limit=1000)
    keys = sorted(r.event["Records"][0]["s3"]["object"]["key"] for r in records)
    assert keys == sorted(f"k/{n}" for n in range(150) if n % 7 != 3)
    assert len({r.request_id for r in records}) == len(records)
    left = await sim.db.read(lambda c: c.execute("SELECT COUNT(*) FROM async_queue").fetchone())
    assert left[0] == 0
    stored = await sim.s3.list_objects_v2(bucket="uploads", max_keys=1000)
    assert stored["KeyCount"] == len(keys)
