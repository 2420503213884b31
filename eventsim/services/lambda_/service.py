"""Functions: their configuration, published versions and aliases, and how they are invoked.

Invocation itself is the engine's job; this service validates and hands the call to an
`InvocationBackend` that the simulator supplies, so that services never import the engine.

What to run is named the ways Lambda accepts: ``NAME`` (``$LATEST``, unqualified), ``NAME:7``
(a published version), ``NAME:$LATEST``, ``NAME:ALIAS``, or any of those as an ARN. `resolve`
reads a configuration for it; `peek` picks what one invocation runs (through an alias with
weighted routing, a draw from `routing`, which tests may seed).
"""

from __future__ import annotations

from eventsim.services.base import ServiceContext
from eventsim.services.lambda_.arns import function_name_from_arn
from eventsim.services.lambda_.backend import InvocationBackend
from eventsim.services.lambda_.function_ops import FunctionOperations
from eventsim.services.lambda_.invoke_ops import InvokeOperations
from eventsim.services.lambda_.layers import LayerOperations, LayerVersion
from eventsim.services.lambda_.models import RuntimeKind
from eventsim.services.lambda_.setting_ops import SettingOperations
from eventsim.services.lambda_.version_ops import VersionOperations

__all__ = ["InvocationBackend", "LambdaService", "function_name_from_arn"]


class LambdaService(FunctionOperations, VersionOperations, SettingOperations, InvokeOperations,
                    LayerOperations):
    """Create, read, delete and invoke functions. The operations are grouped by what they act
    on: function definitions (`function_ops`), versions and aliases (`version_ops`), settings
    kept per qualifier (`setting_ops`), invocation (`invoke_ops`) and layers (`layers`), over
    the functions of `catalog`."""

    def __init__(self, ctx: ServiceContext, *, default_runtime: RuntimeKind = "inline") -> None:
        super().__init__(ctx, default_runtime=default_runtime)
        self._layers: dict[str, dict[int, LayerVersion]] = {}
        self._deleted_layers: set[tuple[str, int]] = set()

    async def load(self) -> None:
        """Read the functions, their versions and aliases, and the layers (at start)."""
        await super().load()
        await self.load_layers()
