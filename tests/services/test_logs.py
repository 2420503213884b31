"""CloudWatch Logs over the functions' recorded invocations: groups, per-environment streams,
GetLogEvents' two-way paging and FilterLogEvents' patterns, time ranges and pages."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig

HANDLERS = Path(__file__).parent / "logs_handlers"
GROUP = "/aws/lambda/resize"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        await simulator.functions.create_function(name="resize", handler="app.handler",
                                                  code_dir=HANDLERS)
        yield simulator


async def _invoke(sim: Simulator, *lines: str) -> str:
    record = await sim.functions.invoke("resize", {"lines": list(lines)})
    assert record is not None and record.status == "Success", record
    return str(record.response)


async def _code(coro: Any) -> tuple[str, str]:
    with pytest.raises(AwsError) as raised:
        await coro
    return raised.value.code, raised.value.message


def _messages(answer: dict[str, Any]) -> list[str]:
    return [event["message"] for event in answer["events"]]


@pytest.mark.asyncio
async def test_a_function_has_its_log_group_once_it_has_logged(sim: Simulator) -> None:
    assert (await sim.logs.describe_log_groups())["logGroups"] == []
    await sim.functions.create_function(name="quiet", handler="app.handler", code_dir=HANDLERS)
    started = int(sim.clock.time() * 1000)
    await _invoke(sim, "hello")
    [group] = (await sim.logs.describe_log_groups())["logGroups"]
    assert group == {
        "logGroupName": GROUP, "creationTime": started, "metricFilterCount": 0,
        "arn": f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*",
        "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}",
        "logGroupClass": "STANDARD",
    }
    # ... and keeps it after the function is gone, as Lambda's log groups outlive functions.
    await sim.functions.delete_function("resize")
    assert [g["logGroupName"] for g in (await sim.logs.describe_log_groups())["logGroups"]] \
        == [GROUP]


@pytest.mark.asyncio
async def test_log_groups_page_and_filter_by_prefix_and_pattern(sim: Simulator) -> None:
    for name in ("alpha", "beta", "gamma"):
        await sim.functions.create_function(name=name, handler="app.handler",
                                            code_dir=HANDLERS)
        await sim.functions.invoke(name, {"lines": ["x"]})
    first = await sim.logs.describe_log_groups(limit=2)
    assert [g["logGroupName"] for g in first["logGroups"]] == ["/aws/lambda/alpha",
                                                               "/aws/lambda/beta"]
    rest = await sim.logs.describe_log_groups(limit=2, next_token=first["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["/aws/lambda/gamma"]
    assert "nextToken" not in rest
    by_prefix = await sim.logs.describe_log_groups(log_group_name_prefix="/aws/lambda/b")
    assert [g["logGroupName"] for g in by_prefix["logGroups"]] == ["/aws/lambda/beta"]
    by_pattern = await sim.logs.describe_log_groups(log_group_name_pattern="mm")
    assert [g["logGroupName"] for g in by_pattern["logGroups"]] == ["/aws/lambda/gamma"]
    by_arn = await sim.logs.describe_log_groups(log_group_identifiers=[
        "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/alpha:*"])
    assert [g["logGroupName"] for g in by_arn["logGroups"]] == ["/aws/lambda/alpha"]


@pytest.mark.asyncio
async def test_warm_invocations_share_their_environment_s_stream(sim: Simulator) -> None:
    stream = await _invoke(sim, "one")
    sim.clock.advance(5)
    assert await _invoke(sim, "two") == stream
    [described] = (await sim.logs.describe_log_streams(log_group_name=GROUP))["logStreams"]
    assert described["logStreamName"] == stream
    assert described["arn"] == (
        f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:log-stream:{stream}")
    assert described["lastEventTimestamp"] - described["firstEventTimestamp"] >= 5000
    assert described["storedBytes"] == 0  # as AWS has reported for streams since 2019


@pytest.mark.asyncio
async def test_get_log_events_frames_each_invocation_as_lambda_does(sim: Simulator) -> None:
    stream = await _invoke(sim, "resizing cat.jpg", "done")
    [record] = await sim.invocations.list(function="resize")
    answer = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream)
    messages = _messages(answer)
    assert messages[:3] == [f"START RequestId: {record.request_id} Version: $LATEST\n",
                            "resizing cat.jpg\n", "done\n"]
    assert messages[3] == f"END RequestId: {record.request_id}\n"
    assert messages[4].startswith(f"REPORT RequestId: {record.request_id}\tDuration: ")
    start = int(record.started_at * 1000)
    end = int(record.started_at * 1000 + record.duration_ms)
    assert [e["timestamp"] for e in answer["events"]] == [start, start, start, end, end]
    assert {e["ingestionTime"] for e in answer["events"]} == {end}


@pytest.mark.asyncio
async def test_get_log_events_pages_both_ways_and_repeats_its_token_at_the_end(
    sim: Simulator,
) -> None:
    stream = ""
    for n in range(3):
        stream = await _invoke(sim, f"line {n}")
    # Without a token: the newest events; startFromHead: the oldest.
    newest = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                           limit=3)
    assert _messages(newest)[0] == "line 2\n"
    head = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                         limit=3, start_from_head=True)
    assert _messages(head)[1] == "line 0\n"
    seen = _messages(head)
    token = head["nextForwardToken"]
    while True:
        page = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                             limit=4, next_token=token, start_from_head=True)
        if not page["events"]:
            assert page["nextForwardToken"] == token  # the end: the same token again
            break
        seen += _messages(page)
        token = page["nextForwardToken"]
    assert len(seen) == 12 and [m for m in seen if m.startswith("line")] == [
        "line 0\n", "line 1\n", "line 2\n"]
    # Backwards from the newest page reaches what came before it.
    back = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                         next_token=newest["nextBackwardToken"])
    assert _messages(back) == seen[:9]
    # A stream that grows keeps its forward token good.
    await _invoke(sim, "line 3")
    later = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                          next_token=token, start_from_head=True)
    assert _messages(later)[1] == "line 3\n"


@pytest.mark.asyncio
async def test_get_log_events_keeps_to_its_time_range(sim: Simulator) -> None:
    stream = await _invoke(sim, "early")
    sim.clock.advance(60)
    middle = int(sim.clock.time() * 1000)
    await _invoke(sim, "late")
    answer = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                           start_time=middle)
    assert "late\n" in _messages(answer) and "early\n" not in _messages(answer)
    answer = await sim.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                           end_time=middle - 1)
    assert "early\n" in _messages(answer) and "late\n" not in _messages(answer)


@pytest.mark.asyncio
async def test_filter_log_events_matches_patterns_across_the_group(sim: Simulator) -> None:
    await _invoke(sim, "ERROR resize failed", "retrying")
    await _invoke(sim, "WARN slow")
    found = await sim.logs.filter_log_events(log_group_name=GROUP, filter_pattern="?ERROR ?WARN")
    assert _messages(found) == ["ERROR resize failed\n", "WARN slow\n"]
    event = found["events"][0]
    assert set(event) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
    assert len(event["eventId"]) == 56 and event["eventId"].isdigit()
    assert len({e["eventId"] for e in found["events"]}) == 2
    reports = await sim.logs.filter_log_events(log_group_name=GROUP, filter_pattern="REPORT")
    assert len(reports["events"]) == 2


@pytest.mark.asyncio
async def test_filter_log_events_pages_continue_after_the_last_event(sim: Simulator) -> None:
    for n in range(4):
        await _invoke(sim, f"item {n}")
        sim.clock.advance(1)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await sim.logs.filter_log_events(log_group_name=GROUP, filter_pattern="item",
                                                limit=3, next_token=token)
        pages += 1
        seen += _messages(page)
        token = page.get("nextToken")
        if token is None:
            break
    assert seen == [f"item {n}\n" for n in range(4)] and pages == 2


@pytest.mark.asyncio
async def test_filter_log_events_keeps_to_streams_and_times(sim: Simulator) -> None:
    stream = await _invoke(sim, "first")
    sim.clock.advance(30)
    since = int(sim.clock.time() * 1000)
    await _invoke(sim, "second")
    recent = await sim.logs.filter_log_events(log_group_name=GROUP, start_time=since,
                                              filter_pattern="first")
    assert recent["events"] == []
    named = await sim.logs.filter_log_events(log_group_name=GROUP, log_stream_names=[stream],
                                             filter_pattern="second")
    assert _messages(named) == ["second\n"]
    other = await sim.logs.filter_log_events(log_group_name=GROUP,
                                             log_stream_name_prefix="1999/")
    assert other["events"] == []


@pytest.mark.asyncio
async def test_streams_order_by_last_event_time_and_page(sim: Simulator) -> None:
    await sim.functions.create_function(name="twice", handler="app.handler", code_dir=HANDLERS,
                                        runtime_kind="process")
    await sim.functions.invoke("twice", {"lines": ["a"]})
    # A changed configuration is a new execution environment, with a stream of its own.
    await sim.functions.update_function("twice", environment={"V": "2"})
    sim.clock.advance(10)
    await sim.functions.invoke("twice", {"lines": ["b"]})
    by_time = await sim.logs.describe_log_streams(
        log_group_name="/aws/lambda/twice", order_by="LastEventTime", descending=True)
    streams = by_time["logStreams"]
    assert len(streams) == 2
    assert streams[0]["lastEventTimestamp"] > streams[1]["lastEventTimestamp"]
    first = await sim.logs.describe_log_streams(log_group_name="/aws/lambda/twice", limit=1)
    rest = await sim.logs.describe_log_streams(log_group_name="/aws/lambda/twice", limit=1,
                                               next_token=first["nextToken"])
    assert "nextToken" not in rest
    assert sorted(s["logStreamName"] for s in first["logStreams"] + rest["logStreams"]) == \
        sorted(s["logStreamName"] for s in streams)


@pytest.mark.asyncio
async def test_rows_recorded_before_streams_were_kept_have_the_stream_they_were_told(
    sim: Simulator,
) -> None:
    await _invoke(sim, "old")
    [record] = await sim.invocations.list(function="resize")
    await sim.db.write(lambda c: c.execute("UPDATE invocations SET log_stream = ''"))
    [stream] = (await sim.logs.describe_log_streams(log_group_name=GROUP))["logStreams"]
    day = stream["logStreamName"][:10]
    assert stream["logStreamName"] == f"{day}/[$LATEST]{record.span_id}{record.span_id}"
    answer = await sim.logs.get_log_events(log_group_name=GROUP,
                                           log_stream_name=stream["logStreamName"])
    assert "old\n" in _messages(answer)


@pytest.mark.asyncio
async def test_the_logs_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        await first.functions.create_function(name="resize", handler="app.handler",
                                              code_dir=HANDLERS)
        stream = await _invoke(first, "kept")
    async with Simulator(config) as second:
        answer = await second.logs.get_log_events(log_group_name=GROUP, log_stream_name=stream)
        assert "kept\n" in _messages(answer)


@pytest.mark.asyncio
async def test_wrong_requests_get_cloudwatch_logs_errors(sim: Simulator) -> None:
    stream = await _invoke(sim, "x")
    logs = sim.logs
    assert await _code(logs.describe_log_streams(log_group_name="/aws/lambda/none")) == (
        "ResourceNotFoundException", "The specified log group does not exist.")
    assert await _code(logs.get_log_events(log_group_name="/my/own", log_stream_name="s")) == (
        "ResourceNotFoundException", "The specified log group does not exist.")
    assert await _code(logs.get_log_events(log_group_name=GROUP, log_stream_name="nope")) == (
        "ResourceNotFoundException", "The specified log stream does not exist.")
    assert (await _code(logs.describe_log_streams(
        log_group_name=GROUP, order_by="LastEventTime", log_stream_name_prefix="2"))) == (
        "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
    for bad_token in ("f/12", "x/" + "0" * 56, "bm9wZQ=="):
        assert (await _code(logs.get_log_events(log_group_name=GROUP, log_stream_name=stream,
                                                next_token=bad_token)))[0] == \
            "InvalidParameterException"
    assert (await _code(logs.filter_log_events(log_group_name=GROUP, next_token="e30=")))[1] \
        == "The specified nextToken is invalid."
    assert (await _code(logs.describe_log_groups(limit=51)))[0] == "InvalidParameterException"
    assert (await _code(logs.filter_log_events(log_group_name=GROUP, log_stream_names=[stream],
                                               log_stream_name_prefix="2")))[0] == \
        "InvalidParameterException"
    assert (await _code(logs.filter_log_events(
        log_group_name=GROUP, log_group_identifier=GROUP)))[0] == "InvalidParameterException"
    assert (await _code(logs.filter_log_events()))[0] == "InvalidParameterException"
    assert (await _code(logs.describe_log_groups(include_linked_accounts=True)))[0] == \
        "NotImplemented"


@pytest.mark.asyncio
async def test_filter_log_events_picks_structured_events_by_their_fields(
    sim: Simulator,
) -> None:
    # As Powertools' Logger writes them: one JSON object a line.
    await _invoke(sim, '{"level": "INFO", "message": "resizing", "size": 10}',
                  '{"level": "ERROR", "message": "too big", "size": 9000}')
    await _invoke(sim, "plain text mentioning ERROR")
    found = await sim.logs.filter_log_events(log_group_name=GROUP,
                                             filter_pattern='{ $.level = "ERROR" }')
    assert [json.loads(m)["message"] for m in _messages(found)] == ["too big"]
    big = await sim.logs.filter_log_events(log_group_name=GROUP,
                                           filter_pattern="{ $.size > 100 || $.size < 0 }")
    assert len(big["events"]) == 1
