"""A simulator with a virtual clock, and a helper to make tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from eventsim import Simulator, SimulatorConfig


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


async def make_table(
    sim: Simulator, name: str = "things", *, range_type: str | None = "N",
    stream: str | None = None, **extra: Any,
) -> dict[str, Any]:
    """A pay-per-request table keyed by pk (S) and, unless range_type is None, sk."""
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_type is not None:
        definitions.append({"AttributeName": "sk", "AttributeType": range_type})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    definitions += extra.pop("more_definitions", [])
    spec = {"StreamEnabled": True, "StreamViewType": stream} if stream else None
    result: dict[str, Any] = await sim.dynamodb.create_table(
        table_name=name, attribute_definitions=definitions, key_schema=schema,
        billing_mode="PAY_PER_REQUEST", stream_specification=spec, **extra,
    )
    return result
