"""Lambda over rest-json: botocore's serializer -> our parser, our serializer -> botocore's parser
(no services needed: canned answers)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore import serialize  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest, prepare_request_dict  # type: ignore[import-untyped]
from botocore.model import Shape  # type: ignore[import-untyped]

from eventsim.errors import InternalFailure, TooManyRequestsException
from eventsim.gateway.protocols import HttpRequest, create_parser, create_serializer
from eventsim.gateway.specs import load_service_model
from eventsim.services.lambda_.errors import FunctionNotFound, InvalidRequestContentException
from eventsim.tracing import RequestIds

WHEN = dt.datetime(2024, 5, 17, 12, 30, 45, 123000, tzinfo=dt.UTC)
ARN = "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail"
IDS = RequestIds("0123456789ABCDEF")


@pytest.fixture
def rt(roundtrip_factory: Callable[..., Any]) -> Any:
    return roundtrip_factory("lambda")


def _sample(shape: Shape) -> Any:
    """The least value botocore accepts for a shape: its required members only."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _sample(shape.members[name]) for name in shape.required_members}
    if kind == "string":
        return shape.enum[0] if shape.enum else "fn-1"
    if kind in ("integer", "long"):
        return 1
    if kind == "boolean":
        return True
    if kind == "list":
        return [_sample(shape.member)]
    if kind == "map":
        return {"k": _sample(shape.value)}
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return WHEN
    return "x"


def test_every_lambda_operation_botocore_sends_is_routed_to_itself() -> None:
    model = load_service_model("lambda")
    serializer = serialize.create_serializer("rest-json", include_validation=False)
    parser = create_parser(model)
    wrong = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        params = _sample(operation.input_shape) if operation.input_shape is not None else {}
        wire = serializer.serialize_to_request(params, operation)
        prepare_request_dict(wire, "http://localhost:4566")
        prepared = AWSRequest(method=wire["method"], url=wire["url"], data=wire["body"],
                              headers=wire["headers"]).prepare()
        url = urlsplit(prepared.url)
        body = prepared.body or b""
        headers = {k: v.decode() if isinstance(v, bytes) else v
                   for k, v in prepared.headers.items()}
        parsed = parser.parse(HttpRequest(
            method=prepared.method, path=url.path, query=url.query, headers=headers,
            body=body.encode() if isinstance(body, str) else body,
        ))
        if parsed.operation.name != name:
            wrong.append((name, parsed.operation.name))
    assert wrong == []
    assert len(model.operation_names) > 80


def test_invoke_request_carries_the_payload_raw_and_its_headers_and_query(rt: Any) -> None:
    parsed, _ = rt.call(
        "Invoke",
        {"FunctionName": ARN, "InvocationType": "Event", "LogType": "Tail",
         "Qualifier": "$LATEST", "Payload": b'{"raw": "\xc3\xa9"}'},
        {"StatusCode": 202},
    )
    assert parsed.operation.name == "Invoke"
    # The ARN's colons travel percent-encoded in the path and reach the service decoded.
    assert "%3A" in rt.requests[-1].path
    assert parsed.params == {"FunctionName": ARN, "InvocationType": "Event",
                             "LogType": "Tail", "Qualifier": "$LATEST",
                             "Payload": b'{"raw": "\xc3\xa9"}'}


def test_invoke_response_status_headers_and_raw_payload_reach_botocore(rt: Any) -> None:
    error = {"errorMessage": "boom", "errorType": "ValueError"}
    _, response = rt.call(
        "Invoke", {"FunctionName": "make-thumbnail", "Payload": b"{}"},
        {"StatusCode": 200, "FunctionError": "Unhandled", "LogResult": "U1RBUlQ=",
         "ExecutedVersion": "$LATEST", "Payload": json.dumps(error).encode()},
    )
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert response["LogResult"] == "U1RBUlQ="
    assert response["ExecutedVersion"] == "$LATEST"
    assert json.loads(response["Payload"].read()) == error
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-function-error"] == "Unhandled"
    assert headers["content-type"] == "application/json"


def test_invoke_status_code_comes_from_the_result_not_the_model(rt: Any) -> None:
    _, accepted = rt.call("Invoke", {"FunctionName": "f", "InvocationType": "Event"},
                          {"StatusCode": 202, "Payload": b""})
    assert accepted["ResponseMetadata"]["HTTPStatusCode"] == 202
    _, dry = rt.call("Invoke", {"FunctionName": "f", "InvocationType": "DryRun"},
                     {"StatusCode": 204})
    assert dry["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert dry["StatusCode"] == 204


def test_create_function_zip_blob_reaches_the_service_as_bytes(rt: Any) -> None:
    parsed, response = rt.call(
        "CreateFunction",
        {"FunctionName": "f", "Runtime": "python3.12", "Handler": "app.handler",
         "Role": "arn:aws:iam::000000000000:role/r", "Code": {"ZipFile": b"PK\x03\x04\x00"},
         "Environment": {"Variables": {"A": "1"}}, "Timeout": 30},
        {"FunctionName": "f", "CodeSize": 5, "Timeout": 30, "State": "Pending"},
    )
    assert parsed.params["Code"] == {"ZipFile": b"PK\x03\x04\x00"}
    assert parsed.params["Environment"] == {"Variables": {"A": "1"}}
    assert parsed.params["Timeout"] == 30
    assert response["CodeSize"] == 5
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201


def test_timestamps_travel_as_botocore_sends_them_and_come_back_as_datetimes(rt: Any) -> None:
    parsed, response = rt.call(
        "CreateEventSourceMapping",
        {"FunctionName": "f", "EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
         "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": WHEN,
         "BatchSize": 10, "BisectBatchOnFunctionError": True,
         "FilterCriteria": {"Filters": [{"Pattern": '{"data": {"a": [1]}}'}]}},
        {"UUID": "u-1", "LastModified": WHEN, "StartingPositionTimestamp": WHEN,
         "BatchSize": 10, "State": "Creating"},
    )
    assert parsed.params["StartingPositionTimestamp"] == WHEN
    assert parsed.params["BisectBatchOnFunctionError"] is True
    assert parsed.params["FilterCriteria"] == {"Filters": [{"Pattern": '{"data": {"a": [1]}}'}]}
    assert response["LastModified"] == WHEN
    assert response["StartingPositionTimestamp"] == WHEN
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_list_functions_query_members_are_typed(rt: Any) -> None:
    parsed, response = rt.call("ListFunctions", {"MaxItems": 2, "Marker": "abc"},
                               {"Functions": [{"FunctionName": "a"}], "NextMarker": "n"})
    assert parsed.params == {"MaxItems": 2, "Marker": "abc"}
    assert response["Functions"] == [{"FunctionName": "a"}]
    assert response["NextMarker"] == "n"


def test_error_is_lambdas_json_with_the_error_type_header(rt: Any) -> None:
    missing = "arn:aws:lambda:us-east-1:000000000000:function:nope"
    with pytest.raises(rt.client.exceptions.ResourceNotFoundException) as raised:
        rt.call("GetFunction", {"FunctionName": "nope"}, FunctionNotFound(missing))
    response = raised.value.response
    assert response["Error"] == {"Code": "ResourceNotFoundException",
                                 "Message": f"Function not found: {missing}"}
    assert response["Type"] == "User"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["ResponseMetadata"]["RequestId"] == "0123456789ABCDEF"
    wire = rt.serializer.serialize_error(FunctionNotFound(missing), None, rt.requests[-1], IDS)
    assert wire.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(wire.body) == {"Type": "User",
                                     "message": f"Function not found: {missing}"}


def test_error_fields_travel_beside_the_message(rt: Any) -> None:
    throttled = TooManyRequestsException(
        "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
    )
    with pytest.raises(rt.client.exceptions.TooManyRequestsException) as raised:
        rt.call("Invoke", {"FunctionName": "f"}, throttled)
    assert raised.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_server_fault_is_typed_service() -> None:
    model = load_service_model("lambda")
    wire = create_serializer(model).serialize_error(
        InternalFailure("oops"), None, HttpRequest(method="GET", path="/"), IDS)
    assert wire.status == 500
    assert json.loads(wire.body) == {"Type": "Service", "message": "oops"}


def _put_invoke_config(body: bytes) -> HttpRequest:
    return HttpRequest(method="PUT", path="/2019-09-25/functions/f/event-invoke-config",
                       body=body)


def test_body_that_is_not_json_is_invalid_request_content() -> None:
    parser = create_parser(load_service_model("lambda"))
    with pytest.raises(InvalidRequestContentException,
                       match="Could not parse request body into json"):
        parser.parse(_put_invoke_config(b"{not json"))


def test_value_of_the_wrong_type_is_invalid_request_content() -> None:
    parser = create_parser(load_service_model("lambda"))
    with pytest.raises(InvalidRequestContentException, match="MaximumRetryAttempts"):
        parser.parse(_put_invoke_config(b'{"MaximumRetryAttempts": "two"}'))
    parsed = parser.parse(_put_invoke_config(b'{"MaximumRetryAttempts": 1}'))
    assert parsed.params == {"FunctionName": "f", "MaximumRetryAttempts": 1}


def test_delete_event_invoke_config_answers_the_models_204(rt: Any) -> None:
    parsed, response = rt.call("DeleteFunctionEventInvokeConfig", {"FunctionName": "f"})
    assert parsed.params == {"FunctionName": "f"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
