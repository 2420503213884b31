"""What the pollers are built with (one per simulator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.runtime.invoker import Invoker
from eventsim.services.lambda_.mappings import MappingService
from eventsim.services.lambda_.service import LambdaService
from eventsim.store import Database

__all__ = ["PollerEngine"]


@dataclass
class PollerEngine:
    db: Database
    clock: Clock
    activity: Activity
    invoker: Invoker
    mappings: MappingService
    functions: LambdaService
    wake_dispatcher: Callable[[], None]
    region: str
    account_id: str
