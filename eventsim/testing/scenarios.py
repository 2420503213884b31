"""Loading a scenario file into a test's simulator, through the scenario package's own loader,
resource builder, step runner and expectation checks (nothing here re-reads YAML)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from eventsim.scenario import Scenario, apply_resources, load_scenario
from eventsim.scenario.expectations import ExpectationResult, check_expectation
from eventsim.scenario.steps import run_step
from eventsim.simulator import Simulator

__all__ = ["check_scenario", "load_into"]


async def load_into(sim: Simulator, scenario: str | Path | Scenario, *, steps: bool = False
                    ) -> Scenario:
    """Create the scenario's resources and functions in `sim` (and run its steps, settling
    after them, when `steps`). A bad file raises `ConfigError` naming file and line; a failed
    step raises AssertionError naming the step."""
    if not isinstance(scenario, Scenario):
        scenario = await asyncio.to_thread(load_scenario, scenario)
    await apply_resources(sim, scenario)
    if steps:
        for index, step in enumerate(scenario.steps):
            result = await run_step(sim, scenario, index, step)
            if not result.ok:
                raise AssertionError(
                    f"scenario {scenario.name}: step {index + 1} ({result.description}) failed "
                    f"at {result.where}: {result.error}")
        await sim.settle()
    return scenario


async def check_scenario(sim: Simulator, scenario: Scenario, *, since: int = 0
                         ) -> list[ExpectationResult]:
    """Check the scenario's ``expect:`` list against invocations recorded after `since`;
    raises AssertionError listing every expectation when one fails."""
    records = await sim.invocations.list(after_seq=since)
    results = [
        await check_expectation(sim, exp, records, scenario.where("expect", index, exp.KIND))
        for index, exp in enumerate(scenario.expect)
    ]
    if not all(r.ok for r in results):
        failed = sum(not r.ok for r in results)
        raise AssertionError(
            f"scenario {scenario.name}: {failed} of {len(results)} expectations failed\n"
            + "\n".join("  " + r.render() for r in results))
    return results
