"""The Runtime API as a runtime client sees it: paths, headers, status codes, error bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from eventsim.runtime.process.api import MAX_RESPONSE_BYTES, RuntimeApiServer
from eventsim.runtime.process.environment import Environment, Job

pytestmark = pytest.mark.asyncio


class Owner:
    """Records what the environment reports."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def job_fetched(self, env: Environment, job: Job) -> None:
        self.events.append(("fetched", job.request.request_id))

    def job_answered(self, env: Environment, job: Job, status: str, body: bytes,
                     error: dict[str, Any] | None) -> None:
        self.events.append((status, error if error is not None else body))

    def init_failed(self, env: Environment, job: Job | None, error: dict[str, Any]) -> None:
        self.events.append(("init_failed", error))

    def exited(self, env: Environment, returncode: int) -> None:
        self.events.append(("exited", returncode))


@pytest_asyncio.fixture
async def api(make_function, make_request):
    server = RuntimeApiServer()
    owner = Owner()
    function = make_function("api-fn")
    env = Environment(owner, function, 1 << 20)
    address = await env.open(server)
    async with aiohttp.ClientSession(f"http://{address}") as session:
        yield session, env, owner, function, make_request
    await server.aclose()


BASE = "/2018-06-01/runtime"


async def until_polling(env: Environment, *, polling: bool = True, limit: float = 5.0) -> None:
    """Wait, a loop turn at a time, until a /next long poll is parked at the environment
    (or, with ``polling=False``, until none is)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while env.polling is not polling:
        assert loop.time() < deadline, f"the environment's polling never became {polling}"
        await asyncio.sleep(0)  # sleep-ok: one loop turn, for the request to arrive


async def test_next_blocks_until_an_invocation_is_assigned_and_sends_its_headers(api):
    session, env, owner, function, make_request = api
    request = make_request(function, {"a": 1}, client_context={"custom": {"k": "v"}})
    pending = asyncio.ensure_future(session.get(f"{BASE}/invocation/next"))
    await until_polling(env)
    assert not pending.done()  # a long poll: it reached the server, which holds it

    env.assign(Job(request, lambda result: None))
    response = await pending
    assert response.status == 200
    assert await response.json() == {"a": 1}
    headers = response.headers
    assert headers["Lambda-Runtime-Aws-Request-Id"] == request.request_id
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == function.arn
    assert headers["Lambda-Runtime-Trace-Id"] == request.trace_header
    assert headers["Lambda-Runtime-Client-Context"] == '{"custom":{"k":"v"}}'
    assert "Lambda-Runtime-Cognito-Identity" not in headers
    assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0
    assert owner.events == [("fetched", request.request_id)]


async def test_response_is_accepted_once_for_the_current_request_id(api):
    session, env, owner, function, make_request = api
    request = make_request(function, {})
    env.assign(Job(request, lambda result: None))

    early = await session.post(f"{BASE}/invocation/{request.request_id}/response", data=b"1")
    assert early.status == 403  # not fetched yet
    assert (await early.json())["errorType"] == "InvalidStateTransition"

    await (await session.get(f"{BASE}/invocation/next")).read()
    wrong = await session.post(f"{BASE}/invocation/not-the-id/response", data=b"1")
    assert wrong.status == 400
    assert await wrong.json() == {"errorMessage": "Invalid request ID",
                                  "errorType": "InvalidRequestID"}

    ok = await session.post(f"{BASE}/invocation/{request.request_id}/response", data=b'"done"')
    assert ok.status == 202
    assert await ok.json() == {"status": "OK"}
    assert owner.events[-1] == ("Success", b'"done"')

    again = await session.post(f"{BASE}/invocation/{request.request_id}/response", data=b"2")
    assert again.status == 403


async def test_error_posts_the_document_with_its_error_type_header(api):
    session, env, owner, function, make_request = api
    request = make_request(function, {})
    env.assign(Job(request, lambda result: None))
    await (await session.get(f"{BASE}/invocation/next")).read()

    response = await session.post(
        f"{BASE}/invocation/{request.request_id}/error", data=b"not json",
        headers={"Lambda-Runtime-Function-Error-Type": "Runtime.Crash"})
    assert response.status == 202
    assert owner.events[-1] == ("Error", {"errorMessage": "not json",
                                          "errorType": "Runtime.Crash"})


async def test_response_over_six_megabytes_is_refused_and_fails_the_invocation(api):
    session, env, owner, function, make_request = api
    request = make_request(function, {})
    env.assign(Job(request, lambda result: None))
    await (await session.get(f"{BASE}/invocation/next")).read()

    response = await session.post(f"{BASE}/invocation/{request.request_id}/response",
                                  data=b"x" * (MAX_RESPONSE_BYTES + 1))
    assert response.status == 413
    assert (await response.json())["errorType"] == "RequestEntityTooLarge"
    status, error = owner.events[-1]
    assert status == "Error"
    assert error["errorType"] == "Function.ResponseSizeTooLarge"


async def test_init_error_is_accepted_before_the_first_next_only(api):
    session, _env, owner, _function, _make_request = api
    response = await session.post(f"{BASE}/init/error", json={
        "errorMessage": "bad config", "errorType": "InitFailure", "stackTrace": []})
    assert response.status == 202
    assert owner.events == [("init_failed", {"errorMessage": "bad config",
                                             "errorType": "InitFailure", "stackTrace": []})]

    again = await session.post(f"{BASE}/init/error", json={})
    assert again.status == 403


async def test_a_next_given_up_by_the_client_can_be_asked_again(api):
    session, env, _owner, function, make_request = api
    with pytest.raises(asyncio.TimeoutError):
        await session.get(f"{BASE}/invocation/next", timeout=aiohttp.ClientTimeout(total=0.05))
    # The server notices the dropped connection and stops holding that poll.
    await until_polling(env, polling=False)
    pending = asyncio.ensure_future(session.get(f"{BASE}/invocation/next"))
    await until_polling(env)
    request = make_request(function, {"again": True})
    env.assign(Job(request, lambda result: None))
    response = await pending
    assert response.status == 200
    assert await response.json() == {"again": True}
