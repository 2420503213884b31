"""pytest plugin (entry point ``pytest11``): fixtures and markers only; the logic is in
`eventsim.testing`.

Fixtures:

- ``eventsim``: a started simulator for one test, in-memory, with its gateway on a free port,
  run in a background thread so plain ``def test_...`` code can use boto3 against it; its
  helpers define functions, settle and assert (see `eventsim.testing.ThreadedSimulator`).
- ``eventsim_async``: the same simulator for ``async def`` tests, every method awaitable.
- ``eventsim_clock``: the ``eventsim`` simulator's virtual clock (asking for it makes the
  clock virtual): ``advance(seconds)``, ``advance_to_next()``, ``pending()``.
- ``eventsim_session``: one simulator for the whole session; ``eventsim_shared``: that one,
  for a test, with the ``assert_*`` helpers counting only the test's own invocations.
- ``eventsim_boto3``: ``eventsim_boto3("s3")`` gives a boto3 client pointed at ``eventsim``.
- ``eventsim_s3``, ``eventsim_sns``, ``eventsim_sqs``, ``eventsim_dynamodb``,
  ``eventsim_dynamodbstreams``, ``eventsim_kinesis``, ``eventsim_lambda``: that client for each
  service, ready made.
- ``eventsim_factory``: builds more simulators (own config) and closes them after the test.
- ``lambda_context``: a Lambda context object for calling a handler directly;
  ``lambda_context_factory`` makes one with chosen fields.

Markers: ``@pytest.mark.eventsim(clock="virtual", region=...)`` configures the ``eventsim``
fixture (`SimulatorConfig` fields); ``@pytest.mark.eventsim_scenario("x.yaml", steps=False)``
loads a scenario file's resources and functions (and runs its steps) into it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from eventsim.config import SimulatorConfig
from eventsim.errors import ConfigError
from eventsim.testing import AsyncSimulator, ClockControl, ThreadedSimulator
from eventsim.testing.clock import run_until_idle

__all__ = [
    "eventsim",
    "eventsim_async",
    "eventsim_boto3",
    "eventsim_clock",
    "eventsim_dynamodb",
    "eventsim_dynamodbstreams",
    "eventsim_factory",
    "eventsim_kinesis",
    "eventsim_lambda",
    "eventsim_s3",
    "eventsim_session",
    "eventsim_shared",
    "eventsim_sns",
    "eventsim_sqs",
    "lambda_context",
    "lambda_context_factory",
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "eventsim(**settings): SimulatorConfig settings for the eventsim fixture, "
        "e.g. clock='virtual', region='eu-west-1'")
    config.addinivalue_line(
        "markers", "eventsim_scenario(path, steps=False): load a scenario file's resources and "
        "functions into the eventsim fixture (and run its steps, then settle, with steps=True)")


def _clock(config: pytest.Config) -> str:
    return str(config.getoption("--eventsim-clock") or config.getini("eventsim_clock"))


def _make(settings: dict[str, Any]) -> ThreadedSimulator:
    try:
        config = SimulatorConfig(**settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        pytest.fail(f"eventsim: bad simulator settings {settings!r}: {problems}", pytrace=False)
    sim = ThreadedSimulator(config)
    sim.start()
    return sim


@pytest.fixture
def eventsim_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., ThreadedSimulator]]:
    """Make simulators with their own settings; each is stopped after the test."""
    made: list[ThreadedSimulator] = []

    def make(**settings: Any) -> ThreadedSimulator:
        settings.setdefault("clock", _clock(request.config))
        sim = _make(settings)
        made.append(sim)
        return sim

    yield make
    while made:
        made.pop().stop()


def _scenario_path(request: pytest.FixtureRequest, marker: pytest.Mark) -> Path:
    if len(marker.args) != 1 or not isinstance(marker.args[0], str | Path):
        pytest.fail("eventsim_scenario takes one path: @pytest.mark.eventsim_scenario("
                    "'scenarios/x.yaml')", pytrace=False)
    path = Path(marker.args[0])
    if path.is_absolute():
        return path
    for base in (request.path.parent, request.config.rootpath):
        if (base / path).is_file():
            return base / path
    pytest.fail(f"eventsim_scenario: no file {str(path)!r} beside {request.path.name} or in "
                f"{request.config.rootpath}", pytrace=False)


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``eventsim`` fixture's settings: the ``eventsim`` marker's, a virtual clock when
    the test asks for ``eventsim_clock``, else the scenario's clock, else the option's."""
    marker = request.node.get_closest_marker("eventsim")
    settings = dict(marker.kwargs) if marker is not None else {}
    if "eventsim_clock" in request.fixturenames:
        if settings.get("clock", "virtual") != "virtual":
            pytest.fail("eventsim_clock needs a virtual clock, but the eventsim marker asks "
                        f"for clock={settings['clock']!r}", pytrace=False)
        settings["clock"] = "virtual"
    return settings


@pytest.fixture
def eventsim(request: pytest.FixtureRequest) -> Iterator[ThreadedSimulator]:
    """A fresh in-memory simulator with its gateway, for one test."""
    settings = _settings(request)
    marker = request.node.get_closest_marker("eventsim_scenario")
    scenario = None
    if marker is not None:
        from eventsim.scenario import load_scenario

        try:
            scenario = load_scenario(_scenario_path(request, marker))
        except ConfigError as exc:
            pytest.fail(f"eventsim_scenario: {exc}", pytrace=False)
        settings.setdefault("clock", scenario.clock)
    settings.setdefault("clock", _clock(request.config))
    sim = _make(settings)
    try:
        if scenario is not None and marker is not None:
            steps = bool(marker.kwargs.get("steps", False))
            try:
                sim.run(_load(sim, scenario, steps))
            except ConfigError as exc:
                pytest.fail(f"eventsim_scenario: {exc}", pytrace=False)
        yield sim
    finally:
        sim.stop()


async def _load(sim: ThreadedSimulator, scenario: Any, steps: bool) -> None:
    from eventsim.testing.scenarios import load_into

    sim.scenario = await load_into(sim.sim, scenario, steps=steps)


@pytest.fixture
def eventsim_async(eventsim: ThreadedSimulator) -> AsyncSimulator:
    """The ``eventsim`` simulator for ``async def`` tests: ``await eventsim_async.settle()``."""
    return eventsim.aio


@pytest.fixture
def eventsim_clock(eventsim: ThreadedSimulator) -> ClockControl:
    """The ``eventsim`` simulator's virtual clock (asking for this fixture makes it virtual)."""
    return eventsim.virtual_clock


@pytest.fixture(scope="session")
def eventsim_session(pytestconfig: pytest.Config) -> Iterator[ThreadedSimulator]:
    """One simulator for the whole session. Tests sharing it should use names of their own
    (``eventsim_session.unique("orders")``) or call ``eventsim_session.reset()``."""
    sim = _make({"clock": _clock(pytestconfig)})
    yield sim
    sim.stop()


@pytest.fixture
def eventsim_shared(eventsim_session: ThreadedSimulator) -> Iterator[ThreadedSimulator]:
    """The session's simulator for one test: its ``assert_*`` helpers count only invocations
    made from now on, and what the test set running is finished before the next test."""
    eventsim_session.begin_test()
    yield eventsim_session
    eventsim_session.run(run_until_idle(eventsim_session.sim))


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
def lambda_context_factory() -> Callable[..., Any]:
    """``lambda_context_factory(function_name="resize", timeout=10)``: a Lambda context
    object (eventsim's own, as handlers receive it) with those fields."""
    from eventsim.runtime.context import LambdaContext

    def make(*, function_name: str = "test", timeout: float = 300, **fields: Any) -> Any:
        fields.setdefault("invoked_function_arn",
                          f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}")
        fields.setdefault("aws_request_id", str(uuid.uuid4()))
        fields.setdefault("memory_limit_in_mb", 128)
        return LambdaContext(function_name=function_name,
                             deadline_ms=int((time.time() + timeout) * 1000), **fields)

    return make


@pytest.fixture
def lambda_context(lambda_context_factory: Callable[..., Any]) -> Any:
    """A Lambda context object with Powertools' documented test values."""
    return lambda_context_factory()
