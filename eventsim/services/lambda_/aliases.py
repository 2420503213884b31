"""Aliases: a name for a published version of a function, optionally routing a share of the
invocations to a second version (weighted routing, as AWS's RoutingConfig has it)."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Alias", "choose_version"]


@dataclass(frozen=True)
class Alias:
    """One alias of a function. The asynchronous settings and the resource policy are the
    alias's own (PutFunctionEventInvokeConfig and AddPermission take the alias as qualifier)."""

    function: str
    name: str
    arn: str
    function_version: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    """AdditionalVersionWeights: version -> share of invocations (AWS allows one)."""
    revision_id: str = ""
    policy: list[dict[str, Any]] = field(default_factory=list)
    maximum_retry_attempts: int = 2
    maximum_event_age: int = 21600
    on_success: str | None = None
    on_failure: str | None = None
    event_invoke_config_at: float | None = None
    event_invoke_config_given: list[str] = field(default_factory=list)

    def versions(self) -> set[str]:
        """Every version this alias may run."""
        return {self.function_version, *self.weights}

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Alias:
        data: dict[str, Any] = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})


_FIELDS = frozenset(f.name for f in fields(Alias))


def choose_version(alias: Alias, rng: random.Random) -> str:
    """The version one invocation through `alias` runs: an additional version with its weight's
    probability, else the alias's own version."""
    if not alias.weights:
        return alias.function_version
    draw = rng.random()
    for version, weight in sorted(alias.weights.items()):
        if draw < weight:
            return version
        draw -= weight
    return alias.function_version
