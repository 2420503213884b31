"""The Python context object, against awslambdaric's behaviour."""

from __future__ import annotations

import re
import time
import types
import uuid

import pytest

from eventsim.runtime import context as context_module
from eventsim.runtime.base import InvokeRequest
from eventsim.runtime.context import (
    Client,
    ClientContext,
    CognitoIdentity,
    LambdaContext,
    new_log_stream_name,
)
from eventsim.services.lambda_.models import FunctionConfig

ARN = "arn:aws:lambda:us-east-1:000000000000:function:thumbnail"


def make_request(**overrides: object) -> InvokeRequest:
    function = FunctionConfig(
        name="thumbnail", handler="app.handler", code_dir="/code", arn=ARN, memory_size=256
    )
    fields: dict[str, object] = {
        "function": function,
        "payload": b"{}",
        "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "trace_header": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
        "environment": {
            "AWS_LAMBDA_FUNCTION_NAME": "thumbnail",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/thumbnail",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/02/[$LATEST]" + "0f" * 16,
        },
        "deadline_ms": int(time.time() * 1000) + 3000,
    }
    fields.update(overrides)
    return InvokeRequest(**fields)  # type: ignore[arg-type]


def test_context_defaults_make_a_usable_fake() -> None:
    context = LambdaContext()
    assert context.function_name == "test"
    assert context.function_version == "$LATEST"
    assert context.memory_limit_in_mb == "128"
    assert context.log_group_name == "/aws/lambda/test"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context.log_stream_name)
    assert context.invoked_function_arn == "arn:aws:lambda:us-east-1:000000000000:function:test"
    assert uuid.UUID(context.aws_request_id)
    assert context.client_context is None
    assert isinstance(context.identity, CognitoIdentity)
    assert context.identity.cognito_identity_id is None
    assert context.identity.cognito_identity_pool_id is None
    assert context.tenant_id is None
    assert 2000 < context.get_remaining_time_in_millis() <= 3000


def test_context_memory_limit_is_a_string() -> None:
    assert LambdaContext(memory_limit_in_mb=1024).memory_limit_in_mb == "1024"


def test_context_from_request() -> None:
    request = make_request()
    context = LambdaContext.from_request(request)
    assert context.aws_request_id == request.request_id
    assert context.function_name == "thumbnail"
    assert context.function_version == "$LATEST"
    assert context.invoked_function_arn == ARN
    assert context.memory_limit_in_mb == "256"
    assert context.log_group_name == "/aws/lambda/thumbnail"
    assert context.log_stream_name == "2024/01/02/[$LATEST]" + "0f" * 16


@pytest.mark.parametrize("environment", [
    None,  # make_request's: every variable Lambda sets
    {"AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/02/[$LATEST]" + "0f" * 16},
    {"AWS_LAMBDA_LOG_STREAM_NAME": "s", "AWS_LAMBDA_LOG_GROUP_NAME": "",
     "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"},
])
def test_context_from_request_is_what_the_constructor_makes_of_the_same_fields(
    environment: dict[str, str] | None,
) -> None:
    request = make_request() if environment is None else make_request(environment=environment)
    sink: list[str] = []
    built = LambdaContext.from_request(request, log_sink=sink.append)
    env = request.environment
    name = env.get("AWS_LAMBDA_FUNCTION_NAME", request.function.name)
    expected = LambdaContext(
        aws_request_id=request.request_id, function_name=name,
        function_version=env.get("AWS_LAMBDA_FUNCTION_VERSION", request.function.version),
        invoked_function_arn=request.function.arn,
        memory_limit_in_mb=env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                   str(request.function.memory_size)),
        log_group_name=env.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}"),
        log_stream_name=env["AWS_LAMBDA_LOG_STREAM_NAME"], deadline_ms=request.deadline_ms,
        log_sink=sink.append,
    )
    assert set(vars(built)) == set(vars(expected))
    for field, value in vars(expected).items():
        if field == "identity":
            assert vars(built)[field].__class__ is CognitoIdentity
            assert built.identity.cognito_identity_id is None
            assert built.identity.cognito_identity_pool_id is None
        else:
            assert vars(built)[field] == value, field
    assert repr(built) == repr(expected)


def test_context_from_request_without_lambda_variables_uses_the_function() -> None:
    context = LambdaContext.from_request(make_request(environment={}))
    assert context.function_name == "thumbnail"
    assert context.memory_limit_in_mb == "256"
    assert context.log_group_name == "/aws/lambda/thumbnail"
    assert context.log_stream_name.endswith("/[$LATEST]" + context.log_stream_name[-32:])


def test_context_remaining_time_decreases_and_stops_at_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1_700_000_000.0]
    fake_time = types.SimpleNamespace(
        time=lambda: now[0], gmtime=time.gmtime, strftime=time.strftime
    )
    monkeypatch.setattr(context_module, "time", fake_time)
    context = LambdaContext(deadline_ms=1_700_000_003_000)
    assert context.get_remaining_time_in_millis() == 3000
    now[0] += 1.25
    assert context.get_remaining_time_in_millis() == 1750
    now[0] += 5
    assert context.get_remaining_time_in_millis() == 0
    assert isinstance(context.get_remaining_time_in_millis(), int)


def test_context_identity_from_cognito() -> None:
    identity = {"cognitoIdentityId": "us-east-1:1234", "cognitoIdentityPoolId": "us-east-1:pool"}
    context = LambdaContext.from_request(make_request(identity=identity))
    assert context.identity.cognito_identity_id == "us-east-1:1234"
    assert context.identity.cognito_identity_pool_id == "us-east-1:pool"


def test_context_client_context_objects_and_w3c() -> None:
    sent = {
        "client": {"installation_id": "i-1", "app_title": "Cats"},
        "custom": {"colour": "red"},
        "env": {"locale": "en-GB"},
        "w3c": {"traceparent": "00-abc-def-01", "tracestate": 7, "other": "x"},
    }
    context = LambdaContext.from_request(make_request(client_context=sent))
    assert isinstance(context.client_context, ClientContext)
    assert isinstance(context.client_context.client, Client)
    assert context.client_context.client.installation_id == "i-1"
    assert context.client_context.client.app_title == "Cats"
    assert context.client_context.client.app_package_name is None
    assert context.client_context.custom == {"colour": "red"}
    assert context.client_context.env == {"locale": "en-GB"}
    assert context.w3c() == {"traceparent": "00-abc-def-01"}
    assert "w3c" in sent  # the request's own dict is left alone


def test_context_repr_matches_awslambdaric() -> None:
    context = LambdaContext(
        aws_request_id="id-1",
        function_name="fn",
        log_stream_name="2024/01/02/[$LATEST]abc",
        invoked_function_arn="arn:fn",
        client_context={"custom": {"a": 1}, "env": None, "client": {"app_title": "T"}},
    )
    assert repr(context) == (
        "LambdaContext([aws_request_id=id-1,log_group_name=/aws/lambda/fn,"
        "log_stream_name=2024/01/02/[$LATEST]abc,function_name=fn,memory_limit_in_mb=128,"
        "function_version=$LATEST,invoked_function_arn=arn:fn,"
        "client_context=ClientContext([custom={'a': 1},env=None,client=Client(["
        "installation_id=None,app_title=T,app_version_name=None,app_version_code=None,"
        "app_package_name=None])]),"
        "identity=CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None]),"
        "tenant_id=None])"
    )


def test_context_log_goes_to_the_sink_without_a_newline() -> None:
    written: list[str] = []
    context = LambdaContext(log_sink=written.append)
    context.log("one")
    context.log(2)
    assert written == ["one", "2"]


def test_context_log_defaults_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    LambdaContext().log("hello")
    assert capsys.readouterr().out == "hello"


def test_new_log_stream_name() -> None:
    name = new_log_stream_name("7", now=1_704_153_600.0)  # 2024-01-02T00:00:00Z
    assert re.fullmatch(r"2024/01/02/\[7\][0-9a-f]{32}", name)
