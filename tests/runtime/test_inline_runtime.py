"""The inline runtime: handlers in worker threads of this process."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import os
import re
import sys
import threading
import time
import types
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim.errors import SimulatorStateError
from eventsim.runtime.base import InvokeRequest, InvokeResult
from eventsim.runtime.inline import InlineRuntime
from eventsim.runtime.inline.runtime import _load_event
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.tracing import TraceHeader, new_span_id, new_trace_id

HANDLERS = Path(__file__).parent / "handlers"
BASIC_APP = str(HANDLERS / "basic" / "app.py")


def make_function(
    name: str = "fn",
    handler: str = "app.echo",
    code: str = "basic",
    *,
    timeout: int = 3,
    env: dict[str, str] | None = None,
) -> FunctionConfig:
    return FunctionConfig(
        name=name,
        handler=handler,
        code_dir=str(HANDLERS / code),
        arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        timeout=timeout,
        environment=env or {},
    )


def make_request(
    function: FunctionConfig,
    event: Any = None,
    *,
    payload: bytes | None = None,
    endpoint_url: str | None = None,
    client_context: dict[str, Any] | None = None,
) -> InvokeRequest:
    trace = TraceHeader(root=new_trace_id(time.time()), parent=new_span_id(), hop=1).format()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        **function.environment,
        "_X_AMZN_TRACE_ID": trace,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/02/[$LATEST]" + "ab" * 16,
        "LAMBDA_TASK_ROOT": function.code_dir,
    }
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return InvokeRequest(
        function=function,
        payload=payload if payload is not None else json.dumps(event).encode(),
        request_id=f"req-{new_span_id()}",
        trace_header=trace,
        environment=env,
        deadline_ms=int(time.time() * 1000) + function.timeout * 1000,
        client_context=client_context,
    )


def result_json(result: InvokeResult) -> Any:
    assert result.payload is not None
    return json.loads(result.payload)


@pytest_asyncio.fixture
async def runtime() -> AsyncIterator[InlineRuntime]:
    async with InlineRuntime(max_workers=4) as inline:
        yield inline


@pytest.fixture
def sync() -> Iterator[types.ModuleType]:
    """``eventsim_test_sync``: gates the test shares with handlers (any function may import it)."""
    module = types.ModuleType("eventsim_test_sync")
    gates: dict[str, threading.Barrier | threading.Event] = {}
    exits: list[str] = []
    exited = threading.Event()

    def wait(name: str) -> None:
        gates[name].wait(5)

    def record_exit(name: str) -> None:
        exits.append(name)
        exited.set()

    module.__dict__.update(
        gates=gates, exits=exits, exited=exited, wait=wait, record_exit=record_exit
    )
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


# ----------------------------------------------------------------------------------- results


@pytest.mark.asyncio
async def test_invoke_returns_the_handler_result(runtime: InlineRuntime) -> None:
    request = make_request(make_function(), {"key": "cat.jpg"})
    result = await runtime.invoke(request)
    assert result.status == "Success"
    assert result_json(result) == {"event": {"key": "cat.jpg"}, "request_id": request.request_id}
    assert result.error is None
    assert result.init_duration_ms is not None
    assert result.duration_ms > 0


@pytest.mark.asyncio
async def test_invoke_warm_keeps_module_globals(runtime: InlineRuntime) -> None:
    function = make_function(handler="app.count")
    first = await runtime.invoke(make_request(function, {}))
    second = await runtime.invoke(make_request(function, {}))
    assert (result_json(first), result_json(second)) == (1, 2)
    assert first.init_duration_ms is not None
    assert second.init_duration_ms is None


@pytest.mark.asyncio
async def test_invoke_concurrent_first_invocations_load_once(runtime: InlineRuntime) -> None:
    function = make_function(handler="app.count")
    results = await asyncio.gather(*(runtime.invoke(make_request(function, {})) for _ in range(4)))
    assert sorted(result_json(r) for r in results) == [1, 2, 3, 4]
    assert sum(r.init_duration_ms is not None for r in results) == 1


@pytest.mark.asyncio
async def test_invoke_changed_handler_reloads(runtime: InlineRuntime) -> None:
    counting = make_function(handler="app.count")
    await runtime.invoke(make_request(counting, {}))
    assert result_json(await runtime.invoke(make_request(counting, {}))) == 2
    echo = await runtime.invoke(make_request(make_function(handler="app.echo"), {}))
    assert echo.init_duration_ms is not None
    again = await runtime.invoke(make_request(counting, {}))
    assert result_json(again) == 1


@pytest.mark.asyncio
async def test_a_changed_configuration_gets_a_new_environment(runtime: InlineRuntime) -> None:
    # On Lambda an update (environment variables, memory...) replaces the environments: code
    # that read the configuration at import time sees the new one.
    before = make_function(handler="app.count", env={"STAGE": "one"})
    await runtime.invoke(make_request(before, {}))
    assert result_json(await runtime.invoke(make_request(before, {}))) == 2
    after = make_function(handler="app.count", env={"STAGE": "two"})
    changed = await runtime.invoke(make_request(after, {}))
    assert (result_json(changed), changed.init_duration_ms is not None) == (1, True)
    # Retry settings are no part of an environment: changing them keeps it warm.
    retries = dataclasses.replace(after, maximum_retry_attempts=0)
    warm = await runtime.invoke(make_request(retries, {}))
    assert (result_json(warm), warm.init_duration_ms) == (2, None)


@pytest.mark.asyncio
async def test_invoke_bytes_result_is_passed_through(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(make_request(make_function(handler="app.returns_bytes"), {}))
    assert result.payload == b"\x00raw"


# ------------------------------------------------------------------------------------ errors


@pytest.mark.asyncio
async def test_invoke_handler_exception_error_document(runtime: InlineRuntime) -> None:
    request = make_request(make_function(handler="app.fail"), {"n": 7})
    result = await runtime.invoke(request)
    assert result.status == "Error"
    assert result.error is not None
    assert list(result.error) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert result.error["errorType"] == "ValueError"
    assert result.error["errorMessage"] == "bad event 7"
    assert result.error["requestId"] == request.request_id
    (frame,) = result.error["stackTrace"]
    assert re.fullmatch(
        rf'  File "{re.escape(BASIC_APP)}", line \d+, in fail\n'
        r"    raise ValueError\(f\"bad event \{event\['n'\]\}\"\)\n",
        frame,
    )
    assert result_json(result) == result.error
    assert "[ERROR] ValueError: bad event 7\nTraceback (most recent call last):\n" in result.logs


@pytest.mark.asyncio
async def test_invoke_import_error(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(
        make_request(make_function(code="broken_import", handler="app.handler"), {})
    )
    assert result.status == "Error"
    assert result.error == {
        "errorMessage": (
            "Unable to import module 'app': No module named 'eventsim_no_such_module'"
        ),
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


@pytest.mark.asyncio
async def test_invoke_missing_module(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(make_request(make_function(handler="nothere.handler"), {}))
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert result.error["errorMessage"] == (
        "Unable to import module 'nothere': No module named 'nothere'"
    )


@pytest.mark.asyncio
async def test_invoke_handler_not_found(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(make_request(make_function(handler="app.nope"), {}))
    assert result.status == "Error"
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.HandlerNotFound"
    assert result.error["errorMessage"] == "Handler 'nope' missing on module 'app'"


@pytest.mark.asyncio
async def test_invoke_malformed_handler_name(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(make_request(make_function(handler="app"), {}))
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.MalformedHandlerName"
    assert result.error["errorMessage"] == (
        "Bad handler 'app': not enough values to unpack (expected 2, got 1)"
    )


@pytest.mark.asyncio
async def test_invoke_syntax_error(runtime: InlineRuntime, tmp_path: Path) -> None:
    # Written here rather than kept under handlers/, where linters would trip on it.
    (tmp_path / "app.py").write_text("def handler(event, context)\n    return 1\n")
    function = dataclasses.replace(make_function(handler="app.handler"), code_dir=str(tmp_path))
    result = await runtime.invoke(make_request(function, {}))
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert result.error["errorMessage"].startswith("Syntax error in module 'app': ")
    (frame,) = result.error["stackTrace"]
    assert frame.startswith(f'  File "{function.code_dir}/app.py" Line 1\n')


@pytest.mark.asyncio
async def test_invoke_module_raising_on_import_is_retried(runtime: InlineRuntime) -> None:
    function = make_function(code="init_raises", handler="app.handler")
    first = await runtime.invoke(make_request(function, {}))
    assert first.error is not None
    assert first.error["errorType"] == "KeyError"
    assert first.error["errorMessage"] == "'TABLE_NAME_THAT_IS_NOT_SET'"
    assert any(
        frame.startswith(f'  File "{function.code_dir}/app.py", line 3, in <module>')
        for frame in first.error["stackTrace"]
    )
    second = await runtime.invoke(make_request(function, {}))
    assert second.status == "Error"
    assert second.init_duration_ms is not None  # a failed init is tried again


@pytest.mark.asyncio
async def test_invoke_unserializable_result_is_marshal_error(runtime: InlineRuntime) -> None:
    request = make_request(make_function(handler="app.unserializable"), {})
    result = await runtime.invoke(request)
    assert result.status == "Error"
    assert result.error == {
        "errorMessage": (
            "Unable to marshal response: Object of type datetime is not JSON serializable"
        ),
        "errorType": "Runtime.MarshalError",
        "requestId": request.request_id,
        "stackTrace": [],
    }


@pytest.mark.asyncio
async def test_invoke_invalid_json_is_unmarshal_error(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(make_request(make_function(), payload=b"{nope"))
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.UnmarshalError"
    assert result.error["errorMessage"].startswith("Unable to unmarshal input: Expecting")


@pytest.mark.parametrize("payload", [
    b'{"big": 18446744073709551616, "small": -9223372036854775809, "u64": 18446744073709551615}',
    b'[123456789012345678901234567890, "12345678901234567890", 1.5e-400, -0.0, 0.1]',
    b"[NaN, Infinity, -Infinity, 1e400]",
    b'"\\ud800 lone surrogate"',
    b"\xef\xbb\xbf{}",
    '{"utf16": 1}'.encode("utf-16"),
    b'{"a": 1, "a": 2, "\\u00e9": "\xc3\xa9", "n": null, "t": true}',
    b" \t\r\n[1, 2.50, 3E2]\n",
])
def test_events_are_parsed_exactly_as_json_parses_them(payload: bytes) -> None:
    event = _load_event(payload)
    expected = json.loads(payload)
    assert repr(event) == repr(expected)  # repr: NaN, -0.0 and int/float alike


@pytest.mark.parametrize("payload", [b"{nope", b"[1, 2", b"\xff\xfe\x00", b'{"a": 1} trailing'])
def test_unparsable_events_fail_with_json_s_message(payload: bytes) -> None:
    with pytest.raises(ValueError) as error:
        _load_event(payload)
    with pytest.raises(ValueError) as expected:
        json.loads(payload)
    assert str(error.value) == str(expected.value)


@pytest.mark.asyncio
async def test_invoke_sys_exit_is_exit_error_and_resets(runtime: InlineRuntime) -> None:
    function = make_function(handler="app.exits")
    request = make_request(function, {})
    result = await runtime.invoke(request)
    assert result.error == {
        "errorMessage": f"RequestId: {request.request_id} Error: Runtime exited with error: "
        "exit status 3",
        "errorType": "Runtime.ExitError",
    }
    again = await runtime.invoke(make_request(function, {}))
    assert again.init_duration_ms is not None


# ---------------------------------------------------------------------------------- timeouts


@pytest.mark.asyncio
async def test_invoke_timeout_then_next_invocation_succeeds(
    sync: types.ModuleType,
) -> None:
    async with InlineRuntime(max_workers=1) as inline:
        function = make_function(handler="app.hang", timeout=1)
        request = make_request(function, {"hang": True})
        result = await inline.invoke(request)
        assert result.status == "Timeout"
        assert result.error == {
            "errorMessage": (
                f"RequestId: {request.request_id} Error: Task timed out after 1.00 seconds"
            ),
            "errorType": "Sandbox.Timedout",
        }
        assert result_json(result) == result.error
        assert re.search(
            rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {request.request_id} "
            r"Task timed out after 1\.00 seconds$",
            result.logs,
            re.MULTILINE,
        )
        assert result.duration_ms >= 900
        assert await asyncio.to_thread(sync.exited.wait, 5)
        assert sync.exits == ["HandlerTimeout"]

        after = await inline.invoke(make_request(function, {"hang": False}))
        assert after.status == "Success"
        assert result_json(after) == "ok"
        assert after.init_duration_ms is not None  # the timed-out environment was reset



@pytest.mark.asyncio
async def test_a_job_queued_with_one_that_blocks_is_not_held_up(
    runtime: InlineRuntime, sync: types.ModuleType
) -> None:
    sync.gates["hold"] = threading.Event()
    loop = asyncio.get_running_loop()
    blocked: asyncio.Future[InvokeResult] = loop.create_future()
    quick: asyncio.Future[InvokeResult] = loop.create_future()
    await runtime.invoke(make_request(make_function("quick"), {"n": 0}))  # a worker, asleep
    # Started together: the worker woken for the first finds the second queued behind it.
    started = time.perf_counter()
    runtime.start(make_request(make_function("blocked", handler="app.chatty"),
                               {"gate": "hold", "tag": "b"}), blocked.set_result)
    runtime.start(make_request(make_function("quick"), {"n": 1}), quick.set_result)
    try:
        result = await asyncio.wait_for(quick, timeout=3)
        assert time.perf_counter() - started < 0.5  # GRACE is 2 ms; this allows a busy machine
        assert result_json(result)["event"] == {"n": 1}
        assert not blocked.done()
    finally:
        sync.gates["hold"].set()
    assert (await blocked).status == "Success"


@pytest.mark.asyncio
async def test_a_burst_of_handlers_that_block_runs_side_by_side(
    runtime: InlineRuntime, sync: types.ModuleType
) -> None:
    # Each waits for all four to be running at once (the fixture's pool has four workers).
    sync.gates["together"] = threading.Barrier(4)
    function = make_function(handler="app.chatty")
    await runtime.invoke(make_request(function, {"tag": "warm"}))  # one worker, asleep
    results = await asyncio.gather(*(
        runtime.invoke(make_request(function, {"gate": "together", "tag": str(n)}))
        for n in range(4)
    ))
    assert [r.status for r in results] == ["Success"] * 4
    assert all("after gate" in r.logs for r in results)


@pytest.mark.asyncio
async def test_a_burst_of_handlers_that_block_briefly_spreads_over_workers(
    runtime: InlineRuntime,
) -> None:
    # Each blocks for less than the pool's grace, but the jobs behind it wait for all of them.
    function = make_function(handler="app.nap")
    await runtime.invoke(make_request(function, {"seconds": 0}))  # one worker, asleep
    results = await asyncio.gather(*(
        runtime.invoke(make_request(function, {"seconds": 0.0015})) for _ in range(40)
    ))
    threads = collections.Counter(result_json(result) for result in results)
    assert max(threads.values()) < 30, threads  # not one after another on one thread

@pytest.mark.asyncio
async def test_invoke_thread_stuck_in_c_does_not_hold_the_pool() -> None:
    async with InlineRuntime(max_workers=1) as inline:
        stuck = make_function("stuck", handler="app.sleep_in_c", timeout=1)
        result = await inline.invoke(make_request(stuck, {"seconds": 2}))
        assert result.status == "Timeout"
        assert inline.abandoned_threads == 1
        started = time.perf_counter()
        other = await inline.invoke(make_request(make_function("other"), {"x": 1}))
        assert other.status == "Success"
        assert time.perf_counter() - started < 0.9


# ------------------------------------------------------------------------------------- output


@pytest.mark.asyncio
async def test_invoke_printing_20_mb_is_capped(runtime: InlineRuntime) -> None:
    result = await runtime.invoke(
        make_request(make_function(handler="app.flood"), {"megabytes": 20})
    )
    assert result.status == "Success"
    assert len(result.logs.encode()) < (1 << 20) + 1024
    assert result.logs.startswith("x" * 1000)
    assert "bytes of output were dropped" in result.logs
    assert result.extra["log_bytes_dropped"] > 18 * (1 << 20)


@pytest.mark.asyncio
async def test_invoke_logs_are_captured_per_invocation(
    runtime: InlineRuntime, sync: types.ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    sync.gates["logs"] = gate = threading.Barrier(3)
    function = make_function(handler="app.chatty")
    requests = [make_request(function, {"tag": tag, "gate": "logs"}) for tag in "AB"]
    invocations = asyncio.gather(*(runtime.invoke(r) for r in requests))
    await asyncio.to_thread(gate.wait, 5)
    print("printed outside any handler")
    results = await invocations

    for request, result, tag, other in zip(requests, results, "AB", "BA", strict=True):
        assert result.status == "Success"
        logs = result.logs
        for line in (
            f"print {tag}",
            f"stderr {tag}",
            f"context.log {tag}",
            f"child thread {tag}",
            f"after gate {tag}",
        ):
            assert line in logs
        assert re.search(
            rf"^\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request.request_id}"
            rf"\tlogged {tag}$",
            logs,
            re.MULTILINE,
        )
        assert other not in logs.replace("[WARNING]", "")
        assert "outside" not in logs
    captured = capsys.readouterr()
    assert "printed outside any handler" in captured.out
    assert "print A" not in captured.out


# -------------------------------------------------------------------------------- environment


@pytest.mark.asyncio
async def test_invoke_concurrent_functions_see_their_own_environment(
    runtime: InlineRuntime, sync: types.ModuleType
) -> None:
    sync.gates["env"] = threading.Barrier(2)
    red = make_function("red", handler="app.environment", env={"COLOUR": "red"})
    blue = make_function("blue", handler="app.environment", env={"COLOUR": "blue"})
    results = await asyncio.gather(
        runtime.invoke(make_request(red, {"gate": "env"})),
        runtime.invoke(make_request(blue, {"gate": "env"})),
    )
    assert [result_json(r) for r in results] == [
        {"before": "red", "after": "red"},
        {"before": "blue", "after": "blue"},
    ]
    assert "COLOUR" not in os.environ


@pytest.mark.asyncio
async def test_invoke_environment_is_the_requests(runtime: InlineRuntime) -> None:
    function = make_function(handler="app.environment", env={"COLOUR": "green"})
    for _ in range(2):
        request = make_request(function, {})
        assert result_json(await runtime.invoke(request)) == {
            "COLOUR": "green",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "_X_AMZN_TRACE_ID": request.trace_header,
            "SET_BY_HANDLER": None,
        }


@pytest.mark.asyncio
async def test_invoke_environment_writes_stay_in_the_function(runtime: InlineRuntime) -> None:
    writer = make_function("writer", handler="app.set_env")
    first = await runtime.invoke(make_request(writer, {"value": "v1"}))
    assert result_json(first) == {"previous": None, "now": "v1"}
    assert "SET_BY_HANDLER" not in os.environ
    # Like a Lambda process, the function's later (warm) invocations still see the change...
    second = await runtime.invoke(make_request(writer, {"value": "v2"}))
    assert result_json(second) == {"previous": "v1", "now": "v2"}
    # ...other functions never do.
    other = await runtime.invoke(make_request(make_function("other", "app.environment"), {}))
    assert result_json(other)["SET_BY_HANDLER"] is None


# ------------------------------------------------------------------------------------ imports


@pytest.mark.asyncio
async def test_invoke_same_module_names_in_two_code_dirs(runtime: InlineRuntime) -> None:
    a = make_function("a", handler="app.handler", code="twin_a")
    b = make_function("b", handler="app.handler", code="twin_b")
    results = await asyncio.gather(*(runtime.invoke(make_request(f, {})) for f in (a, b, a)))
    assert [result_json(r) for r in results] == [
        {"value": "a", "late": "a"},
        {"value": "b", "late": "b"},
        {"value": "a", "late": "a"},
    ]
    assert "util" not in sys.modules
    assert "app" not in sys.modules


@pytest.mark.asyncio
@pytest.mark.parametrize("handler", ["handlers/thumbnail.handler", "handlers.thumbnail.handler"])
async def test_invoke_handler_in_a_package(runtime: InlineRuntime, handler: str) -> None:
    function = make_function(handler=handler, code="nested")
    result = await runtime.invoke(make_request(function, {"key": "cat.jpg"}))
    assert result_json(result) == "thumb:thumb:thumb:cat.jpg"


# -------------------------------------------------------------------------------------- context


@pytest.mark.asyncio
async def test_invoke_context_fields(runtime: InlineRuntime) -> None:
    function = make_function("ctx", handler="app.context_fields")
    request = make_request(function, {})
    fields = result_json(await runtime.invoke(request))
    first, second = fields.pop("remaining")
    assert 0 < second < first <= 3000
    # The execution environment's own stream, which the runtime also tells the record.
    stream = fields.pop("log_stream_name")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream)
    assert request.environment["AWS_LAMBDA_LOG_STREAM_NAME"] == stream
    assert fields == {
        "function_name": "ctx",
        "function_version": "$LATEST",
        "invoked_function_arn": function.arn,
        "memory_limit_in_mb": "128",
        "memory_type": "str",
        "aws_request_id": request.request_id,
        "log_group_name": "/aws/lambda/ctx",
        "identity": [None, None],
        "client_context": "None",
    }
    with_client = make_request(function, {}, client_context={"custom": {"k": "v"}, "env": {}})
    fields = result_json(await runtime.invoke(with_client))
    assert fields["client_context"] == "ClientContext([custom={'k': 'v'},env={},client=None])"


@pytest.mark.asyncio
async def test_invocations_of_one_environment_log_to_its_stream(runtime: InlineRuntime) -> None:
    function = make_function("ctx", handler="app.context_fields")
    first = result_json(await runtime.invoke(make_request(function, {})))
    warm = result_json(await runtime.invoke(make_request(function, {})))
    assert warm["log_stream_name"] == first["log_stream_name"]
    other = make_function("other", handler="app.context_fields")
    elsewhere = result_json(await runtime.invoke(make_request(other, {})))
    assert elsewhere["log_stream_name"] != first["log_stream_name"]


# ------------------------------------------------------------------------------------ boto3


class _RecordingS3(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<Owner><ID>owner</ID><DisplayName>owner</DisplayName></Owner>"
            b"<Buckets><Bucket><Name>uploads</Name>"
            b"<CreationDate>2024-01-02T00:00:00.000Z</CreationDate></Bucket></Buckets>"
            b"</ListAllMyBucketsResult>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.asyncio
async def test_invoke_boto3_sends_the_invocations_trace_header(runtime: InlineRuntime) -> None:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_RecordingS3,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        function = make_function("uses-boto3", handler="app.handler", code="aws")
        requests = [make_request(function, {}, endpoint_url=endpoint) for _ in range(2)]
        for request in requests:
            result = await runtime.invoke(request)
            assert result.status == "Success", result.error
            assert result_json(result) == {
                "module_client": ["uploads"],
                "fresh_client": ["uploads"],
            }
    finally:
        await asyncio.to_thread(server.shutdown)
        server.server_close()
    assert [h["x-amzn-trace-id"] for h in seen] == [
        requests[0].trace_header,
        requests[0].trace_header,
        requests[1].trace_header,
        requests[1].trace_header,
    ]
    assert {h["host"] for h in seen} == {f"127.0.0.1:{server.server_address[1]}"}
    assert "X-Amzn-Trace-Id" not in os.environ and "_X_AMZN_TRACE_ID" not in os.environ


# ---------------------------------------------------------------------------------- lifecycle


@pytest.mark.asyncio
async def test_invoke_after_aclose_raises() -> None:
    inline = InlineRuntime(max_workers=1)
    await inline.invoke(make_request(make_function(), {}))
    await inline.aclose()
    await inline.aclose()
    with pytest.raises(SimulatorStateError):
        await inline.invoke(make_request(make_function(), {}))


@pytest.mark.asyncio
async def test_invoke_does_not_queue_behind_a_handler_that_blocks(
    runtime: InlineRuntime, sync: types.ModuleType
) -> None:
    sync.gates["hold"] = threading.Event()
    blocked = asyncio.create_task(runtime.invoke(make_request(
        make_function("blocked", handler="app.chatty"), {"gate": "hold", "tag": "b"})))
    try:
        quick = await asyncio.wait_for(
            runtime.invoke(make_request(make_function("quick"), {"n": 1})), timeout=3)
        assert result_json(quick)["event"] == {"n": 1}
        assert not blocked.done()  # the quick one ran while the other still held its thread
    finally:
        sync.gates["hold"].set()
    assert (await blocked).status == "Success"
