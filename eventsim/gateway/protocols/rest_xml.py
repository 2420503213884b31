"""The rest-xml protocol: the REST envelope with XML bodies.

Errors are ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``
(Route 53, CloudFront); S3's own flavour lives in `eventsim.gateway.protocols.s3`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, StructureShape  # type: ignore[import-untyped]

from eventsim.errors import AwsError, MalformedXML
from eventsim.gateway.protocols.base import HttpRequest, HttpResponse
from eventsim.gateway.protocols.rest import BaseRestRequestParser, BaseRestResponseSerializer
from eventsim.gateway.protocols.xml import (
    XML_DECLARATION,
    local_name,
    parse_document,
    read_xml,
    write_xml,
)
from eventsim.tracing import RequestIds

__all__ = ["RestXMLRequestParser", "RestXMLResponseSerializer", "error_fields_xml"]

LOG = logging.getLogger(__name__)


class RestXMLRequestParser(BaseRestRequestParser):
    """rest-xml requests: an XML payload's root element must be the one the model names."""

    def parse_structure(
        self, body: bytes, shape: StructureShape, root_name: str | None
    ) -> dict[str, Any]:
        try:
            root = parse_document(body)
        except ValueError:
            raise MalformedXML() from None
        if root_name is not None and local_name(root.tag) != root_name:
            raise MalformedXML()
        try:
            value: dict[str, Any] = read_xml(shape, root)
        except (ValueError, TypeError):
            raise MalformedXML() from None
        return value


class RestXMLResponseSerializer(BaseRestResponseSerializer):
    """rest-xml responses."""

    CONTENT_TYPE = "text/xml"

    def namespace(
        self, operation: OperationModel | None, shape: StructureShape | None
    ) -> str | None:
        """The ``xmlns`` of a response's root element."""
        if shape is not None:
            declared = shape.serialization.get("xmlNamespace")
            if declared and not declared.get("prefix"):
                return str(declared["uri"])
        ns = self.service_model.metadata.get("xmlNamespace")
        return str(ns) if ns else None

    def root_name(self, operation: OperationModel, shape: StructureShape) -> str:
        """The root element of an output without a payload member."""
        return str(shape.serialization.get("name", shape.name))

    def serialize_structure(
        self,
        operation: OperationModel,
        shape: StructureShape,
        value: Mapping[str, Any],
        root_name: str | None,
    ) -> bytes:
        name = root_name or self.root_name(operation, shape)
        text = write_xml(shape, value, name, self.namespace(operation, shape))
        return (XML_DECLARATION + text).encode("utf-8")

    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        kind = "Sender" if error.sender_fault else "Receiver"
        ns = self.namespace(operation, None)
        attrs = f' xmlns="{ns}"' if ns else ""
        body = (
            f"{XML_DECLARATION}<ErrorResponse{attrs}><Error><Type>{kind}</Type>"
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"{error_fields_xml(error)}</Error><RequestId>{ids.request_id}</RequestId>"
            "</ErrorResponse>"
        )
        response = HttpResponse(
            status=error.status_code,
            headers={"Content-Type": self.CONTENT_TYPE},
            body=b"" if request.method == "HEAD" else body.encode("utf-8"),
        )
        response.headers["x-amzn-RequestId"] = ids.request_id
        return response


def error_fields_xml(error: AwsError) -> str:
    """An error's extra fields (``BucketName``, ``Key``...) as XML elements."""
    return "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in error.fields.items())
