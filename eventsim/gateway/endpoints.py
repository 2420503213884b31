"""What the gateway prepares once per service: model, parser, serializer and dispatch table.

`Gateway.load` builds them all at start-up (in a thread: it reads botocore's model files), so a
request only looks things up. Parsers and serializers are stateless and shared per process.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from botocore.model import ServiceModel  # type: ignore[import-untyped]

from eventsim.errors import NotImplementedOperation
from eventsim.gateway.dispatch import OperationDispatcher
from eventsim.gateway.protocols import (
    RequestParser,
    ResponseSerializer,
    UnsupportedProtocolError,
    create_parser,
    create_serializer,
)
from eventsim.gateway.protocols.rest_xml import RestXMLResponseSerializer
from eventsim.gateway.routing import ServiceNameResolver
from eventsim.gateway.specs import KNOWN_SERVICES, load_service_model
from eventsim.simulator import Simulator

__all__ = ["Gateway", "ServiceEndpoint"]

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServiceEndpoint:
    """One AWS service as the gateway serves it."""

    name: str
    model: ServiceModel
    serializer: ResponseSerializer
    parser: RequestParser | None
    """None while eventsim does not speak the service's protocol."""
    dispatcher: OperationDispatcher | None
    """None when the simulator has no such service."""

    def unavailable(self) -> NotImplementedOperation | None:
        """Why requests for this service cannot be served, if they cannot."""
        if self.parser is None:
            return NotImplementedOperation(
                f"eventsim does not speak the {self.model.protocol} protocol of {self.name} yet"
            )
        if self.dispatcher is None:
            return NotImplementedOperation(f"eventsim does not implement the {self.name} "
                                           "service yet")
        return None


@functools.cache
def _protocol(service: str) -> tuple[RequestParser | None, ResponseSerializer]:
    model = load_service_model(service)
    try:
        parser: RequestParser | None = create_parser(model)
        serializer = create_serializer(model)
    except UnsupportedProtocolError:
        # Until the protocol lands, errors for the service go out in plain rest-xml.
        parser, serializer = None, RestXMLResponseSerializer(model)
    return parser, serializer


class Gateway:
    """The gateway's tables for one simulator."""

    def __init__(self, sim: Simulator, services: tuple[str, ...] = KNOWN_SERVICES) -> None:
        self.sim = sim
        self.services = services
        self.resolver: ServiceNameResolver
        self.endpoints: dict[str, ServiceEndpoint] = {}

    def load(self) -> None:
        """Build every table (blocking: run it in a thread)."""
        models = [load_service_model(name) for name in self.services]
        self.resolver = ServiceNameResolver(models, default="s3")
        for model in models:
            parser, serializer = _protocol(model.service_name)
            try:
                service = self.sim.service(model.service_name)
            except LookupError:
                dispatcher = None
            else:
                dispatcher = OperationDispatcher(service, model)
            self.endpoints[model.service_name] = ServiceEndpoint(
                name=model.service_name, model=model, serializer=serializer, parser=parser,
                dispatcher=dispatcher,
            )
            LOG.debug("gateway serves %s (%s)", model.service_name, model.protocol)

    def unserved(self, name: str, json: bool) -> ServiceEndpoint:
        """The endpoint of a service the gateway does not serve (a request signed for
        ``name``): every request is NotImplemented, said in the service's own protocol when
        botocore knows a service of that name. Otherwise (a signing name such as ``states``,
        Step Functions') it is said as a JSON service says it when the request is a JSON
        protocol's (``json``: it has an ``X-Amz-Target``), else as S3 does. Blocking the
        first time for each name (it reads botocore's model): run it in a thread."""
        endpoint = self.endpoints.get(name)
        if endpoint is not None:
            return endpoint
        try:
            model = load_service_model(name)
        except Exception:
            model = load_service_model("dynamodb" if json else "s3")
            parser, serializer = _protocol(model.service_name)
            # Not kept: the next request signed for this name may speak another protocol.
            return ServiceEndpoint(name=name, model=model, serializer=serializer,
                                   parser=parser, dispatcher=None)
        parser, serializer = _protocol(name)
        endpoint = self.endpoints[name] = ServiceEndpoint(
            name=name, model=model, serializer=serializer, parser=parser, dispatcher=None)
        return endpoint
