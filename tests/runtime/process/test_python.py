"""Python handlers in process environments: results, errors, logs, warm and cold starts,
timeouts, the memory cap, concurrency and idle reaping."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from eventsim.runtime.process import ProcessRuntime

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_handler_result_context_and_environment_are_lambdas(runtime, make_function,
                                                                  make_request):
    function = make_function("py-echo", env={"CUSTOM": "yes"})
    request = make_request(function, {"key": "cat.jpg"})
    result = await runtime.invoke(request)

    assert result.status == "Success", result.error
    body = json.loads(result.payload)
    assert body["event"] == {"key": "cat.jpg"}
    assert body["request_id"] == request.request_id
    assert body["function_name"] == "py-echo"
    assert body["memory"] == "128"
    assert body["arn"] == function.arn
    assert 0 < body["remaining"] <= 3000
    assert body["trace"] == request.trace_header
    # host:port with no path, as AWS sets it.
    assert re.fullmatch(r"127\.0\.0\.1:\d+", body["runtime_api"])
    assert body["task_root"] == function.code_dir
    assert body["handler"] == "app.echo"
    assert body["endpoint"] == "http://127.0.0.1:4566"
    assert body["custom"] == "yes"


async def test_warm_invocation_reuses_the_environment_and_reports_no_init(
        runtime, make_function, make_request):
    function = make_function("py-warm")
    first = await runtime.invoke(make_request(function, 1))
    second = await runtime.invoke(make_request(function, 2))

    assert first.init_duration_ms is not None and first.init_duration_ms > 0
    assert second.init_duration_ms is None
    one, two = json.loads(first.payload), json.loads(second.payload)
    assert one["pid"] == two["pid"]
    assert (one["calls"], two["calls"]) == (1, 2)  # the module global survived
    assert runtime.environments(function) == 1


async def test_logs_hold_each_invocations_own_output(runtime, make_function, make_request):
    function = make_function("py-logs")
    first = await runtime.invoke(make_request(function, 1))
    request = make_request(function, 2)
    second = await runtime.invoke(request)

    assert first.logs.startswith("echo called 1\n")
    assert "echo called 2" not in first.logs
    assert second.logs.startswith("echo called 2\n")
    assert re.search(
        rf"^\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request.request_id}\t"
        r"a warning$", second.logs, re.M)


async def test_handler_error_has_awslambdarics_shape(runtime, make_function, make_request):
    function = make_function("py-fail", handler="app.fail")
    request = make_request(function, {})
    result = await runtime.invoke(request)

    assert result.status == "Error"
    assert result.error is not None
    assert set(result.error) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert result.error["errorType"] == "OrderError"
    assert result.error["errorMessage"] == "order 42 is invalid"
    assert result.error["requestId"] == request.request_id
    assert 'in fail\n    raise OrderError("order 42 is invalid")' in result.error["stackTrace"][-1]
    assert json.loads(result.payload) == result.error
    assert "about to fail\n[ERROR] OrderError: order 42 is invalid\n" in result.logs


async def test_import_failure_is_an_init_error(runtime, make_function, make_request):
    function = make_function("py-noimport", handler="missing_module.handler")
    result = await runtime.invoke(make_request(function, {}))

    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert result.error["errorMessage"] == (
        "Unable to import module 'missing_module': No module named 'missing_module'")
    assert result.init_duration_ms is not None
    assert runtime.environments(function) == 0


async def test_timeout_kills_the_environment_and_the_next_invocation_gets_a_fresh_one(
        runtime, make_function, make_request):
    sleeper = make_function("py-timeout", handler="app.sleep", timeout=1)
    request = make_request(sleeper, {"seconds": 30})
    timed_out = await runtime.invoke(request)

    assert timed_out.status == "Timeout"
    assert timed_out.error == {
        "errorMessage": f"RequestId: {request.request_id} Error: Task timed out after 1.00 "
                        "seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert "going to sleep\n" in timed_out.logs
    assert timed_out.logs.endswith(f"{request.request_id} Task timed out after 1.00 seconds\n")
    assert 1000 <= timed_out.duration_ms < 2500

    recovered = await runtime.invoke(make_request(sleeper, {"seconds": 0}))
    assert recovered.status == "Success"
    assert json.loads(recovered.payload) == "woke"
    assert recovered.init_duration_ms is not None  # a cold start
    assert recovered.extra["environment_pid"] != timed_out.extra["environment_pid"]


async def test_allocating_past_memory_size_is_stopped_like_aws_and_the_runtime_goes_on(
        runtime, make_function, make_request):
    hog = make_function("py-hog", handler="app.hog", memory_size=128)
    request = make_request(hog, {"mb": 2048})
    result = await runtime.invoke(request)

    assert result.status == "Error"
    assert result.error == {
        "errorMessage": f"RequestId: {request.request_id} Error: Runtime exited with error: "
                        "signal: killed",
        "errorType": "Runtime.OutOfMemory",
    }
    assert runtime.environments(hog) == 0

    fine = await runtime.invoke(make_request(hog, {"mb": 16}))
    assert fine.status == "Success" and json.loads(fine.payload) == 16


async def test_a_process_that_exits_mid_invocation_reports_runtime_exit_error(
        runtime, make_function, make_request):
    function = make_function("py-exit", handler="app.exits")
    request = make_request(function, {})
    result = await runtime.invoke(request)

    assert result.status == "Error"
    assert result.error == {
        "errorMessage": f"RequestId: {request.request_id} Error: Runtime exited with error: "
                        "exit status 3",
        "errorType": "Runtime.ExitError",
    }


async def test_concurrent_invocations_get_environments_up_to_reserved_concurrency(
        runtime, make_function, make_request):
    function = make_function("py-concurrent", handler="app.echo", reserved_concurrency=2)
    sleeper = make_function("py-concurrent", handler="app.echo", reserved_concurrency=2)
    assert function == sleeper
    results = await asyncio.gather(*(runtime.invoke(make_request(function, i))
                                     for i in range(5)))

    assert all(r.status == "Success" for r in results)
    pids = {json.loads(r.payload)["pid"] for r in results}
    assert len(pids) == 2
    assert runtime.environments(function) == 2
    assert sum(r.init_duration_ms is not None for r in results) == 2


async def test_idle_environments_are_reaped(make_function, make_request):
    async with ProcessRuntime(idle_timeout=0.2) as short_lived:
        function = make_function("py-reaped")
        result = await short_lived.invoke(make_request(function, {}))
        assert result.status == "Success"
        assert short_lived.environments(function) == 1
        for _ in range(100):  # real time: environments idle in it
            if short_lived.environments(function) == 0:
                break
            await asyncio.sleep(0.02)  # sleep-ok: polling a condition with a bound
        assert short_lived.environments(function) == 0

        again = await short_lived.invoke(make_request(function, {}))
        assert again.init_duration_ms is not None


async def test_exit_is_logged_as_lambdas_platform_does(runtime, make_function, make_request):
    function = make_function("py-exit-log", handler="app.exits")
    request = make_request(function, {})
    result = await runtime.invoke(request)
    assert result.logs.endswith(
        f"RequestId: {request.request_id} Error: Runtime exited with error: exit status 3\n"
        "Runtime.ExitError\n")


async def test_many_concurrent_invocations_share_few_environments(runtime, make_function,
                                                                  make_request):
    function = make_function("py-burst", reserved_concurrency=3)
    results = await asyncio.gather(*(runtime.invoke(make_request(function, i))
                                     for i in range(30)))
    assert [json.loads(r.payload)["event"] for r in results] == list(range(30))
    assert len({json.loads(r.payload)["pid"] for r in results}) == 3
    assert runtime.environments(function) == 3


async def test_a_changed_configuration_gets_a_new_environment(runtime, make_function,
                                                              make_request):
    before = make_function("py-changed", env={"CUSTOM": "one"})
    after = make_function("py-changed", env={"CUSTOM": "two"})
    first = json.loads((await runtime.invoke(make_request(before, {}))).payload)
    second = json.loads((await runtime.invoke(make_request(after, {}))).payload)
    assert (first["custom"], second["custom"]) == ("one", "two")
    assert first["pid"] != second["pid"]


async def test_a_cancelled_invocation_stops_its_environment(runtime, make_function,
                                                            make_request):
    function = make_function("py-cancel", handler="app.sleep", timeout=30)
    task = asyncio.ensure_future(runtime.invoke(make_request(function, {"seconds": 30})))
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop; the invocation starts its environment
    assert runtime.environments(function) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runtime.environments(function) == 0
    result = await runtime.invoke(make_request(function, {"seconds": 0}))
    assert result.status == "Success"


async def test_closing_the_runtime_ends_running_invocations(make_function, make_request):
    from eventsim.errors import SimulatorStateError

    closing = ProcessRuntime()
    function = make_function("py-closing", handler="app.sleep", timeout=30)
    running = asyncio.ensure_future(closing.invoke(make_request(function, {"seconds": 30})))
    waiting_for_cold_start = await closing.invoke(make_request(
        make_function("py-closing-other"), {}))
    assert waiting_for_cold_start.status == "Success"
    await closing.aclose()
    with pytest.raises(SimulatorStateError):
        await running
