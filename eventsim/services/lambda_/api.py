"""Lambda's API as AWS names it, for the gateway: one method per operation, AWS's output shapes.

`LambdaService` keeps the Python-friendly API (``create_function(name=..., code_dir=...)``) and
is the one implementation; `LambdaAPI` only translates: it reads the function's name and
qualifier the ways AWS accepts them (name, ``name:qualifier``, partial and full ARNs), calls
the service, and shapes what comes back as botocore's parser would (``FunctionConfiguration``,
Invoke's status code, headers and raw payload).

Operations of other objects can be exposed through the same endpoint (the event source mapping
service): `LambdaAPI(functions, mappings=...)` forwards the operation names listed in
`MAPPING_OPERATIONS` to it, so the gateway's dispatcher finds them as methods of this object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsim.services.lambda_.api_concurrency import ConcurrencySettings
from eventsim.services.lambda_.api_event_invoke import EventInvokeConfigs
from eventsim.services.lambda_.api_functions import FunctionLifecycle
from eventsim.services.lambda_.api_invoke import Invoking
from eventsim.services.lambda_.api_layers import Layers
from eventsim.services.lambda_.api_policy import ResourcePolicy
from eventsim.services.lambda_.api_recursion import RecursionSettings
from eventsim.services.lambda_.api_tags import Tagging
from eventsim.services.lambda_.service import LambdaService

__all__ = ["MAPPING_OPERATIONS", "LambdaAPI"]

MAPPING_OPERATIONS = frozenset({
    "create_event_source_mapping",
    "delete_event_source_mapping",
    "get_event_source_mapping",
    "list_event_source_mappings",
    "update_event_source_mapping",
})
"""The operations forwarded to the `mappings` object, when it has them."""


class LambdaAPI(
    FunctionLifecycle, ConcurrencySettings, Invoking, EventInvokeConfigs, ResourcePolicy, Tagging,
    RecursionSettings, Layers,
):
    """The Lambda operations the gateway dispatches to, implemented by `LambdaService`. They
    are grouped by what they act on: functions (`api_functions`), versions and aliases
    (`api_versions`), concurrency and account settings (`api_concurrency`), invocation
    (`api_invoke`), asynchronous invocation settings (`api_event_invoke`), the resource policy
    (`api_policy`), tags (`api_tags`), recursive loop detection (`api_recursion`) and layers
    (`api_layers`), over the helpers of `api_base`."""

    def __init__(
        self,
        functions: LambdaService,
        mappings: object | None = None,
        *,
        code_root: Path | None = None,
    ) -> None:
        super().__init__(functions, code_root=code_root)
        self.mappings = mappings

    def __getattr__(self, name: str) -> Any:
        # Only the listed operations are forwarded, so the dispatcher never finds anything
        # else of the mappings object by accident.
        if name in MAPPING_OPERATIONS and self.mappings is not None:
            return getattr(self.mappings, name)
        raise AttributeError(name)
