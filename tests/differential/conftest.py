"""Fixtures for the differential tests: the same boto3 calls against moto and eventsim."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventsim.testing import ThreadedSimulator

# The suite imports test modules by path (--import-mode=importlib), so the shared comparison
# helpers next to this file are put on the path for the test modules here.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module")
def eventsim_server() -> Iterator[ThreadedSimulator]:
    """eventsim's gateway on a background thread, shared by a test module."""
    with ThreadedSimulator() as sim:
        yield sim


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto's server on 127.0.0.1 and a free port, shared by a test module; its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clients(eventsim_server: ThreadedSimulator, moto_server: str) -> Any:
    """``clients(service)`` -> (moto client, eventsim client)."""
    from eventsim.testing import boto3_client

    def make(service: str) -> tuple[Any, Any]:
        return boto3_client(service, moto_server), eventsim_server.client(service)

    return make
