"""HTTP/S delivery policies: the retry schedule of each phase, precedence, and refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventsim.services.sns.delivery_policy import (
    DEFAULT_CONTENT_TYPE,
    PolicyError,
    check_delivery_policy,
    effective_http_policy,
    parse_retry_policy,
)


def test_default_is_three_retries_20s_apart() -> None:
    assert parse_retry_policy({}) == (20.0, 20.0, 20.0)
    assert effective_http_policy(None, None).delays == (20.0, 20.0, 20.0)


def test_phases_come_in_order() -> None:
    delays = parse_retry_policy({
        "minDelayTarget": 1, "maxDelayTarget": 9, "numRetries": 8, "numNoDelayRetries": 2,
        "numMinDelayRetries": 1, "numMaxDelayRetries": 1, "backoffFunction": "linear"})
    assert delays == (0.0, 0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 9.0)


@pytest.mark.parametrize("function", ["linear", "arithmetic", "geometric", "exponential"])
def test_backoff_functions_climb_from_min_to_max(function: str) -> None:
    delays = parse_retry_policy({"minDelayTarget": 2, "maxDelayTarget": 64, "numRetries": 5,
                                 "backoffFunction": function})
    assert list(delays) == sorted(delays)
    assert delays[-1] == pytest.approx(64)
    assert delays[0] >= 2


@pytest.mark.parametrize(("policy", "reason"), [
    pytest.param({"numRetries": 101}, "numRetries must be at most 100", id="too-many"),
    pytest.param({"minDelayTarget": 30, "maxDelayTarget": 10},
                 "minDelayTarget and maxDelayTarget must satisfy 1 <= minDelayTarget <= "
                 "maxDelayTarget <= 3600", id="min-above-max"),
    pytest.param({"numRetries": 2, "numNoDelayRetries": 3},
                 "the retries of the phases add up to more than numRetries", id="phases"),
    pytest.param({"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60},
                 "the total retry time must be at most 3600 seconds", id="over-an-hour"),
    pytest.param({"backoffFunction": "random"},
                 "backoffFunction must be one of linear, arithmetic, geometric, exponential",
                 id="backoff"),
    pytest.param({"numRetries": "3"}, "numRetries must be a non-negative integer", id="type"),
])
def test_invalid_retry_policies_are_refused(policy: dict[str, Any], reason: str) -> None:
    with pytest.raises(PolicyError) as exc:
        parse_retry_policy(policy)
    assert str(exc.value) == reason


def test_subscription_policy_wins_unless_the_topic_disables_overrides() -> None:
    topic = {"http": {"defaultHealthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 5,
                                                    "maxDelayTarget": 5}}}
    own = json.dumps({"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 7,
                                             "maxDelayTarget": 7},
                      "requestPolicy": {"headerContentType": "application/json"}})
    policy = effective_http_policy(json.dumps(topic), own)
    assert policy.delays == (7.0, 7.0)
    assert policy.content_type == "application/json"
    topic["http"]["disableSubscriptionOverrides"] = True  # type: ignore[index]
    policy = effective_http_policy(json.dumps(topic), own)
    assert policy.delays == (5.0,)
    assert policy.content_type == DEFAULT_CONTENT_TYPE


def test_check_delivery_policy_reads_topic_and_subscription_forms() -> None:
    check_delivery_policy('{"http": {"defaultHealthyRetryPolicy": {"numRetries": 1}}}',
                          topic=True)
    check_delivery_policy('{"healthyRetryPolicy": {"numRetries": 1}}', topic=False)
    with pytest.raises(PolicyError, match="failed to parse JSON"):
        check_delivery_policy("{", topic=False)
