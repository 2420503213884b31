"""Evaluating a function's resource-based policy: may this AWS service invoke it, for this
source?

The statements are those AddPermission writes (`eventsim.services.lambda_.shapes.statement`):
a principal (``*``, ``{"Service": ...}`` or ``{"AWS": ...}``), an action, and conditions on
``AWS:SourceArn`` (``ArnLike``/``ArnEquals``, ``*`` and ``?`` wildcards) and
``AWS:SourceAccount`` (``StringEquals``/``StringLike``). As in IAM, a matching Deny wins, an
Allow is needed, and a condition on a key the request does not carry does not hold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["invocation_allowed"]

INVOKE = "lambda:InvokeFunction"


def invocation_allowed(
    statements: Iterable[dict[str, Any]], *, principal: str, source_arn: str | None,
    source_account: str | None, action: str = INVOKE,
) -> bool:
    """Whether the statements let service `principal` (``s3.amazonaws.com``) perform
    `action` with the request's source ARN and account."""
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": source_account}
    allowed = False
    for statement in statements:
        if not (_principal_matches(statement.get("Principal"), principal)
                and _action_matches(statement.get("Action"), action)
                and _conditions_hold(statement.get("Condition") or {}, context)):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _principal_matches(who: Any, service: str) -> bool:
    if who == "*":
        return True
    if not isinstance(who, dict):
        return False
    services = who.get("Service")
    if isinstance(services, str):
        services = [services]
    return service in (services or []) or who.get("AWS") == "*"


def _action_matches(actions: Any, action: str) -> bool:
    if isinstance(actions, str):
        actions = [actions]
    return any(_wildcard(str(a).lower()).fullmatch(action.lower()) for a in actions or [])


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str | None]) -> bool:
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            actual = context.get(str(key).lower())
            values = expected if isinstance(expected, list) else [expected]
            if actual is None or not any(_compare(operator, str(v), actual) for v in values):
                return False
    return True


def _compare(operator: str, expected: str, actual: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return expected == actual
    if operator in ("StringLike", "ArnLike"):
        return _wildcard(expected).fullmatch(actual) is not None
    if operator == "StringEqualsIgnoreCase":
        return expected.lower() == actual.lower()
    return False  # an operator eventsim does not know holds for nothing


@functools.lru_cache(maxsize=512)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
                              for ch in pattern), re.S)
