"""Fixtures for the gateway tests.

`RoundTrip` drives our parser and serializer with a real botocore client and no network: the
client's ``before-send`` hook hands the prepared request to our parser and answers with what our
serializer makes of a canned result, so every botocore customization (S3's URL encoding of keys,
checksums, ``encoding-type=url`` decoding...) takes part on both sides.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import boto3  # type: ignore[import-untyped]
import botocore.config  # type: ignore[import-untyped]
import pytest
import urllib3
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest, AWSResponse  # type: ignore[import-untyped]
from multidict import CIMultiDict

from eventsim.errors import AwsError
from eventsim.gateway.protocols import (
    HttpRequest,
    ParsedRequest,
    create_parser,
    create_serializer,
)
from eventsim.gateway.specs import load_service_model
from eventsim.testing import ThreadedSimulator
from eventsim.tracing import RequestIds

IDS = RequestIds("0123456789ABCDEF", "host-id")


def http_request_from_botocore(request: AWSPreparedRequest) -> HttpRequest:
    """What the gateway would see of a request botocore prepared."""
    url = urlsplit(request.url)
    headers: CIMultiDict[str] = CIMultiDict()
    for name, value in request.headers.items():
        if name.lower() == "transfer-encoding":
            continue  # urllib3 would frame the body; aiohttp would remove the framing
        headers[name] = value.decode("utf-8") if isinstance(value, bytes) else value
    headers.setdefault("Host", url.netloc)
    body = request.body
    if body is None:
        data = b""
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    elif hasattr(body, "read"):
        data = body.read()
    else:
        data = b"".join(body)
    return HttpRequest(method=request.method, path=url.path or "/", query=url.query,
                       headers=headers, body=data)


class RoundTrip:
    """A botocore client whose requests go to our parser and responses come from our serializer."""

    def __init__(self, service: str, endpoint_url: str = "http://localhost:4566",
                 **config: Any) -> None:
        model = load_service_model(service)
        self.parser = create_parser(model)
        self.serializer = create_serializer(model)
        self.client = boto3.client(
            service, endpoint_url=endpoint_url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}, **config),
        )
        self.client.meta.events.register("before-send", self._send)
        self.requests: list[HttpRequest] = []
        self.parsed: list[ParsedRequest] = []
        self._answer: Mapping[str, Any] | AwsError = {}

    def call(
        self, operation: str, params: Mapping[str, Any],
        answer: Mapping[str, Any] | AwsError | None = None,
    ) -> tuple[ParsedRequest, dict[str, Any]]:
        """Call `operation` through botocore; what we parsed and what botocore made of our
        response to `answer` (an output dict, or an error to raise)."""
        self._answer = {} if answer is None else answer
        response: dict[str, Any] = getattr(self.client, xform_name(operation))(**params)
        return self.parsed[-1], response

    def _send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        http = http_request_from_botocore(request)
        self.requests.append(http)
        try:
            parsed = self.parser.parse(http)
        except AwsError as error:
            wire = self.serializer.serialize_error(error, None, http, IDS)
        else:
            self.parsed.append(parsed)
            if isinstance(self._answer, AwsError):
                wire = self.serializer.serialize_error(self._answer, parsed.operation, http,
                                                       IDS)
            else:
                wire = self.serializer.serialize_response(parsed.operation, self._answer, http,
                                                          IDS)
        raw = urllib3.HTTPResponse(body=io.BytesIO(wire.body), headers=wire.headers,
                                   status=wire.status, preload_content=False,
                                   request_method=request.method)
        return AWSResponse(request.url, wire.status, wire.headers, raw)


@pytest.fixture
def s3_roundtrip() -> RoundTrip:
    """S3 through our rest-xml parser and serializer, path-style."""
    return RoundTrip("s3", s3={"addressing_style": "path"})


@pytest.fixture
def roundtrip_factory() -> Callable[..., RoundTrip]:
    """Build a `RoundTrip` for any service and client configuration."""
    return RoundTrip


@pytest.fixture(scope="module")
def threaded_sim() -> Iterator[ThreadedSimulator]:
    """A simulator with its gateway on a background thread, shared by a test module."""
    with ThreadedSimulator() as sim:
        yield sim


_bucket_numbers = itertools.count()


@pytest.fixture
def bucket_name(request: pytest.FixtureRequest) -> str:
    """A bucket name of its own for each test (the module's simulator is shared)."""
    base = request.node.name.lower().replace("_", "-")
    base = "".join(ch for ch in base if ch.isalnum() or ch == "-")[:40].strip("-")
    return f"{base}-{next(_bucket_numbers)}"


@pytest.fixture
def s3(threaded_sim: ThreadedSimulator) -> Any:
    """A boto3 S3 client of the module's simulator."""
    return threaded_sim.client("s3")


@pytest.fixture
def bucket(s3: Any, bucket_name: str) -> str:
    """A new bucket of this test's own."""
    s3.create_bucket(Bucket=bucket_name)
    return bucket_name
