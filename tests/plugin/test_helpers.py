"""The plugin's helpers: what they accept, and that each failure says what was expected and
what was found."""

from __future__ import annotations

import json

import pytest

from eventsim.testing import mismatch


def _fail(event, context):
    raise ValueError(f"no good: {event.get('n')}")


def test_mismatch_accepts_a_subset_of_keys_and_names_the_first_difference() -> None:
    event = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "a"}}}]}
    assert mismatch({"Records": [{"eventName": "ObjectCreated:Put"}]}, event) is None
    assert mismatch({"Records": [{"s3": {"object": {"key": "b"}}}]}, event) == (
        "event['Records'][0]['s3']['object']['key']: expected 'b', found 'a'")
    assert mismatch({"Records": [{}, {}]}, event) == (
        "event['Records']: expected 2 items, found 1")
    assert mismatch({"detail": 1}, event) == "event: no key 'detail' (keys: Records)"


def test_assert_invoked_names_a_function_that_does_not_exist(eventsim) -> None:
    eventsim.define_function("real-one", lambda e, c: None)
    with pytest.raises(AssertionError) as failure:
        eventsim.assert_invoked("typo-one")
    assert str(failure.value) == (
        "expected at least 1 invocation of typo-one, found 0\n"
        "  there is no function 'typo-one' (functions: real-one)")


def test_assert_invoked_says_what_ran_and_the_last_error(eventsim, eventsim_lambda) -> None:
    eventsim.define_function("flaky", _fail)
    eventsim_lambda.invoke(FunctionName="flaky", Payload=json.dumps({"n": 1}))
    with pytest.raises(AssertionError) as failure:
        eventsim.assert_invoked("flaky", count=2, status="Success")
    message = str(failure.value)
    assert message.startswith("expected 2 Success invocations of flaky, found 0\n"
                              "  1 invocation in all: 1 Error\n")
    assert "ValueError: no good: 1" in message


def test_assert_invoked_with_an_event_pattern_shows_the_first_mismatch(
    eventsim, eventsim_lambda
) -> None:
    eventsim.define_function("echo", lambda event, context: event)
    eventsim_lambda.invoke(FunctionName="echo", Payload=json.dumps({"n": 1}))
    assert len(eventsim.assert_invoked("echo", event={"n": 1})) == 1
    assert len(eventsim.assert_invoked("echo", event=lambda e: e["n"] < 2)) == 1
    with pytest.raises(AssertionError, match=r"first mismatch: event\['n'\]: expected 2, found 1"):
        eventsim.assert_invoked("echo", event={"n": 2})


def test_assert_not_invoked_fails_once_the_function_ran(eventsim, eventsim_lambda) -> None:
    eventsim.define_function("echo", lambda event, context: event)
    eventsim.assert_not_invoked("echo")
    eventsim_lambda.invoke(FunctionName="echo", Payload=b"{}")
    with pytest.raises(AssertionError, match="expected 0 invocations of echo, found 1"):
        eventsim.assert_not_invoked("echo")


def test_assert_queue_looks_without_receiving(eventsim, eventsim_sqs) -> None:
    url = eventsim_sqs.create_queue(QueueName="jobs")["QueueUrl"]
    eventsim_sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"job": 1}))
    eventsim_sqs.send_message(QueueUrl=url, MessageBody="plain text")
    assert eventsim.queue_messages("jobs") == [{"job": 1}, "plain text"]
    assert eventsim.assert_queue(url, count=1, body={"job": 1}) == [{"job": 1}]
    assert eventsim.assert_queue("jobs", body_contains="plain") == ["plain text"]
    assert len(eventsim_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 2


def test_assert_queue_failures_list_what_the_queue_holds(eventsim, eventsim_sqs) -> None:
    url = eventsim_sqs.create_queue(QueueName="jobs")["QueueUrl"]
    eventsim_sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"job": 1}))
    with pytest.raises(AssertionError) as failure:
        eventsim.assert_queue("jobs", count=1, body={"job": 2})
    assert str(failure.value) == (
        "expected 1 matching message in queue jobs, found 0 of 1 message\n"
        '  \'{"job": 1}\'\n'
        "  first mismatch: body['job']: expected 2, found 1")
    with pytest.raises(AssertionError, match=r"there is no queue 'dlq' \(queues: jobs\)"):
        eventsim.assert_queue("dlq")
    with pytest.raises(AssertionError, match="expected at least 1 matching message in queue "
                       "jobs, found 0 of 1 message"):
        eventsim.assert_queue("jobs", body_contains="job\": 3")


@pytest.mark.eventsim(clock="virtual")
def test_assert_outcomes_reports_where_failed_events_went(eventsim, eventsim_sqs,
                                                          eventsim_lambda) -> None:
    eventsim_sqs.create_queue(QueueName="failed")
    eventsim.define_function("flaky", _fail, maximum_retry_attempts=0,
                             on_failure="arn:aws:sqs:us-east-1:000000000000:failed")
    with pytest.raises(AssertionError, match="expected at least 1 outcome for flaky, found 0\n"
                       "  flaky has no asynchronous outcomes recorded"):
        eventsim.assert_outcomes("flaky")
    eventsim_lambda.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"n": 3}')
    eventsim.settle()
    [outcome] = eventsim.assert_outcomes("flaky", condition="RetriesExhausted", count=1)
    assert outcome.destination == "arn:aws:sqs:us-east-1:000000000000:failed"
    with pytest.raises(AssertionError, match="expected 1 EventAgeExceeded outcome for flaky, "
                       "found 0\n  RetriesExhausted -> arn:aws:sqs:"):
        eventsim.assert_outcomes("flaky", condition="EventAgeExceeded", count=1)
    [record] = eventsim.assert_queue("failed", body={"requestPayload": {"n": 3}})
    assert record["responsePayload"]["errorType"] == "ValueError"


def test_assert_trace_draws_the_trace_when_it_fails(eventsim, eventsim_lambda) -> None:
    eventsim.define_function("echo", lambda event, context: event)
    request_id = eventsim_lambda.invoke(FunctionName="echo", Payload=b"{}")[
        "ResponseMetadata"]["RequestId"]
    eventsim.assert_trace(request_id, functions=["echo"], depth=1)
    with pytest.raises(AssertionError) as failure:
        eventsim.assert_trace(request_id, functions=["echo", "other"], writes=["s3:PutObject"])
    lines = str(failure.value).splitlines()
    assert lines[0] == "expected functions ['echo', 'other'], found ['echo']"
    assert lines[1] == "expected a write matching 's3:PutObject', found no writes"
    assert lines[2].startswith("trace ")
    assert any("invocation echo [Success]" in line for line in lines[3:])
    with pytest.raises(AssertionError, match="no invocation and no trace has the id 'nope'"):
        eventsim.trace("nope")


def test_define_function_refuses_what_it_cannot_run(eventsim, tmp_path) -> None:
    with pytest.raises(TypeError, match=r"give code= \(the directory the handler module is in\)"):
        eventsim.define_function("f", "app.handler")
    with pytest.raises(FileNotFoundError, match=r"code directory .* does not exist"):
        eventsim.define_function("f", "app.handler", code=tmp_path / "missing")
    with pytest.raises(ValueError, match="needs the inline runtime"):
        eventsim.define_function("f", lambda e, c: None, runtime_kind="process")
    with pytest.raises(TypeError, match="give code= only with a handler path"):
        eventsim.define_function("f", lambda e, c: None, code=tmp_path)


def test_a_redefined_callable_function_runs_the_new_callable(eventsim, eventsim_lambda) -> None:
    eventsim.define_function("answer", lambda e, c: 1)
    assert eventsim_lambda.invoke(FunctionName="answer")["Payload"].read() == b"1"
    eventsim.define_function("answer", lambda e, c: 2, replace=True)
    assert eventsim_lambda.invoke(FunctionName="answer")["Payload"].read() == b"2"


def test_the_virtual_clock_on_a_real_clock_simulator_says_how_to_get_one(eventsim) -> None:
    with pytest.raises(RuntimeError, match=r"use the eventsim_clock fixture, "
                       r"@pytest.mark.eventsim\(clock='virtual'\)"):
        eventsim.virtual_clock.advance(1)


def test_the_clock_fixture_advances_time_without_passing_later_timers(eventsim_clock) -> None:
    start = eventsim_clock.time()
    assert eventsim_clock.advance(90) == pytest.approx(start + 90)
    assert eventsim_clock.pending() is None
    assert eventsim_clock.advance_to_next() is None


def test_reset_empties_the_simulator_behind_the_same_url(eventsim_factory) -> None:
    sim = eventsim_factory()
    s3 = sim.client("s3")
    s3.create_bucket(Bucket="before")
    sim.define_function("echo", lambda e, c: e)
    url = sim.url
    sim.reset()
    assert sim.url == url
    assert s3.list_buckets()["Buckets"] == []
    assert sim.functions.list_functions() == []
    s3.create_bucket(Bucket="after")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["after"]


def test_begin_test_makes_assertions_count_only_later_invocations(eventsim, eventsim_lambda):
    eventsim.define_function("echo", lambda e, c: e)
    eventsim_lambda.invoke(FunctionName="echo", Payload=b"{}")
    eventsim.begin_test()
    eventsim.assert_not_invoked("echo")
    eventsim_lambda.invoke(FunctionName="echo", Payload=b"{}")
    eventsim.assert_invoked("echo", count=1)


def test_unique_names_never_repeat(eventsim) -> None:
    names = {eventsim.unique("orders") for _ in range(100)}
    assert len(names) == 100 and all(n.startswith("orders-") for n in names)


@pytest.mark.asyncio
async def test_the_async_facade_awaits_every_helper(eventsim_async) -> None:
    await eventsim_async.define_function("echo", lambda event, context: event)
    await eventsim_async.sqs.create_queue(queue_name="q")
    assert await eventsim_async.queue_messages("q") == []
    client = eventsim_async.client("lambda")
    client.invoke(FunctionName="echo", Payload=b'{"n": 5}')
    await eventsim_async.settle()
    [run] = await eventsim_async.assert_invoked("echo", event={"n": 5})
    await eventsim_async.assert_trace(run, functions=["echo"])
    with pytest.raises(AssertionError, match="expected 2 invocations of echo, found 1"):
        await eventsim_async.assert_invoked("echo", count=2)
    with pytest.raises(RuntimeError, match="real clock"):
        _ = eventsim_async.virtual_clock


@pytest.mark.asyncio
@pytest.mark.eventsim(clock="virtual")
async def test_the_async_clock_advances_to_a_retry(eventsim_async) -> None:
    await eventsim_async.define_function("flaky", _fail)
    await eventsim_async.functions.invoke("flaky", {}, invocation_type="Event")
    clock = eventsim_async.virtual_clock
    await clock.advance(0)
    assert clock.pending() == pytest.approx(60)
    await clock.advance_to_next()
    await eventsim_async.assert_invoked("flaky", count=2, status="Error")
