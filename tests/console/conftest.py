"""A served simulator and an HTTP client for the console's API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio

from eventsim.config import SimulatorConfig
from eventsim.server import Server
from eventsim.services.lambda_.models import RuntimeKind

FIXTURES = Path(__file__).parent.parent.parent / "fixtures"
CHAIN = FIXTURES / "functions" / "chain"
ECHO = FIXTURES / "functions" / "echo"


class Console:
    """Requests to one server's console API, answers decoded as JSON."""

    def __init__(self, server: Server, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.sim = server.sim
        self.session = session
        self.base = f"{server.url}/_eventsim/"

    async def get(self, path: str, status: int = 200, **kwargs: Any) -> Any:
        async with self.session.get(self.base + path, **kwargs) as response:
            body = await response.json()
            assert response.status == status, body
            return body

    async def post(self, path: str, json: Any = None, status: int = 200, **kwargs: Any) -> Any:
        async with self.session.post(self.base + path, json=json, **kwargs) as response:
            body = await response.json()
            assert response.status == status, body
            return body

    async def pages(self, path: str, limit: int) -> list[Any]:
        """Every item of a list endpoint, following `next`."""
        items: list[Any] = []
        sep = "&" if "?" in path else "?"
        cursor = None
        while True:
            url = f"{path}{sep}limit={limit}" + (f"&next={cursor}" if cursor else "")
            answer = await self.get(url)
            assert len(answer["items"]) <= limit
            items.extend(answer["items"])
            cursor = answer["next"]
            if cursor is None:
                return items


@pytest_asyncio.fixture
async def console() -> AsyncIterator[Console]:
    async with Server(SimulatorConfig(clock="virtual"), port=0) as server, \
            aiohttp.ClientSession() as session:
        yield Console(server, session)


async def chain(console: Console, runtime_kind: RuntimeKind | None = None) -> None:
    """uploads -> resize (writes into thumbnails) -> index (fails on keys starting "bad")."""
    sim = console.sim
    for bucket in ("uploads", "thumbnails"):
        await sim.s3.create_bucket(bucket=bucket)
    await sim.functions.create_function(name="resize", handler="app.resize", code_dir=CHAIN,
                                        runtime_kind=runtime_kind)
    await sim.functions.create_function(name="index", handler="app.index", code_dir=CHAIN,
                                        maximum_retry_attempts=0, runtime_kind=runtime_kind)
    for bucket, fn in (("uploads", "resize"), ("thumbnails", "index")):
        await sim.s3.put_bucket_notification_configuration(
            bucket=bucket,
            notification_configuration={"LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": sim.functions.arn(fn), "Events": ["s3:ObjectCreated:*"],
            }]},
        )
