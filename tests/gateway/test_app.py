"""The gateway application and the server around it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

import aiohttp
import pytest
import pytest_asyncio
import yarl
from aiohttp.test_utils import TestClient, TestServer

from eventsim.config import SimulatorConfig
from eventsim.errors import SimulatorStateError
from eventsim.gateway import make_gateway_app
from eventsim.server import Server
from eventsim.simulator import Simulator
from eventsim.tracing import TraceHeader, current_trace

S3_AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
           "SignedHeaders=host, Signature=abc")


class FakeS3:
    """An S3 service whose methods say what they saw, or fail."""

    def __init__(self) -> None:
        self.traces: list[TraceHeader | None] = []

    async def head_bucket(self, *, bucket: str) -> dict[str, Any]:
        self.traces.append(current_trace.get())
        return {"BucketRegion": "us-east-1"}

    async def delete_bucket(self, *, bucket: str) -> dict[str, Any]:
        raise RuntimeError("boom")


class FakeSim:
    def __init__(self) -> None:
        self.s3 = FakeS3()

    def service(self, name: str) -> Any:
        if name == "s3":
            return self.s3
        raise LookupError(name)


@pytest_asyncio.fixture
async def fake_sim() -> FakeSim:
    return FakeSim()


@pytest_asyncio.fixture
async def client(fake_sim: FakeSim) -> AsyncIterator[TestClient[Any, Any]]:
    app = make_gateway_app(cast(Simulator, fake_sim))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.mark.asyncio
async def test_gateway_sets_trace_context_for_the_call(client: TestClient[Any, Any],
                                                       fake_sim: FakeSim) -> None:
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Lineage=1:ab:3"
    response = await client.head("/uploads", headers={"X-Amzn-Trace-Id": header})
    assert response.status == 200
    response = await client.head("/uploads")
    assert response.status == 200
    assert fake_sim.s3.traces == [TraceHeader.parse(header), None]
    assert current_trace.get() is None


@pytest.mark.asyncio
async def test_gateway_internal_error_is_500_and_logged(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="eventsim.gateway.errors"):
        response = await client.delete("/uploads")
    body = await response.text()
    assert response.status == 500
    assert "<Code>InternalError</Code>" in body
    assert response.headers["x-amz-request-id"] in body
    [record] = caplog.records
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])


@pytest.mark.asyncio
async def test_gateway_missing_service_is_not_implemented(client: TestClient[Any, Any]) -> None:
    # The fake simulator has no Lambda; botocore signs Lambda calls for "lambda".
    response = await client.get("/2015-03-31/functions/",
                                headers={"Authorization": S3_AUTH.replace("/s3/", "/lambda/")})
    assert response.status == 501
    # rest-json (Lambda) carries the code in a header and the reason in the body.
    assert response.headers["x-amzn-ErrorType"] == "NotImplemented"
    assert "does not implement the lambda service" in await response.text()


@pytest.mark.asyncio
async def test_gateway_unmatched_request_is_not_implemented(
    client: TestClient[Any, Any],
) -> None:
    response = await client.request("PATCH", "/uploads/key", headers={"Authorization": S3_AUTH})
    assert response.status == 501
    assert "<Code>NotImplemented</Code>" in await response.text()


@pytest.mark.asyncio
async def test_server_lifecycle() -> None:
    server = Server(SimulatorConfig(), port=0)
    async with server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.port != 0
        assert server.sim.endpoint_url == server.url
        with pytest.raises(SimulatorStateError):
            await server.start()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server.url}/_eventsim/api/health") as response:
                assert response.status == 200
            async with session.get(f"{server.url}/") as response:
                assert response.status == 200
                assert "<ListAllMyBucketsResult" in await response.text()
    await server.aclose()


@pytest.mark.asyncio
async def test_server_port_in_use_fails_cleanly() -> None:
    async with Server(port=0) as first:
        second = Server(port=first.port)
        with pytest.raises(OSError):
            await second.start()
        await second.aclose()


async def _exchange(port: int, head: bytes, body: bytes = b"") -> tuple[bytes, bytes]:
    """Send a request head; read what comes back before the body is sent (the interim
    response, if any), then send the body and read the final response's status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        await writer.drain()
        interim = await reader.readline()
        if interim.startswith(b"HTTP/1.1 100"):
            await reader.readline()  # the blank line after it
            writer.write(body)
            await writer.drain()
            final = await reader.readline()
        else:
            final, interim = interim, b""
        return interim, final
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.asyncio
async def test_server_tells_an_upload_to_continue_before_its_body_and_stores_it() -> None:
    async with Server(SimulatorConfig(), port=0) as server:
        await server.sim.s3.create_bucket(bucket="uploads")
        body = b"hello"
        head = (f"PUT /uploads/greeting HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Authorization: {S3_AUTH}\r\nExpect: 100-continue\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        interim, final = await _exchange(server.port, head, body)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        assert final.startswith(b"HTTP/1.1 200")
        stored = await server.sim.s3.get_object(bucket="uploads", key="greeting")
        assert stored["Body"] == body


@pytest.mark.asyncio
async def test_server_refuses_an_expectation_it_does_not_know_with_417() -> None:
    async with Server(SimulatorConfig(), port=0) as server:
        head = (f"PUT /uploads/greeting HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                "Expect: something-else\r\nContent-Length: 0\r\n\r\n").encode()
        interim, final = await _exchange(server.port, head)
        assert interim == b""
        assert final.startswith(b"HTTP/1.1 417")


@pytest.mark.asyncio
async def test_server_leaves_console_paths_percent_encoded_or_not_to_the_console() -> None:
    async with Server(SimulatorConfig(), port=0) as server, aiohttp.ClientSession() as session:
        for path in ("/_eventsim/api/health", "/%5Feventsim/api/health"):
            url = yarl.URL(f"{server.url}{path}", encoded=True)
            async with session.get(url) as response:
                assert response.status == 200, path
                assert (await response.json())["status"] == "ok"
        async with session.get(f"{server.url}/_eventsim/api/no-such-thing") as response:
            assert response.status == 404
            assert response.content_type == "application/json"
