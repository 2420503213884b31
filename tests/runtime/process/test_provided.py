"""``provided`` runtimes: the function's own bootstrap speaks the Runtime API. A bash script
with curl (AWS's custom runtime tutorial), and AWS's own Python runtime client, awslambdaric."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def _awslambdaric_missing() -> str | None:
    if importlib.util.find_spec("awslambdaric") is None:
        return "awslambdaric is not installed (pip install awslambdaric)"
    if importlib.util.find_spec("runtime_client") is None:
        return "awslambdaric has no native runtime_client here (its wheels are Linux-only)"
    return None


needs_ric = pytest.mark.skipif(_awslambdaric_missing() is not None,
                               reason=str(_awslambdaric_missing()))


@needs_curl
async def test_bash_bootstrap_from_the_custom_runtime_tutorial(runtime, make_function,
                                                               make_request):
    function = make_function("bash-echo", handler="function.handler", code="bash",
                             runtime="provided.al2023")
    first = await runtime.invoke(make_request(function, {"n": 1}))
    assert first.status == "Success", first.error
    assert json.loads(first.payload) == {"echo": {"n": 1}}
    assert first.logs == '{"n": 1}\n'  # the handler's stderr
    assert first.init_duration_ms is not None

    second = await runtime.invoke(make_request(function, {"n": 2}))
    assert json.loads(second.payload) == {"echo": {"n": 2}}
    assert second.init_duration_ms is None
    assert second.extra["environment_pid"] == first.extra["environment_pid"]


@needs_curl
async def test_bash_bootstrap_error(runtime, make_function, make_request):
    function = make_function("bash-echo", handler="function.handler", code="bash",
                             runtime="provided.al2023")
    result = await runtime.invoke(make_request(function, {"fail": True}))
    assert result.status == "Error"
    assert result.error == {"errorMessage": "handler failed", "errorType": "HandlerError"}


async def test_provided_function_without_bootstrap(runtime, make_function, make_request,
                                                   tmp_path):
    function = make_function("no-bootstrap", handler="x", code="py", runtime="provided.al2023")
    result = await runtime.invoke(make_request(function, {}))
    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.InvalidEntrypoint"
    assert "Couldn't find valid bootstrap(s)" in result.error["errorMessage"]


def ric(make_function, handler):
    return make_function("ric-" + handler.split(".")[1], handler=handler, code="ric",
                         runtime="provided.al2023", env={"EVENTSIM_TEST_PYTHON": sys.executable})


@needs_ric
async def test_awslambdaric_runs_a_handler_unchanged(runtime, make_function, make_request):
    function = ric(make_function, "lambda_function.handler")
    request = make_request(function, {"order": 7})
    result = await runtime.invoke(request)

    assert result.status == "Success", (result.error, result.logs)
    body = json.loads(result.payload)
    assert body["event"] == {"order": 7}
    assert body["function"] == function.name
    assert body["remaining_ok"] is True
    assert f"awslambdaric handler {request.request_id}" in result.logs

    warm = await runtime.invoke(make_request(function, {"order": 8}))
    assert json.loads(warm.payload)["calls"] == 2
    assert json.loads(warm.payload)["pid"] == body["pid"]


@needs_ric
async def test_awslambdaric_handler_error_has_aws_shape(runtime, make_function, make_request):
    function = ric(make_function, "lambda_function.fails")
    request = make_request(function, {})
    result = await runtime.invoke(request)

    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "PaymentDeclined"
    assert result.error["errorMessage"] == "card 4242 declined"
    assert result.error["requestId"] == request.request_id
    assert isinstance(result.error["stackTrace"], list) and result.error["stackTrace"]
    assert "[ERROR] PaymentDeclined: card 4242 declined" in result.logs


@needs_ric
async def test_awslambdaric_import_error_goes_through_init_error(runtime, make_function,
                                                                 make_request):
    function = ric(make_function, "no_such_module.handler")
    result = await runtime.invoke(make_request(function, {}))
    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "no_such_module" in result.error["errorMessage"]
