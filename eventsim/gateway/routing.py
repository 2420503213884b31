"""Which service, and which operation, a request is for.

Service: the ``X-Amz-Target`` prefix of the JSON protocols (``DynamoDB_20120810.PutItem``), else
the service in the SigV4 credential scope (``Credential=AKID/20240101/us-east-1/sqs/aws4_request``,
in the ``Authorization`` header or a presigned URL's ``X-Amz-Credential``), else, for an unsigned
request with an ``Action`` in its query string, the query-protocol service (SNS: a subscription's
``SubscribeURL`` is opened unsigned; an unsigned form POST stays S3's, whose clients send them
too), else S3, which is also what any
other unsigned or SigV2-signed request is.

Operation (REST protocols): the request's method and path are matched against every operation's
``http.requestUri`` template. Operations that share a method and template are told apart by what
they require: the template's query discriminators (``/{Bucket}?notification``,
``?list-type=2``), required query members (``uploadId``) and required headers
(``x-amz-copy-source`` makes a ``PUT /{Bucket}/{Key+}`` a CopyObject). The rules are compiled
once per service and indexed by method and discriminating query key.

S3 also takes the bucket from the host name (virtual-hosted-style addressing):
``<bucket>.s3.amazonaws.com``, ``<bucket>.s3.<region>.amazonaws.com``,
``<bucket>.s3.localhost.localstack.cloud`` and ``<bucket>.localhost``; `S3OperationRouter`
rewrites such requests to path style before matching.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from botocore.model import OperationModel, ServiceModel  # type: ignore[import-untyped]

from eventsim.errors import NotImplementedOperation

__all__ = [
    "RestOperationRouter",
    "S3OperationRouter",
    "ServiceNameResolver",
    "s3_bucket_from_host",
]

LOG = logging.getLogger(__name__)

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class _Rule:
    operation: OperationModel
    pattern: re.Pattern[str]
    labels: tuple[tuple[str, str], ...]
    """(regex group, URI label) pairs."""
    query: tuple[tuple[str, str | None], ...]
    """Query discriminators of the template: name and, if given, the value it must have."""
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    specificity: tuple[int, int, int, int]
    """Most specific first: discriminators, literal characters, fewer greedy labels, and a
    current operation before a deprecated one on the same wire (GetBucketNotification)."""

    def accepts(
        self, query: Mapping[str, list[str]], headers: Mapping[str, str]
    ) -> bool:
        for name, value in self.query:
            values = query.get(name)
            if values is None or (value is not None and value not in values):
                return False
        for name in self.required_query:
            if name not in query:
                return False
        for header in self.required_headers:
            if header not in headers:
                return False
        return True


def _compile(operation: OperationModel) -> _Rule:
    template: str = operation.http["requestUri"]
    path, _, query_part = template.partition("?")
    regex: list[str] = ["^"]
    labels: list[tuple[str, str]] = []
    literal = 0
    greedy = 0
    position = 0
    for index, found in enumerate(_LABEL.finditer(path)):
        regex.append(re.escape(path[position : found.start()]))
        literal += found.start() - position
        name = found.group(1)
        group = f"g{index}"
        if name.endswith("+"):
            regex.append(f"(?P<{group}>.+)")
            name = name[:-1]
            greedy += 1
        else:
            regex.append(f"(?P<{group}>[^/]+)")
        labels.append((group, name))
        position = found.end()
    regex.append(re.escape(path[position:]))
    literal += len(path) - position
    # "/{Bucket}" also answers "/bucket/" (what a virtual-hosted "/" becomes).
    if not path.endswith("/") and not (labels and path.endswith("+}")):
        regex.append("/?")
    regex.append("$")

    query: list[tuple[str, str | None]] = []
    for part in filter(None, query_part.split("&")):
        name, sep, value = part.partition("=")
        query.append((name, value if sep and not _LABEL.search(value) else None))

    required_query: list[str] = []
    required_headers: list[str] = []
    shape = operation.input_shape
    if shape is not None:
        for member_name in shape.required_members:
            serialization = shape.members[member_name].serialization
            location = serialization.get("location")
            if location == "querystring":
                required_query.append(serialization.get("name", member_name))
            elif location == "header":
                required_headers.append(serialization.get("name", member_name).lower())
    discriminators = len(query) + len(required_query) + len(required_headers)
    return _Rule(
        operation=operation,
        pattern=re.compile("".join(regex), re.DOTALL),
        labels=tuple(labels),
        query=tuple(query),
        required_query=tuple(required_query),
        required_headers=tuple(required_headers),
        specificity=(discriminators, literal, -greedy, 0 if operation.deprecated else 1),
    )


class RestOperationRouter:
    """Matches requests to the operations of one REST service (rest-xml, rest-json)."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model
        rules = [_compile(service_model.operation_model(name))
                 for name in service_model.operation_names]
        rules.sort(key=lambda rule: rule.specificity, reverse=True)
        # Per method: rules with a query discriminator, indexed by their first one (checked
        # first: a "?notification" is the strongest sign), then all other rules.
        self._by_query: dict[str, dict[str, list[_Rule]]] = {}
        self._plain: dict[str, list[_Rule]] = {}
        for rule in rules:
            method = rule.operation.http["method"]
            if rule.query:
                index = self._by_query.setdefault(method, {})
                index.setdefault(rule.query[0][0], []).append(rule)
            else:
                self._plain.setdefault(method, []).append(rule)

    def match(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
    ) -> tuple[OperationModel, dict[str, str]]:
        """The operation and its URI labels (still percent-encoded) for a request.

        Raises `NotImplementedOperation` when no operation of the service matches.
        """
        index = self._by_query.get(method)
        if index and query:
            candidates = [rule for name in query for rule in index.get(name, ())]
            if len(candidates) > 1:
                candidates.sort(key=lambda rule: rule.specificity, reverse=True)
            found = self._first(candidates, path, query, headers)
            if found is not None:
                return found
        found = self._first(self._plain.get(method, ()), path, query, headers)
        if found is not None:
            return found
        raise NotImplementedOperation(
            f"eventsim could not match {method} {path} to an operation of "
            f"{self.service_model.service_name}"
        )

    @staticmethod
    def _first(
        rules: Iterable[_Rule],
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
    ) -> tuple[OperationModel, dict[str, str]] | None:
        for rule in rules:
            if not rule.accepts(query, headers):
                continue
            found = rule.pattern.match(path)
            if found is not None:
                return rule.operation, {label: found.group(group) for group, label in rule.labels}
        return None


class S3OperationRouter(RestOperationRouter):
    """S3: virtual-hosted-style requests are matched as their path-style equivalent."""

    def match(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
    ) -> tuple[OperationModel, dict[str, str]]:
        bucket = s3_bucket_from_host(headers.get("Host", ""))
        if bucket is not None:
            path = f"/{bucket}{path}" if path.startswith("/") else f"/{bucket}/{path}"
        return super().match(method, path, query, headers)


_S3_VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*"
    r"\.(?:amazonaws\.com(?:\.cn)?|localhost\.localstack\.cloud|localhost)$"
)


def s3_bucket_from_host(host: str) -> str | None:
    """The bucket named by a virtual-hosted-style S3 host name, or None for path style."""
    if not host or host[0] == "[":
        return None
    name = host.rpartition(":")[0] if ":" in host else host
    name = name.lower()
    if not name.endswith(("localhost", ".com", ".cn", ".cloud")):
        return None
    found = _S3_VIRTUAL_HOST.match(name)
    if found is not None:
        return found.group("bucket")
    if name.endswith(".localhost") and name != "s3.localhost":
        return name[: -len(".localhost")]
    return None


class ServiceNameResolver:
    """Names the service a request is for (see the module docstring for the rules)."""

    def __init__(self, models: Iterable[ServiceModel], default: str = "s3") -> None:
        self.default = default
        self._targets: dict[str, str] = {}
        self._signing: dict[str, str] = {}
        self._query: str | None = None
        for model in models:
            if model.protocol == "query" and self._query is None:
                self._query = model.service_name
            prefix = model.metadata.get("targetPrefix")
            if prefix:
                self._targets.setdefault(prefix, model.service_name)
            signing = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
            if signing:
                self._signing.setdefault(signing, model.service_name)
            self._signing.setdefault(model.service_name, model.service_name)

    def resolve(self, headers: Mapping[str, str], query: str = "") -> str:
        """The botocore name of the service the request is for; for a request signed for a
        service the gateway does not serve, that service's signing name (which the gateway
        answers NotImplemented, in the service's own protocol where botocore knows it)."""
        target = headers.get("X-Amz-Target")
        if target:
            service = self._targets.get(target.rpartition(".")[0])
            if service is not None:
                return service
        authorization = headers.get("Authorization")
        if authorization:
            scope = _credential_scope(authorization, "Credential=")
            if scope is not None:
                return self._signing.get(scope, scope)
        elif "X-Amz-Credential=" in query:
            scope = _credential_scope(query.replace("%2F", "/").replace("%2f", "/"),
                                      "X-Amz-Credential=")
            if scope is not None:
                return self._signing.get(scope, scope)
        if self._query is not None and (query.startswith("Action=") or "&Action=" in query):
            return self._query
        return self.default


def _credential_scope(text: str, marker: str) -> str | None:
    """The service part of ``<marker>AKID/date/region/service/aws4_request``."""
    start = text.find(marker)
    if start < 0:
        return None
    end = text.find("/aws4_request", start)
    if end < 0:
        return None
    service_start = text.rfind("/", start, end)
    return text[service_start + 1 : end] if service_start > start else None
