"""SNS's checks of its input: ARNs, endpoints, subscription attributes, tags, page tokens.

Messages are AWS's (``Invalid parameter: ...``); a Subscribe reports an attribute as
``Invalid parameter: Attributes Reason: ...``, a SetSubscriptionAttributes without the
``Attributes Reason:`` part.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from typing import Any

from eventsim.matching.sns_policy import FilterPolicyError, compile_filter_policy
from eventsim.services.sns.delivery_policy import PolicyError, check_delivery_policy
from eventsim.services.sns.errors import InvalidParameter, ResourceNotFound, TagLimitExceeded
from eventsim.services.sns.models import (
    LARGE_MESSAGE_PROTOCOLS,
    MAXIMUM_MESSAGE_SIZE_RANGE,
    SUBSCRIPTION_ATTRIBUTES,
)

__all__ = [
    "MAX_TAGS",
    "PAGE",
    "check_endpoint",
    "check_large_message_subscriptions",
    "check_maximum_message_size",
    "check_subscription_attribute",
    "check_topic_arn",
    "check_topic_delivery_policy",
    "page",
    "tags_from_api",
    "tags_of",
]

PAGE = 100
"""List* operations return up to 100 items a page."""
MAX_TAGS = 50
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")


def check_topic_arn(arn: str, name: str = "TopicArn") -> None:
    if not _TOPIC_ARN.match(arn):
        raise InvalidParameter(f"Invalid parameter: {name}")


def check_endpoint(protocol: str, endpoint: str) -> None:
    if protocol == "sqs" and not re.match(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:.+$", endpoint):
        raise InvalidParameter("Invalid parameter: SQS endpoint ARN")
    if protocol == "lambda" and not re.match(
            r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$", endpoint):
        raise InvalidParameter("Invalid parameter: Lambda endpoint ARN")
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise InvalidParameter("Invalid parameter: Endpoint must match the specified protocol")


def check_subscription_attribute(protocol: str, name: str, value: str,
                                  attrs: Mapping[str, str], *, subscribe: bool) -> None:
    """SNS's checks of one subscription attribute (`attrs`: all of them, after the change)."""
    prefix = "Invalid parameter: Attributes Reason: " if subscribe else "Invalid parameter: "
    if name not in SUBSCRIPTION_ATTRIBUTES:
        raise InvalidParameter("Invalid parameter: AttributeName")
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise InvalidParameter(f"{prefix}RawMessageDelivery: Invalid value [{value}]. "
                                   "Must be true or false.")
        if protocol == "lambda":
            raise InvalidParameter(f"{prefix}Delivery protocol [{protocol}] does not support "
                                   "raw message delivery.")
    elif name in ("FilterPolicy", "FilterPolicyScope"):
        scope = attrs.get("FilterPolicyScope") or "MessageAttributes"
        if scope not in ("MessageAttributes", "MessageBody"):
            raise InvalidParameter(f"{prefix}FilterPolicyScope: Invalid value [{scope}]. "
                                   "Please use either MessageBody or MessageAttributes")
        policy = attrs.get("FilterPolicy")
        if policy:
            try:
                compile_filter_policy(policy, scope)
            except FilterPolicyError as exc:
                raise InvalidParameter(f"{prefix}FilterPolicy: {exc}") from None
    elif name == "DeliveryPolicy":
        try:
            check_delivery_policy(value, topic=False)
        except PolicyError as exc:
            raise InvalidParameter(f"{prefix}DeliveryPolicy: {exc}") from None
    elif name == "RedrivePolicy":
        try:
            policy = json.loads(value)
        except ValueError:
            raise InvalidParameter(f"{prefix}RedrivePolicy: failed to parse JSON.") from None
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if not isinstance(target, str) or len(target.split(":")) < 6 or \
                not target.startswith("arn:"):
            raise InvalidParameter(
                f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")


def tags_from_api(tags: list[Mapping[str, str]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag in tags:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameter("Invalid parameter: Tags Reason: Tag key or value is invalid")
        result[key] = value
    if len(result) > MAX_TAGS:
        raise TagLimitExceeded()
    return result


def tags_of(conn: sqlite3.Connection, arn: str) -> dict[str, str]:
    row = conn.execute("SELECT tags FROM sns_topics WHERE arn = ?", (arn,)).fetchone()
    if row is None:
        raise ResourceNotFound()
    tags: dict[str, str] = json.loads(row[0])
    return tags


def page(items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            raise InvalidParameter("Invalid parameter: NextToken") from None
    chunk = items[start : start + PAGE]
    more = start + PAGE < len(items)
    return chunk, str(start + PAGE) if more else None


def check_topic_delivery_policy(value: str) -> None:
    """A topic's DeliveryPolicy attribute, checked as SNS does."""
    try:
        check_delivery_policy(value, topic=True)
    except PolicyError as exc:
        raise InvalidParameter(f"Invalid parameter: DeliveryPolicy: {exc}") from None


def check_maximum_message_size(value: str, reason: str = "") -> int:
    """A topic's MaximumMessageSize: a whole number of bytes from 1,024 to 1,048,576 (botocore's
    sns model). AWS's wording of the refusal is not published; this follows SNS's
    "Invalid parameter: <name>" form. `reason` is CreateTopic's "Attributes Reason: "."""
    low, high = MAXIMUM_MESSAGE_SIZE_RANGE
    try:
        size = int(value)
    except ValueError:
        size = -1
    if not low <= size <= high:
        raise InvalidParameter(f"Invalid parameter: {reason}MaximumMessageSize")
    return size


def check_large_message_subscriptions(protocols: list[str]) -> None:
    """A topic whose MaximumMessageSize is above 256 KiB has at most 100 subscriptions, each
    SQS, Firehose or Lambda; SNS answers InvalidParameter otherwise (botocore's sns model,
    SetTopicAttributes, MaximumMessageSize)."""
    if len(protocols) > 100 or not set(protocols) <= LARGE_MESSAGE_PROTOCOLS:
        raise InvalidParameter(
            "Invalid parameter: MaximumMessageSize Reason: a topic whose MaximumMessageSize is "
            "above 262144 can have at most 100 subscriptions, each sqs, firehose or lambda")
