"""Running a scenario: build its resources, run its steps, settle, check its expectations.

    report = await run_scenario("scenarios/thumbnail.yaml")
    print(report.render())

The run gets its own in-memory simulator behind a gateway on a free port, so handlers' boto3
calls (``AWS_ENDPOINT_URL``) reach it. Steps call the same service methods boto3 reaches
through the gateway. `apply_resources` is the resource half alone, which ``eventsim serve
--load`` reuses.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from eventsim.config import SimulatorConfig
from eventsim.errors import ConfigError, EventsimError
from eventsim.scenario.expectations import check_expectation
from eventsim.scenario.loader import load_scenario
from eventsim.scenario.model import Scenario
from eventsim.scenario.report import InvocationSummary, ScenarioReport
from eventsim.scenario.resources import apply_resources
from eventsim.scenario.steps import run_step
from eventsim.server import Server

__all__ = ["apply_resources", "run_scenario"]


async def run_scenario(
    scenario: str | Path | Scenario,
    *,
    clock: str | None = None,
    config: SimulatorConfig | None = None,
) -> ScenarioReport:
    """Run a scenario (a file or a loaded `Scenario`) in a fresh simulator and report.

    `clock` (``real`` or ``virtual``) overrides the file's ``clock``. `config` is the base
    simulator configuration (default: in-memory, inline handlers); a file's
    ``${sim:region}`` and ``${sim:account}`` are its region and account. Raises `ConfigError` for a
    bad file; a failing step or expectation is in the report, not raised.
    """
    base = config or SimulatorConfig()
    if not isinstance(scenario, Scenario):
        sim_values = {"region": base.region, "account": base.account_id}
        scenario = await asyncio.to_thread(load_scenario, scenario, sim=sim_values)
    kind = clock or scenario.clock
    if kind not in ("real", "virtual"):
        raise ConfigError(f"clock must be real or virtual, not {kind!r}")
    report = ScenarioReport(name=scenario.name, source=scenario.source, clock=kind)
    started = time.perf_counter()
    async with Server(base.model_copy(update={"clock": kind}), port=0) as server:
        sim = server.sim
        await apply_resources(sim, scenario)
        for index, step in enumerate(scenario.steps):
            result = await run_step(sim, scenario, index, step)
            report.steps.append(result)
            if not result.ok:
                break
        try:
            await sim.settle()
        except EventsimError as exc:
            report.error = str(exc)
        records = await sim.invocations.list()
        report.invocations = [InvocationSummary.from_record(r) for r in records]
        for index, expectation in enumerate(scenario.expect):
            where = scenario.where("expect", index, expectation.KIND)
            report.expectations.append(await check_expectation(sim, expectation, records, where))
    report.duration_s = time.perf_counter() - started
    return report
