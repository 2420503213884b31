"""Node.js handlers in process environments, through eventsim's bootstrap.js."""

from __future__ import annotations

import json
import re
import shutil

import pytest

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


def node(make_function, name, handler, **kwargs):
    return make_function(name, handler=handler, code="node", runtime="nodejs20.x", **kwargs)


async def test_seed_form_callback_handler_succeeds_after_the_event_loop_empties(
        runtime, make_function, make_request):
    function = node(make_function, "node-seed", "index.myHandler")
    request = make_request(function, {"key": "cat.jpg"})
    result = await runtime.invoke(request)

    assert result.status == "Success", result.error
    body = json.loads(result.payload)
    assert body == {"key": "cat.jpg", "calls": 1, "requestId": request.request_id,
                    "remaining": True, "functionName": "node-seed", "memory": "128",
                    "trace": request.trace_header}
    # The timer the handler left ran before the answer (callbackWaitsForEmptyEventLoop).
    assert re.search(rf"^\S+Z\t{request.request_id}\tINFO\tgot {{\"key\":\"cat.jpg\"}}$",
                     result.logs, re.M)
    assert f"{request.request_id}\tINFO\ttimer ran" in result.logs
    assert result.init_duration_ms is not None

    warm = await runtime.invoke(make_request(function, {"key": "dog.jpg"}))
    assert json.loads(warm.payload)["calls"] == 2
    assert warm.init_duration_ms is None


async def test_seed_form_callback_error_has_aws_node_error_shape(runtime, make_function,
                                                                 make_request):
    function = node(make_function, "node-seed", "index.myHandler")
    result = await runtime.invoke(make_request(function, {"fail": True, "key": "x.jpg"}))

    assert result.status == "Error"
    assert result.error is not None
    assert set(result.error) == {"errorType", "errorMessage", "trace"}
    assert result.error["errorType"] == "Error"
    assert result.error["errorMessage"] == "thumbnail failed: x.jpg"
    assert result.error["trace"][0] == "Error: thumbnail failed: x.jpg"
    assert "index.js" in result.error["trace"][1]
    assert "\tERROR\tInvoke Error \t{" in result.logs


async def test_async_handler_result_and_rejection(runtime, make_function, make_request):
    function = node(make_function, "node-async", "index.asyncHandler")
    ok = await runtime.invoke(make_request(function, {"value": 21}))
    assert ok.status == "Success"
    assert json.loads(ok.payload) == {"async": True, "value": 42}

    failed = await runtime.invoke(make_request(function, {"fail": True}))
    assert failed.status == "Error"
    assert failed.error is not None
    assert failed.error["errorType"] == "ValidationError"
    assert failed.error["errorMessage"] == "async failure"


async def test_callback_without_waiting_answers_despite_pending_timers(runtime, make_function,
                                                                       make_request):
    function = node(make_function, "node-nowait", "index.noWait", timeout=5)
    result = await runtime.invoke(make_request(function, {}))
    assert result.status == "Success"
    assert json.loads(result.payload) == "answered at once"
    assert result.duration_ms < 1000


async def test_context_succeed_and_fail(runtime, make_function, make_request):
    succeeded = await runtime.invoke(
        make_request(node(make_function, "node-succeed", "index.succeeds"), {}))
    assert json.loads(succeeded.payload) == {"via": "succeed"}

    failed = await runtime.invoke(
        make_request(node(make_function, "node-failctx", "index.fails"), {}))
    assert failed.status == "Error"
    assert failed.error is not None
    assert (failed.error["errorType"], failed.error["errorMessage"]) == ("TypeError", "via fail")


async def test_es_module_handler(runtime, make_function, make_request):
    function = node(make_function, "node-esm", "esm.handler")
    request = make_request(function, {"n": 1})
    result = await runtime.invoke(request)
    assert result.status == "Success", result.error
    assert json.loads(result.payload) == {"esm": True, "event": {"n": 1},
                                          "requestId": request.request_id}
    assert "\tINFO\tesm handler" in result.logs


async def test_missing_export_is_an_init_error(runtime, make_function, make_request):
    function = node(make_function, "node-missing", "index.nothingHere")
    result = await runtime.invoke(make_request(function, {}))
    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.HandlerNotFound"
    assert result.error["errorMessage"] == "index.nothingHere is undefined or not exported"


async def test_node_handler_past_its_timeout_is_stopped(runtime, make_function, make_request):
    function = node(make_function, "node-spin", "index.spins", timeout=1)
    request = make_request(function, {})
    result = await runtime.invoke(request)
    assert result.status == "Timeout"
    assert result.error is not None
    assert result.error["errorMessage"] == (
        f"RequestId: {request.request_id} Error: Task timed out after 1.00 seconds")


async def test_node_heap_past_memory_size_aborts_as_on_lambda(runtime, make_function,
                                                             make_request):
    # V8's heap is capped to 90% of MemorySize, as Lambda's Node.js bootstrap does; running out
    # aborts the process ("signal: aborted", Runtime.ExitError), and the runtime goes on.
    function = node(make_function, "node-hog", "index.hog", timeout=20)
    request = make_request(function, {"mb": 2000})
    result = await runtime.invoke(request)
    assert result.status == "Error"
    assert result.error == {
        "errorMessage": f"RequestId: {request.request_id} Error: Runtime exited with error: "
                        "signal: aborted",
        "errorType": "Runtime.ExitError",
    }
    assert "JavaScript heap out of memory" in result.logs

    fine = await runtime.invoke(make_request(function, {"mb": 4}))
    assert fine.status == "Success" and json.loads(fine.payload) == 4
