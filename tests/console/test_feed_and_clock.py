"""The live feed (server-sent events) and driving the virtual clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from eventsim.clock import VirtualClock
from eventsim.config import SimulatorConfig
from eventsim.console.clockcontrol import ClockControl
from eventsim.console.feed import FeedEvent, FeedFilter, Subscription
from eventsim.server import Server

from .conftest import FIXTURES, Console, chain

FAILING = FIXTURES / "functions" / "failing"
WAIT = 30.0
"""A bound on waiting for an event that must come (a hang fails the test, not a slow run)."""


class EventStream:
    """An open ``api/feed`` stream, read event by event."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def next(self) -> tuple[str, dict[str, Any]]:
        kind, data = "", ""
        while True:
            raw = await asyncio.wait_for(self.response.content.readline(), WAIT)
            if not raw:
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and kind:
                return kind, json.loads(data)


async def _open(console: Console, query: str = "") -> AsyncIterator[EventStream]:
    async with console.session.get(console.base + "api/feed" + query) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        # The server subscribes before it writes this comment: events from now on arrive.
        while (await response.content.readline()).strip() != b": connected":
            pass
        yield EventStream(response)


@pytest.mark.asyncio
async def test_feed_sends_invocations_and_handler_writes_as_they_are_recorded(
    console: Console,
) -> None:
    await chain(console)
    async for stream in _open(console):
        await console.sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"big")
        seen: list[tuple[str, str]] = []
        while len(seen) < 3:
            kind, data = await stream.next()
            seen.append((kind, data.get("function") or data["kind"]))
            if kind == "write":
                assert data["resource"] == "arn:aws:s3:::thumbnails/cat.jpg"
                assert data["service"] == "s3"
        assert sorted(seen) == [("invocation", "index"), ("invocation", "resize"),
                                ("write", "s3:PutObject")]


@pytest.mark.asyncio
async def test_feed_filters_by_function_and_status(console: Console) -> None:
    await chain(console)
    async for stream in _open(console, "?function=index&status=Error"):
        await console.sim.s3.put_object(bucket="uploads", key="fine.jpg", body=b"big")
        await console.sim.s3.put_object(bucket="uploads", key="bad.jpg", body=b"big")
        kind, data = await stream.next()
        assert (kind, data["function"], data["status"]) == ("invocation", "index", "Error")
        assert data["trigger"] == "s3:ObjectCreated:Put thumbnails/bad.jpg"


def test_feed_filter_by_service_matches_invocations_and_writes() -> None:
    wanted = FeedFilter(service="s3")
    assert wanted.wants(FeedEvent("invocation", "i1", {"service": "s3", "function": "f"}))
    assert not wanted.wants(FeedEvent("invocation", "i2", {"service": "sqs"}))
    assert wanted.wants(FeedEvent("write", "w1", {"service": "s3"}))
    assert not FeedFilter(function="f").wants(FeedEvent("write", "w1", {"service": "s3"}))


@pytest.mark.asyncio
async def test_a_subscriber_that_falls_behind_is_told_it_lagged() -> None:
    subscription = Subscription(FeedFilter())
    for n in range(subscription.queue.maxsize + 10):
        subscription.offer(FeedEvent("invocation", f"i{n}", {}))
    kinds = []
    while not subscription.queue.empty():
        event = subscription.queue.get_nowait()
        assert event is not None
        kinds.append(event.kind)
    assert kinds.count("lagged") == 1 and kinds[-1] == "lagged"
    assert len(kinds) == subscription.queue.maxsize


@pytest.mark.asyncio
async def test_feed_stream_ends_when_the_server_stops() -> None:
    async with aiohttp.ClientSession() as session:
        server = Server(SimulatorConfig(clock="virtual"), port=0)
        await server.start()
        try:
            console = Console(server, session)
            async for stream in _open(console):
                await server.aclose()
                with pytest.raises((EOFError, aiohttp.ClientPayloadError)):
                    await stream.next()
        finally:
            await server.aclose()


@pytest.mark.asyncio
async def test_clock_advance_fires_a_due_retry(console: Console) -> None:
    sim = console.sim
    await sim.functions.create_function(name="failing", handler="app.lambda_handler",
                                        code_dir=Path(FAILING), maximum_retry_attempts=1)
    start = (await console.get("api/clock"))["now_epoch"]
    async for stream in _open(console, "?function=failing"):
        await sim.functions.invoke("failing", {}, invocation_type="Event")
        kind, first = await stream.next()
        assert (kind, first["attempt"], first["status"]) == ("invocation", 1, "Error")
        state = await console.post("api/clock/advance", {"seconds": 60})
        assert state["now_epoch"] == pytest.approx(start + 60)
        kind, second = await stream.next()
        assert (second["attempt"], second["request_id"]) == (2, first["request_id"])


@pytest.mark.asyncio
async def test_clock_pause_and_resume_on_a_virtual_clock(console: Console) -> None:
    assert (await console.get("api/clock"))["paused"] is True
    assert (await console.post("api/clock/resume"))["paused"] is False
    assert (await console.post("api/clock/resume"))["paused"] is False
    assert (await console.post("api/clock/pause"))["paused"] is True
    assert (await console.get("api/overview"))["clock"]["paused"] is True


@pytest.mark.asyncio
async def test_resumed_virtual_clock_follows_real_time() -> None:
    clock = VirtualClock(start=1000.0)
    control = ClockControl(clock)
    control.resume()
    try:
        # A virtual timer fires only when the clock moves: the ticker must move it.
        await asyncio.wait_for(clock.sleep(0.05), WAIT)
    finally:
        await control.aclose()
    assert clock.time() >= 1000.05
    stopped = clock.time()
    await asyncio.sleep(0)  # sleep-ok: one loop turn, in which a running ticker would move it
    assert clock.time() == stopped


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [
    pytest.param({}, id="missing"), pytest.param({"seconds": -1}, id="negative"),
    pytest.param({"seconds": "soon"}, id="not-a-number"),
    pytest.param({"seconds": 1, "extra": 2}, id="unknown-field"),
])
async def test_clock_advance_refuses_bad_bodies(console: Console, body: dict[str, Any]) -> None:
    answer = await console.post("api/clock/advance", body, status=400)
    assert answer["error"] == "BadRequest"


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ["advance", "pause", "resume"])
async def test_clock_control_on_the_real_clock_is_a_conflict(action: str) -> None:
    async with Server(SimulatorConfig(), port=0) as server, aiohttp.ClientSession() as session:
        console = Console(server, session)
        answer = await console.post(f"api/clock/{action}", {"seconds": 1}, status=409)
        assert "real clock" in answer["message"]
        assert (await console.get("api/clock"))["mode"] == "real"
