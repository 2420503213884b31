"""The AWS wire protocols, driven by botocore's service models: one parser and one serializer
per protocol, and a service override only where a service departs from its protocol (S3).

The classes::

    RequestParser                        base.py: parse(HttpRequest) -> ParsedRequest
    └── BaseRestRequestParser            rest.py: URI labels, query, headers, payload
        └── RestXMLRequestParser         rest_xml.py: XML bodies
            └── S3RequestParser          s3.py: virtual hosts, aws-chunked, digests
        └── RestJSONRequestParser        rest_json.py: JSON bodies (Lambda)
    └── QueryRequestParser               query.py: Action + form-encoded pairs (SNS)

    JSONRequestParser                    json.py: X-Amz-Target and a JSON body
    ResponseSerializer                   base.py: serialize_response / serialize_error
    └── BaseRestResponseSerializer       rest.py: headers, status code, payload
        └── RestXMLResponseSerializer    rest_xml.py: XML bodies, <ErrorResponse>
            └── S3ResponseSerializer     s3.py: S3 root names, 206, bare <Error>
        └── RestJSONResponseSerializer   rest_json.py: JSON bodies, x-amzn-ErrorType, {"Type"}
    └── JSONResponseSerializer           json.py: JSON bodies, {"__type", "message"}
    └── QueryResponseSerializer          query.py: <XResponse><XResult>, <ErrorResponse>

json serves SQS, DynamoDB, DynamoDB Streams and Kinesis, query serves SNS, rest-json serves
Lambda. `PROTOCOL_PARSERS` and `PROTOCOL_SERIALIZERS` are the registries `create_parser` and
`create_serializer` read after `SERVICE_PARSERS` and `SERVICE_SERIALIZERS`.
"""

from __future__ import annotations

from botocore.model import ServiceModel  # type: ignore[import-untyped]

from eventsim.gateway.protocols.base import (
    HttpRequest,
    HttpResponse,
    ParsedRequest,
    RequestParser,
    ResponseSerializer,
)
from eventsim.gateway.protocols.json import JSONRequestParser, JSONResponseSerializer
from eventsim.gateway.protocols.query import QueryRequestParser, QueryResponseSerializer
from eventsim.gateway.protocols.rest_json import RestJSONRequestParser, RestJSONResponseSerializer
from eventsim.gateway.protocols.rest_xml import RestXMLRequestParser, RestXMLResponseSerializer
from eventsim.gateway.protocols.s3 import S3RequestParser, S3ResponseSerializer

__all__ = [
    "PROTOCOL_PARSERS",
    "PROTOCOL_SERIALIZERS",
    "SERVICE_PARSERS",
    "SERVICE_SERIALIZERS",
    "HttpRequest",
    "HttpResponse",
    "ParsedRequest",
    "RequestParser",
    "ResponseSerializer",
    "UnsupportedProtocolError",
    "create_parser",
    "create_serializer",
]

SERVICE_PARSERS: dict[str, type[RequestParser]] = {"s3": S3RequestParser}
SERVICE_SERIALIZERS: dict[str, type[ResponseSerializer]] = {"s3": S3ResponseSerializer}
PROTOCOL_PARSERS: dict[str, type[RequestParser]] = {
    "json": JSONRequestParser,
    "query": QueryRequestParser,
    "rest-json": RestJSONRequestParser,
    "rest-xml": RestXMLRequestParser,
}
PROTOCOL_SERIALIZERS: dict[str, type[ResponseSerializer]] = {
    "json": JSONResponseSerializer,
    "query": QueryResponseSerializer,
    "rest-json": RestJSONResponseSerializer,
    "rest-xml": RestXMLResponseSerializer,
}


class UnsupportedProtocolError(LookupError):
    """eventsim does not speak the protocol of this service yet."""


def create_parser(service_model: ServiceModel) -> RequestParser:
    """The request parser for a service: its own override, else its protocol's."""
    cls = SERVICE_PARSERS.get(service_model.service_name) or PROTOCOL_PARSERS.get(
        service_model.protocol
    )
    if cls is None:
        raise UnsupportedProtocolError(service_model.protocol)
    return cls(service_model)


def create_serializer(service_model: ServiceModel) -> ResponseSerializer:
    """The response serializer for a service: its own override, else its protocol's."""
    cls = SERVICE_SERIALIZERS.get(service_model.service_name) or PROTOCOL_SERIALIZERS.get(
        service_model.protocol
    )
    if cls is None:
        raise UnsupportedProtocolError(service_model.protocol)
    return cls(service_model)
