"""From a parsed operation to the one service method that implements it.

Operation ``PutObject`` is the method ``put_object`` of the service object, called with the
input members as snake_case keywords (``Bucket`` -> ``bucket``); it returns a dict keyed by the
output shape's members. The table of methods and their keywords is built once per service.

A parameter the method does not take is dropped when it is one the gateway has dealt with or
that changes nothing here (`IGNORED_PARAMETERS`: checksums already verified, the expected
bucket owner, requester-pays...); any other is answered ``NotImplemented`` naming it, so a
caller never gets a silent half-implementation.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name  # type: ignore[import-untyped]
from botocore.model import OperationModel, ServiceModel  # type: ignore[import-untyped]

from eventsim.errors import NotImplementedOperation

__all__ = ["ECHOED_PARAMETERS", "IGNORED_PARAMETERS", "OperationDispatcher"]

LOG = logging.getLogger(__name__)

IGNORED_PARAMETERS = frozenset({
    "ChecksumAlgorithm",
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumMD5",
    "ChecksumMode",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumSHA512",
    "ChecksumXXHASH128",
    "ChecksumXXHASH3",
    "ChecksumXXHASH64",
    "ContentLength",
    "ContentMD5",
    "ExpectedBucketOwner",
    "ExpectedSourceBucketOwner",
    "RequestPayer",
})
"""Input members dropped when the service method does not take them."""

ECHOED_PARAMETERS = (
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
)
"""Verified checksums S3 returns on the write that carried them (PutObject, UploadPart)."""

Method = Callable[..., Awaitable[Mapping[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class _Target:
    method: Method
    keywords: dict[str, str]
    """Input member -> keyword, for the members the method takes."""
    takes_any: bool
    """The method has ``**kwargs``: every member is passed."""
    echoed: tuple[str, ...]


class OperationDispatcher:
    """Calls the service method of each operation of one service."""

    def __init__(self, service: object, service_model: ServiceModel) -> None:
        self.service = service
        self.service_model = service_model
        self._targets: dict[str, _Target] = {}
        for name in service_model.operation_names:
            method = getattr(service, xform_name(name), None)
            if method is not None and callable(method):
                self._targets[name] = _target(method, service_model.operation_model(name))

    def implements(self, operation: str) -> bool:
        """Whether the service has a method for `operation`."""
        return operation in self._targets

    async def call(self, operation: OperationModel, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run `operation` with `params` (input member names); its output as a dict."""
        target = self._targets.get(operation.name)
        if target is None:
            raise NotImplementedOperation(
                f"eventsim does not implement {self.service_model.service_name} operation "
                f"{operation.name} yet"
            )
        kwargs: dict[str, Any] = {}
        keywords = target.keywords
        for member, value in params.items():
            keyword = keywords.get(member)
            if keyword is not None:
                kwargs[keyword] = value
            elif target.takes_any:
                kwargs[xform_name(member)] = value
            elif member not in IGNORED_PARAMETERS:
                raise NotImplementedOperation(
                    f"eventsim does not implement the {member} parameter of "
                    f"{self.service_model.service_name} operation {operation.name} yet"
                )
        result = await target.method(**kwargs)
        output: dict[str, Any] = dict(result) if result else {}
        for member in target.echoed:
            if member in params and member not in output:
                output[member] = params[member]
        return output


def _target(method: Method, operation: OperationModel) -> _Target:
    # The plan depends only on the method's function and the operation, not on the service
    # object: worked out once per process, so a simulator per test does not pay for
    # inspect.signature on every method of every service each time its gateway starts.
    function = getattr(method, "__func__", None)
    keywords, takes_any, echoed = (
        _plan(function, operation) if function is not None else _plan.__wrapped__(method, operation)
    )
    return _Target(method=method, keywords=keywords, takes_any=takes_any, echoed=echoed)


@functools.cache
def _plan(
    function: Callable[..., Any], operation: OperationModel
) -> tuple[dict[str, str], bool, tuple[str, ...]]:
    """Input member -> keyword for what `function` takes, whether it takes ``**kwargs``, and
    the members echoed in the output."""
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    keywords: dict[str, str] = {}
    shape = operation.input_shape
    if shape is not None:
        for member in shape.members:
            keyword = xform_name(member)
            if keyword in parameters and parameters[keyword].kind in (
                inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
            ):
                keywords[member] = keyword
    output = operation.output_shape
    echoed = tuple(
        m for m in ECHOED_PARAMETERS
        if output is not None and m in output.members and shape is not None and m in shape.members
    )
    return keywords, takes_any, echoed
