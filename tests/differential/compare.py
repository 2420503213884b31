"""Comparing what moto and eventsim answer to the same boto3 calls.

`outcome(call)` runs one boto3 call and reduces its answer to what must agree between two
implementations: for a success, the shape of the response (keys and value types, with
``ResponseMetadata`` dropped); for an error, the code and HTTP status. Ids, timestamps and
other values that differ by nature drop out because only types are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

__all__ = ["MotoIsWrong", "Outcome", "assert_agrees", "outcome", "run_steps", "shape"]

Outcome = tuple[str, Any]
MotoIsWrong = Mapping[str, tuple[str, Callable[[Outcome], bool]]]
"""Step name -> (why, and the AWS behaviour eventsim's outcome must show) where moto is wrong."""


def shape(value: Any) -> Any:
    """Keys and value types of a response; a list is shown by its first item."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items()) if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, dt.datetime):
        return "datetime"
    if hasattr(value, "read"):
        return "stream"
    return type(value).__name__


def outcome(call: Callable[[], Any]) -> Outcome:
    """("ok", shape) for a success, ("error", (code, status)) for an AWS error."""
    try:
        return "ok", shape(call())
    except ClientError as exc:
        error = exc.response["Error"]
        return "error", (error["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"])


def run_steps(moto: Any, ours: Any, steps: Sequence[tuple[str, Callable[[Any], Any]]],
              ) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto's client, then eventsim's:
    name -> (moto's outcome, eventsim's)."""
    moto_outcomes = [outcome(lambda fn=fn: fn(moto)) for _, fn in steps]  # type: ignore[misc]
    our_outcomes = [outcome(lambda fn=fn: fn(ours)) for _, fn in steps]  # type: ignore[misc]
    return {name: (m, o) for (name, _), m, o in zip(steps, moto_outcomes, our_outcomes,
                                                     strict=True)}


def assert_agrees(step: str, moto: Outcome, ours: Outcome, moto_is_wrong: MotoIsWrong) -> None:
    """eventsim answers `step` as moto does, or, where moto is wrong, as AWS does."""
    if step in moto_is_wrong:
        why, aws_behaviour = moto_is_wrong[step]
        assert moto != ours, f"moto now agrees on {step}; drop the exception ({why})"
        assert aws_behaviour(ours), why
    else:
        assert ours == moto
