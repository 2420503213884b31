"""HTTP/S delivery policies: when SNS retries a failed POST, and with which Content-Type.

From https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html: a policy has
four phases after the first attempt, in order: ``numNoDelayRetries`` retries at once,
``numMinDelayRetries`` retries ``minDelayTarget`` seconds apart, a backoff phase from
``minDelayTarget`` to ``maxDelayTarget`` (``backoffFunction``), and ``numMaxDelayRetries``
retries ``maxDelayTarget`` apart, ``numRetries`` retries in all and at most 3,600 s of retrying.
The default is three retries 20 s apart.

The subscription's ``DeliveryPolicy`` (``healthyRetryPolicy``, ``requestPolicy``) wins over the
topic's (``{"http": {"defaultHealthyRetryPolicy", "defaultRequestPolicy",
"disableSubscriptionOverrides"}}``) unless the topic disables overrides.

AWS shows the non-linear backoff functions only as curves; here ``arithmetic`` grows with the
square, ``geometric`` by a constant ratio and ``exponential`` by doubling steps between the two
targets, which keeps their order and end points.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "DEFAULT_POLICY",
    "HttpPolicy",
    "PolicyError",
    "check_delivery_policy",
    "effective_http_policy",
    "parse_retry_policy",
]

DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
MAX_RETRY_SECONDS = 3600.0
_DEFAULTS = {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
             "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0}
_BACKOFF = ("linear", "arithmetic", "geometric", "exponential")


class PolicyError(ValueError):
    """A delivery policy SNS would refuse; the message is the reason."""


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """What a delivery needs of its policy."""

    delays: tuple[float, ...]
    """Seconds before each retry (its length is the number of retries)."""
    content_type: str = DEFAULT_CONTENT_TYPE


def parse_retry_policy(policy: Mapping[str, Any]) -> tuple[float, ...]:
    """The retry delays of a ``healthyRetryPolicy``; raises `PolicyError`."""
    values: dict[str, int] = {}
    for name, default in _DEFAULTS.items():
        value = policy.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PolicyError(f"{name} must be a non-negative integer")
        values[name] = value
    retries = values["numRetries"]
    low, high = values["minDelayTarget"], values["maxDelayTarget"]
    if retries > 100:
        raise PolicyError("numRetries must be at most 100")
    if low < 1 or high > MAX_RETRY_SECONDS or low > high:
        raise PolicyError("minDelayTarget and maxDelayTarget must satisfy "
                          "1 <= minDelayTarget <= maxDelayTarget <= 3600")
    fixed = values["numNoDelayRetries"] + values["numMinDelayRetries"] + \
        values["numMaxDelayRetries"]
    if fixed > retries:
        raise PolicyError("the retries of the phases add up to more than numRetries")
    function = policy.get("backoffFunction", "linear")
    if function not in _BACKOFF:
        raise PolicyError(f"backoffFunction must be one of {', '.join(_BACKOFF)}")
    delays: list[float] = [0.0] * values["numNoDelayRetries"]
    delays += [float(low)] * values["numMinDelayRetries"]
    steps = retries - fixed
    delays += [_backoff(function, low, high, j, steps) for j in range(1, steps + 1)]
    delays += [float(high)] * values["numMaxDelayRetries"]
    if sum(delays) > MAX_RETRY_SECONDS:
        raise PolicyError("the total retry time must be at most 3600 seconds")
    return tuple(delays)


def _backoff(function: str, low: float, high: float, step: int, steps: int) -> float:
    share = step / steps
    if function == "arithmetic":
        return low + (high - low) * share**2
    if function == "geometric":
        return float(low * (high / low) ** share)
    if function == "exponential":
        return float(low + (high - low) * (2**step - 1) / (2**steps - 1))
    return low + (high - low) * share


DEFAULT_POLICY = HttpPolicy(parse_retry_policy({}))


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def effective_http_policy(topic_policy: str | None, subscription_policy: str | None
                          ) -> HttpPolicy:
    """The policy a subscription's deliveries follow (policies were checked when set)."""
    topic = _json(topic_policy).get("http") or {}
    own = {} if topic.get("disableSubscriptionOverrides") else _json(subscription_policy)
    retry = own.get("healthyRetryPolicy") or topic.get("defaultHealthyRetryPolicy")
    request = own.get("requestPolicy") or topic.get("defaultRequestPolicy") or {}
    content_type = request.get("headerContentType") or DEFAULT_CONTENT_TYPE
    if retry is None and content_type == DEFAULT_CONTENT_TYPE:
        return DEFAULT_POLICY
    try:
        delays = parse_retry_policy(retry) if retry else DEFAULT_POLICY.delays
    except PolicyError:
        delays = DEFAULT_POLICY.delays
    return HttpPolicy(delays, str(content_type))


def check_delivery_policy(text: str, *, topic: bool) -> None:
    """Raise `PolicyError` for a DeliveryPolicy attribute SNS would refuse."""
    try:
        policy = json.loads(text)
    except ValueError:
        raise PolicyError("failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise PolicyError("must be a JSON object")
    if topic:
        policy = policy.get("http") or {}
        retry = policy.get("defaultHealthyRetryPolicy")
    else:
        retry = policy.get("healthyRetryPolicy")
    if retry is not None:
        if not isinstance(retry, dict):
            raise PolicyError("the retry policy must be a JSON object")
        parse_retry_policy(retry)
