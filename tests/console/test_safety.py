"""Safety: foreign Host headers (DNS rebinding), cross-origin state changes, the access token."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import botocore.config
import pytest
from botocore.exceptions import ClientError

from eventsim.config import SimulatorConfig
from eventsim.console.safety import Safety
from eventsim.server import Server
from eventsim.testing import boto3_client

from .conftest import Console, chain

TOKEN = "s3cret-token"


def _port(console: Console) -> int:
    return console.server.port


@pytest.mark.asyncio
async def test_console_refuses_a_foreign_host_header(console: Console) -> None:
    async with console.session.get(console.base + "api/overview", headers={
            "Host": f"evil.example:{_port(console)}"}) as response:
        assert response.status == 403
        assert (await response.json())["error"] == "ForbiddenHost"


@pytest.mark.asyncio
async def test_gateway_refuses_a_foreign_host_header_as_aws_does(console: Console) -> None:
    async with console.session.get(console.server.url + "/", headers={
            "Host": f"rebind.attacker.example:{_port(console)}"}) as response:
        assert response.status == 403
        body = await response.text()
        assert "<Code>AccessDenied</Code>" in body and "DNS rebinding" in body


@pytest.mark.asyncio
async def test_host_with_the_wrong_port_is_refused(console: Console) -> None:
    async with console.session.get(console.base + "api/health", headers={
            "Host": f"127.0.0.1:{_port(console) + 1}"}) as response:
        assert response.status == 403


@pytest.mark.asyncio
async def test_gateway_answers_boto3_by_address_by_localhost_and_virtual_hosted_s3(
    console: Console,
) -> None:
    await console.sim.s3.create_bucket(bucket="photos")
    await console.sim.s3.put_object(bucket="photos", key="cat.jpg", body=b"meow")
    port = _port(console)

    def calls() -> None:
        for url in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
            s3 = boto3_client("s3", url)
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["photos"]
        sqs = boto3_client("sqs", f"http://localhost:{port}")
        sqs.create_queue(QueueName="q")

    await asyncio.to_thread(calls)
    # Virtual-hosted style names the bucket in the Host: bucket.localhost:PORT.
    async with console.session.get(f"http://127.0.0.1:{port}/cat.jpg", headers={
            "Host": f"photos.localhost:{port}"}) as response:
        assert response.status == 200
        assert await response.read() == b"meow"


@pytest.mark.asyncio
@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": "http://evil.example"}, id="foreign-origin"),
    pytest.param({"Origin": "null"}, id="null-origin"),
    pytest.param({"Referer": "http://evil.example/page.html"}, id="foreign-referer"),
    pytest.param({"Origin": "http://127.0.0.1:1"}, id="other-port"),
])
async def test_console_refuses_cross_origin_posts(console: Console,
                                                  headers: dict[str, str]) -> None:
    await console.sim.s3.create_bucket(bucket="photos")
    async with console.session.post(console.base + "api/inject/s3/put_object", headers=headers,
                                    json={"Bucket": "photos", "Key": "x", "Body": ""}
                                    ) as response:
        assert response.status == 403
        assert (await response.json())["error"] == "ForbiddenOrigin"
    listed = await console.sim.s3.list_objects_v2(bucket="photos")
    assert listed["KeyCount"] == 0  # nothing was written


@pytest.mark.asyncio
async def test_console_accepts_same_origin_posts_and_tools_without_origin(
    console: Console,
) -> None:
    answer = await console.post("api/settle", headers={"Origin": console.server.url})
    assert answer["settled"] is True
    answer = await console.post("api/settle", headers={
        "Referer": console.server.url + "/_eventsim/"})
    assert answer["settled"] is True
    assert (await console.post("api/settle"))["settled"] is True


@pytest.mark.asyncio
async def test_cross_origin_reads_get_no_cors_permission(console: Console) -> None:
    async with console.session.get(console.base + "api/overview",
                                   headers={"Origin": "http://evil.example"}) as response:
        assert response.status == 200
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(("host", "allowed"), [
    pytest.param("127.0.0.1:4566", True, id="ipv4"),
    pytest.param("[::1]:4566", True, id="ipv6"),
    pytest.param("localhost:4566", True, id="localhost"),
    pytest.param("LocalHost:4566", True, id="case"),
    pytest.param("photos.localhost:4566", True, id="virtual-hosted"),
    pytest.param("photos.s3.localhost.localstack.cloud:4566", True, id="localstack-name"),
    pytest.param("photos.s3.amazonaws.com:4566", True, id="aws-name"),
    pytest.param("devbox:4566", True, id="allowed-name"),
    pytest.param("evil.example:4566", False, id="foreign"),
    pytest.param("localhost.evil.example:4566", False, id="lookalike"),
    pytest.param("localhost:4567", False, id="port"),
    pytest.param("localhost", False, id="no-port-means-80"),
    pytest.param("", False, id="empty"),
    pytest.param("127.0.0.1:x", False, id="malformed"),
])
def test_host_rules(host: str, allowed: bool) -> None:
    safety = Safety.for_server("127.0.0.1", 4566, allowed_hosts=["devbox"])
    assert safety.host_allowed(host) is allowed


async def _token_server() -> Server:
    server = Server(SimulatorConfig(clock="virtual"), port=0, token=TOKEN)
    await server.start()
    return server


@pytest.mark.asyncio
async def test_token_is_required_on_the_console_when_set() -> None:
    server = await _token_server()
    try:
        async with aiohttp.ClientSession() as session:
            base = f"{server.url}/_eventsim/api/health"
            async with session.get(base) as response:
                assert response.status == 401
            async with session.get(base, headers={"Authorization": "Bearer wrong"}) as response:
                assert response.status == 401
            async with session.get(base, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
                assert r.status == 200
            async with session.get(base, headers={"X-Eventsim-Token": TOKEN}) as response:
                assert response.status == 200
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address host
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(f"{base}?token={TOKEN}") as response:
                assert response.status == 200
            async with session.get(base) as response:  # the cookie carries it now
                assert response.status == 200
    finally:
        await server.aclose()


def _client(service: str, url: str, key: str) -> Any:
    config = botocore.config.Config(retries={"max_attempts": 1},
                                    s3={"addressing_style": "path"})
    return boto3_client(service, url, aws_access_key_id=key, config=config)


@pytest.mark.asyncio
async def test_gateway_takes_the_token_as_access_key_id_and_handlers_get_it() -> None:
    server = await _token_server()
    try:
        def refused() -> str:
            with pytest.raises(ClientError) as exc:
                _client("s3", server.url, "test").list_buckets()
            return str(exc.value.response["Error"]["Code"])

        assert await asyncio.to_thread(refused) == "AccessDenied"
        s3 = _client("s3", server.url, TOKEN)
        await asyncio.to_thread(s3.list_buckets)
        async with aiohttp.ClientSession() as session:
            async with session.get(server.url + "/",
                                   headers={"X-Eventsim-Token": TOKEN}) as response:
                assert response.status == 200
        # A handler's own boto3 calls back (resize writes a thumbnail) pass with the token.
        # In processes, as eventsim serve runs them: inline handlers share this test
        # process's boto3 default session, whose credentials the first one fixed.
        async with aiohttp.ClientSession() as session:
            console = Console(server, session)
            await chain(console, runtime_kind="process")
            await server.sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"big")
            await server.sim.settle()
        [resized] = await server.sim.invocations.list(function="resize")
        assert resized.status == "Success", resized.error
        assert len(await server.sim.invocations.list(function="index")) == 1
    finally:
        await server.aclose()


@pytest.mark.parametrize(("headers", "query", "ok"), [
    pytest.param({"Authorization": f"AWS4-HMAC-SHA256 Credential={TOKEN}/20260101/us-east-1/"
                  "s3/aws4_request, SignedHeaders=host, Signature=x"}, "", True, id="sigv4"),
    pytest.param({"Authorization": f"AWS {TOKEN}:signature"}, "", True, id="sigv2"),
    pytest.param({}, f"X-Amz-Credential={TOKEN}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request",
                 True, id="presigned"),
    pytest.param({"X-Eventsim-Token": TOKEN}, "", True, id="header"),
    pytest.param({"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/"
                  "aws4_request"}, "", False, id="other-key"),
    pytest.param({}, "", False, id="none"),
])
def test_gateway_token_rules(headers: dict[str, str], query: str, ok: bool) -> None:
    safety = Safety.for_server("127.0.0.1", 4566, TOKEN)
    assert safety.gateway_token_ok(headers, query) is ok
    assert Safety.for_server("127.0.0.1", 4566).gateway_token_ok(headers, query) is True
