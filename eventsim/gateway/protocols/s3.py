"""S3's departures from plain rest-xml.

Requests: virtual-hosted-style buckets (`S3OperationRouter`), aws-chunked bodies and the
integrity checks S3 makes (``Content-MD5``, ``x-amz-checksum-*``, ``x-amz-content-sha256``),
and ``InvalidArgument`` for a parameter of the wrong type.

Responses: root elements named as S3 names them (``ListBucketResult`` for ListObjectsV2Output)
in S3's namespace, 206 for a ranged GetObject, ``x-amz-request-id``/``x-amz-id-2`` headers, and
errors as a bare ``<Error>`` with the error's extra fields (``BucketName``, ``Key``...) and no
body at all for HEAD.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, StructureShape  # type: ignore[import-untyped]

from eventsim.errors import AwsError, InvalidArgument
from eventsim.events.s3 import new_host_id, new_request_id
from eventsim.gateway.checksums import (
    decode_aws_chunked,
    verify_checksums,
    verify_content_md5,
    verify_content_sha256,
)
from eventsim.gateway.errors import IncompleteBody
from eventsim.gateway.protocols.base import HttpRequest, HttpResponse
from eventsim.gateway.protocols.rest_xml import (
    RestXMLRequestParser,
    RestXMLResponseSerializer,
    error_fields_xml,
)
from eventsim.gateway.protocols.xml import XML_DECLARATION
from eventsim.gateway.routing import S3OperationRouter
from eventsim.tracing import RequestIds

__all__ = ["S3_NAMESPACE", "S3RequestParser", "S3ResponseSerializer"]

LOG = logging.getLogger(__name__)

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

# Root elements of outputs without a payload member, by output shape, as the S3 API reference
# shows them (https://docs.aws.amazon.com/AmazonS3/latest/API/). Shapes not listed use their
# own name (NotificationConfiguration is already right).
_ROOT_NAMES = {
    "CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
    "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
    "CreateSessionOutput": "CreateSessionResult",
    "DeleteObjectsOutput": "DeleteResult",
    "GetBucketAccelerateConfigurationOutput": "AccelerateConfiguration",
    "GetBucketAclOutput": "AccessControlPolicy",
    "GetBucketCorsOutput": "CORSConfiguration",
    "GetBucketLifecycleConfigurationOutput": "LifecycleConfiguration",
    "GetBucketLoggingOutput": "BucketLoggingStatus",
    "GetBucketRequestPaymentOutput": "RequestPaymentConfiguration",
    "GetBucketTaggingOutput": "Tagging",
    "GetBucketVersioningOutput": "VersioningConfiguration",
    "GetBucketWebsiteOutput": "WebsiteConfiguration",
    "GetObjectAclOutput": "AccessControlPolicy",
    "GetObjectAttributesOutput": "GetObjectAttributesResponse",
    "GetObjectTaggingOutput": "Tagging",
    "ListBucketAnalyticsConfigurationsOutput": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurationsOutput": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurationsOutput": "ListMetricsConfigurationsResult",
    "ListBucketsOutput": "ListAllMyBucketsResult",
    "ListDirectoryBucketsOutput": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploadsOutput": "ListMultipartUploadsResult",
    "ListObjectVersionsOutput": "ListVersionsResult",
    "ListObjectsOutput": "ListBucketResult",
    "ListObjectsV2Output": "ListBucketResult",
    "ListPartsOutput": "ListPartsResult",
    "NotificationConfigurationDeprecated": "NotificationConfiguration",
}


_BODILESS = frozenset({"GET", "HEAD", "DELETE"})


class S3RequestParser(RestXMLRequestParser):
    """S3 requests."""

    router_class = S3OperationRouter

    def invalid_parameter(self, name: str, value: str) -> AwsError:
        return InvalidArgument(f"Invalid value for {name}", ArgumentName=name,
                               ArgumentValue=value)

    def prepare_body(
        self, request: HttpRequest, operation: OperationModel, params: dict[str, Any]
    ) -> bytes:
        headers = request.headers
        body = request.body
        trailers: dict[str, str] = {}
        content_sha256 = headers.get("x-amz-content-sha256", "")
        encoding = params.get("ContentEncoding") or headers.get("Content-Encoding") or ""
        if "aws-chunked" in encoding or content_sha256.startswith("STREAMING-"):
            body, trailers = decode_aws_chunked(body)
            decoded = headers.get("x-amz-decoded-content-length")
            if decoded is not None and decoded.strip() != str(len(body)):
                raise IncompleteBody(
                    "The decoded body does not have the length x-amz-decoded-content-length "
                    "announced."
                )
            _strip_aws_chunked(params)
            if "ContentLength" in params:
                params["ContentLength"] = len(body)
        elif content_sha256:
            verify_content_sha256(content_sha256, body)
        content_md5 = headers.get("Content-MD5")
        if content_md5 is not None:
            verify_content_md5(content_md5, body)
        if not body and request.method in _BODILESS:
            return body  # nothing for a checksum to cover
        verified = verify_checksums(headers, trailers, body)
        if trailers and operation.input_shape is not None:
            # A trailer checksum is as good as the header: pass it on like one.
            members = operation.input_shape.members
            for algorithm, value in verified.items():
                name = "Checksum" + algorithm.upper()
                if name in members:
                    params[name] = value
        return body


def _strip_aws_chunked(params: dict[str, Any]) -> None:
    # aws-chunked is the framing, not the object's encoding: S3 does not store it.
    encoding = params.get("ContentEncoding")
    if encoding is None:
        return
    kept = [part.strip() for part in encoding.split(",")
            if part.strip() and part.strip().lower() != "aws-chunked"]
    if kept:
        params["ContentEncoding"] = ", ".join(kept)
    else:
        del params["ContentEncoding"]


class S3ResponseSerializer(RestXMLResponseSerializer):
    """S3 responses."""

    CONTENT_TYPE = "application/xml"

    def new_request_ids(self) -> RequestIds:
        return RequestIds(new_request_id(), new_host_id())

    def namespace(self, operation: OperationModel | None, shape: StructureShape | None) -> str:
        return S3_NAMESPACE

    def root_name(self, operation: OperationModel, shape: StructureShape) -> str:
        return _ROOT_NAMES.get(shape.name, str(shape.name))

    def serialize_structure(
        self,
        operation: OperationModel,
        shape: StructureShape,
        value: Mapping[str, Any],
        root_name: str | None,
    ) -> bytes:
        if operation.name == "GetBucketLocation":
            # The one S3 output whose root element holds the value itself.
            location = escape(value.get("LocationConstraint") or "")
            return (f'{XML_DECLARATION}<LocationConstraint xmlns="{S3_NAMESPACE}">{location}'
                    "</LocationConstraint>").encode()
        return super().serialize_structure(operation, shape, value, root_name)

    def finish_response(
        self,
        response: HttpResponse,
        operation: OperationModel,
        result: Mapping[str, Any],
        request: HttpRequest,
        ids: RequestIds,
    ) -> None:
        response.headers["x-amz-request-id"] = ids.request_id
        response.headers["x-amz-id-2"] = ids.host_id or new_host_id()
        if response.status == 200 and "ContentRange" in result and operation.name == "GetObject":
            response.status = 206

    def serialize_error(
        self,
        error: AwsError,
        operation: OperationModel | None,
        request: HttpRequest,
        ids: RequestIds,
    ) -> HttpResponse:
        headers = {"x-amz-request-id": ids.request_id, "x-amz-id-2": ids.host_id or new_host_id()}
        headers.update(error.headers)
        if request.method == "HEAD":
            # S3 answers a failed HEAD with the status alone (botocore then reports the
            # status as the code: "404").
            return HttpResponse(status=error.status_code, headers=headers)
        body = (
            f"{XML_DECLARATION}<Error><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message>{error_fields_xml(error)}"
            f"<RequestId>{ids.request_id}</RequestId><HostId>{headers['x-amz-id-2']}</HostId></Error>"
        )
        headers["Content-Type"] = self.CONTENT_TYPE
        return HttpResponse(status=error.status_code, headers=headers, body=body.encode("utf-8"))

