"""botocore's service models: the one source of operation names, HTTP bindings and shapes.

Loading a model reads (compressed) JSON from disk, so it is cached per process and should be
called off the event loop the first time (the gateway loads its models in a thread at start-up).
"""

from __future__ import annotations

import functools
import logging

from botocore.loaders import Loader  # type: ignore[import-untyped]
from botocore.model import ServiceModel  # type: ignore[import-untyped]

__all__ = ["KNOWN_SERVICES", "load_service_model"]

LOG = logging.getLogger(__name__)

KNOWN_SERVICES = ("s3", "sns", "sqs", "dynamodb", "dynamodbstreams", "kinesis", "lambda",
                  "logs", "sts")
"""The AWS services the gateway may route to, by botocore's service name."""


@functools.cache
def _loader() -> Loader:
    return Loader()


@functools.cache
def load_service_model(service: str) -> ServiceModel:
    """botocore's model of `service` (its newest API version), cached.

    Raises `botocore.exceptions.UnknownServiceError` for a name botocore does not know.
    """
    LOG.debug("loading the botocore model of %s", service)
    return ServiceModel(_loader().load_service_model(service, "service-2"), service_name=service)
