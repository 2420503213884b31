"""Aliases: a name for a published version of a function, optionally routing a share of the
invocations to a second version (weighted routing, as AWS's RoutingConfig has it)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.lambda_.models import LATEST

__all__ = ["Alias", "check_weights", "choose_version"]


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


def check_weights(version: str, weights: dict[str, float],
                  check_version: Callable[[str], None]) -> dict[str, float]:
    """AdditionalVersionWeights as AWS validates them (one version, other than the alias's
    own, weight in [0, 1)); `check_version` raises for a version that does not exist."""
    if len(weights) > 1:
        raise InvalidParameterValueException(
            "Number of items in AdditionalVersionWeights cannot be greater than 1",
            Type="User")
    checked: dict[str, float] = {}
    for key, value in weights.items():
        weight = float(value)
        if not 0.0 <= weight < 1.0:
            raise ValidationException(
                f"1 validation error detected: Value '{{{key}={value}}}' at "
                "'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
                "Map value must satisfy constraint: [Member must have value less than or "
                "equal to 1.0, Member must have value greater than or equal to 0.0, Member "
                "must not be null]")
        if key == version:
            raise InvalidParameterValueException(
                f"Invalid function version {version}. Function version {version} is "
                "already included in routing configuration.", Type="User")
        if version == LATEST:
            raise InvalidParameterValueException(
                "$LATEST is not supported for an alias pointing to more than 1 version")
        if not key.isdigit():
            raise ValidationException(
                f"1 validation error detected: Value '{{{key}={value}}}' at "
                "'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
                "Map keys must satisfy constraint: [Member must have length less than or "
                "equal to 1024, Member must have length greater than or equal to 1, Member "
                "must satisfy regular expression pattern: [0-9]+, Member must not be null]")
        check_version(key)
        checked[key] = weight
    return checked
