"""The process runtime inside the simulator: chosen per function, always for Node.js and
``provided``; records carry Lambda's START/END/REPORT lines with the environment's figures."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.errors import TooManyRequestsException
from eventsim.runtime.process import ProcessRuntime

pytestmark = pytest.mark.asyncio

HANDLERS = Path(__file__).parent / "handlers"


async def test_python_function_of_kind_process_reports_init_on_its_cold_start_only():
    async with Simulator(SimulatorConfig()) as sim:
        assert isinstance(sim.runtimes["process"], ProcessRuntime)
        config = await sim.functions.create_function(
            name="proc-py", handler="app.echo", code_dir=HANDLERS / "py",
            runtime_kind="process")
        assert config.runtime_kind == "process"
        cold = await sim.functions.invoke("proc-py", {"n": 1})
        warm = await sim.functions.invoke("proc-py", {"n": 2})

    assert cold is not None and warm is not None
    assert cold.status == "Success" and warm.status == "Success"
    assert json.loads(cold.result or "")["pid"] == json.loads(warm.result or "")["pid"]
    assert cold.logs.startswith(f"START RequestId: {cold.request_id} Version: $LATEST\n"
                                "echo called 1\n")
    assert f"END RequestId: {cold.request_id}\n" in cold.logs
    report = re.search(r"^REPORT RequestId: (\S+)\tDuration: [\d.]+ ms\tBilled Duration: \d+ "
                       r"ms\tMemory Size: 128 MB\tMax Memory Used: (\d+) MB(.*)$",
                       cold.logs, re.M)
    assert report is not None and report.group(1) == cold.request_id
    assert int(report.group(2)) < 128  # the environment's own peak, not the simulator's
    assert re.fullmatch(r"\tInit Duration: [\d.]+ ms", report.group(3))
    assert cold.init_duration_ms is not None
    assert "Init Duration" not in warm.logs and warm.init_duration_ms is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_nodejs_functions_always_run_in_processes():
    async with Simulator(SimulatorConfig()) as sim:
        config = await sim.functions.create_function(
            name="proc-node", handler="index.asyncHandler", code_dir=HANDLERS / "node",
            runtime="nodejs20.x", runtime_kind="inline")
        assert config.runtime_kind == "process"
        record = await sim.functions.invoke("proc-node", {"value": 4})
        failed = await sim.functions.invoke("proc-node", {"fail": True})

    assert record is not None and record.status == "Success"
    assert json.loads(record.result or "") == {"async": True, "value": 8}
    assert failed is not None and failed.status == "Error"
    assert failed.error is not None and failed.error["errorType"] == "ValidationError"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_provided_function_takes_any_handler_name():
    async with Simulator(SimulatorConfig()) as sim:
        config = await sim.functions.create_function(
            name="proc-bash", handler="function.handler", code_dir=HANDLERS / "bash",
            runtime="provided.al2023")
        assert config.runtime_kind == "process"
        record = await sim.functions.invoke("proc-bash", {"x": 1})
    assert record is not None and json.loads(record.result or "") == {"echo": {"x": 1}}


async def test_synchronous_invocations_past_reserved_concurrency_are_throttled():
    async with Simulator(SimulatorConfig()) as sim:
        await sim.functions.create_function(
            name="proc-reserved", handler="app.sleep", code_dir=HANDLERS / "py",
            runtime_kind="process", reserved_concurrency=1, timeout=5)
        first = asyncio.ensure_future(sim.functions.invoke("proc-reserved", {"seconds": 0.5}))
        for _ in range(10_000):  # until the first holds the one slot (its handler sleeps 0.5 s)
            await asyncio.sleep(0)  # sleep-ok: a turn of the loop, not a wait for time
            if sim.runtimes["process"].environments(
                    await sim.functions.get_function("proc-reserved")):
                break
        with pytest.raises(TooManyRequestsException) as refused:
            await sim.functions.invoke("proc-reserved", {"seconds": 0})
        assert refused.value.message == "Rate Exceeded."
        assert refused.value.fields["Reason"] == (
            "ReservedFunctionConcurrentInvocationLimitExceeded")
        record = await first
        assert record is not None and record.status == "Success"
        after = await sim.functions.invoke("proc-reserved", {"seconds": 0})
        assert after is not None and after.status == "Success"  # capacity is back


async def test_reserved_concurrency_zero_throttles_every_synchronous_call():
    async with Simulator(SimulatorConfig()) as sim:
        await sim.functions.create_function(
            name="proc-off", handler="app.echo", code_dir=HANDLERS / "py",
            reserved_concurrency=0)
        with pytest.raises(TooManyRequestsException):
            await sim.functions.invoke("proc-off", {})


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_asynchronous_failures_of_a_node_function_are_retried_like_any_other():
    # The async queue drives process environments as it drives inline ones: the event fails,
    # AWS's two retries follow (a virtual clock runs the back-off at once), all recorded.
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await sim.functions.create_function(
            name="proc-async", handler="index.asyncHandler", code_dir=HANDLERS / "node",
            runtime="nodejs20.x")
        await sim.functions.invoke("proc-async", {"fail": True}, invocation_type="Event")
        await sim.settle()
        records = await sim.invocations.list(function="proc-async")

    assert [r.attempt for r in records] == [1, 2, 3]
    assert {r.status for r in records} == {"Error"}
    assert all(r.error and r.error["errorType"] == "ValidationError" for r in records)
    assert len({r.request_id for r in records}) == 1
