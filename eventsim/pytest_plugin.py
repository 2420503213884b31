"""pytest plugin (entry point ``pytest11``): fixtures only; the logic is in `eventsim.testing`.

Fixtures:

- ``eventsim``: a started simulator for one test, in-memory, with its gateway on a free port,
  run in a background thread so plain ``def test_...`` code can use boto3 against it.
- ``eventsim_boto3``: ``eventsim_boto3("s3")`` gives a boto3 client pointed at ``eventsim``.
- ``eventsim_s3``, ``eventsim_sns``, ``eventsim_sqs``, ``eventsim_dynamodb``,
  ``eventsim_dynamodbstreams``, ``eventsim_kinesis``, ``eventsim_lambda``: that client for each
  service, ready made.
- ``eventsim_factory``: builds more simulators (own config) and closes them after the test.
- ``lambda_context``: a Lambda context object for calling a handler directly.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from eventsim.config import SimulatorConfig
from eventsim.testing import ThreadedSimulator

__all__ = [
    "eventsim",
    "eventsim_boto3",
    "eventsim_dynamodb",
    "eventsim_dynamodbstreams",
    "eventsim_factory",
    "eventsim_kinesis",
    "eventsim_lambda",
    "eventsim_s3",
    "eventsim_sns",
    "eventsim_sqs",
    "lambda_context",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eventsim")
    group.addoption(
        "--eventsim-clock", choices=("real", "virtual"), default=None,
        help="clock for the eventsim fixture (default: real, or the eventsim_clock ini value)",
    )
    parser.addini(
        "eventsim_clock", "clock for the eventsim fixture: real or virtual", default="real"
    )


def _clock(config: pytest.Config) -> str:
    return str(config.getoption("--eventsim-clock") or config.getini("eventsim_clock"))


@pytest.fixture
def eventsim_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., ThreadedSimulator]]:
    """Make simulators with their own settings; each is stopped after the test."""
    made: list[ThreadedSimulator] = []

    def make(**settings: Any) -> ThreadedSimulator:
        settings.setdefault("clock", _clock(request.config))
        sim = ThreadedSimulator(SimulatorConfig(**settings))
        sim.start()
        made.append(sim)
        return sim

    yield make
    while made:
        made.pop().stop()


@pytest.fixture
def eventsim(eventsim_factory: Callable[..., ThreadedSimulator]) -> ThreadedSimulator:
    """A fresh in-memory simulator with its gateway, for one test."""
    return eventsim_factory()


@pytest.fixture
def eventsim_boto3(eventsim: ThreadedSimulator) -> Callable[..., Any]:
    """``eventsim_boto3("s3")``: a boto3 client pointed at the ``eventsim`` simulator."""
    return eventsim.client


def _client_fixture(service: str) -> Any:
    """The ``eventsim_<service>`` fixture: a boto3 client for `service` pointed at
    ``eventsim`` (S3 with path-style addressing)."""

    def client(eventsim: ThreadedSimulator) -> Any:
        return eventsim.client(service)

    client.__doc__ = f"A boto3 {service} client pointed at the ``eventsim`` simulator."
    return pytest.fixture(client, name=f"eventsim_{service}")


eventsim_s3 = _client_fixture("s3")
eventsim_sns = _client_fixture("sns")
eventsim_sqs = _client_fixture("sqs")
eventsim_dynamodb = _client_fixture("dynamodb")
eventsim_dynamodbstreams = _client_fixture("dynamodbstreams")
eventsim_kinesis = _client_fixture("kinesis")
eventsim_lambda = _client_fixture("lambda")


@pytest.fixture
def lambda_context() -> Any:
    """A Lambda context object with Powertools' documented test values."""
    from eventsim.runtime.context import LambdaContext

    return LambdaContext(
        function_name="test",
        memory_limit_in_mb=128,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:test",
        aws_request_id=str(uuid.uuid4()),
        deadline_ms=int(time.time() * 1000) + 300_000,
    )
