from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from eventsim import Simulator, SimulatorConfig

HANDLERS = Path(__file__).parent / "handlers"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator
