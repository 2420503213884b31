"""Topics and subscriptions: their rows, their names and the attributes SNS reports.

Attribute names and defaults follow the API reference (``GetTopicAttributes``,
``GetSubscriptionAttributes``, ``SetSubscriptionAttributes``); every value is a string, as on
the wire.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from eventsim.services.sns.errors import InvalidParameter, SubscriptionNotFound, TopicNotFound

__all__ = [
    "DEFAULT_MAXIMUM_MESSAGE_SIZE",
    "LARGE_MESSAGE_PROTOCOLS",
    "MAXIMUM_MESSAGE_SIZE_RANGE",
    "SUBSCRIPTION_ATTRIBUTES",
    "TOPIC_ATTRIBUTES",
    "Subscription",
    "Topic",
    "dead_letter_target",
    "default_policy",
    "load_subscription",
    "load_subscriptions",
    "load_topic",
    "topic_arn",
    "validate_topic_name",
]

TOPIC_ATTRIBUTES = frozenset({
    "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId",
    "SignatureVersion", "FifoTopic", "ContentBasedDeduplication", "ArchivePolicy",
    "FifoThroughputScope", "MaximumMessageSize",
    *(f"{p}{k}" for p in ("HTTP", "Firehose", "Lambda", "Application", "SQS")
      for k in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")),
})
"""Attributes CreateTopic and SetTopicAttributes accept."""

DEFAULT_MAXIMUM_MESSAGE_SIZE = 256 * 1024
MAXIMUM_MESSAGE_SIZE_RANGE = (1024, 1024 * 1024)
LARGE_MESSAGE_PROTOCOLS = frozenset({"sqs", "firehose", "lambda"})
"""A topic's MaximumMessageSize: 1,024 to 1,048,576 bytes, 262,144 by default; above 256 KiB
the topic may have at most 100 subscriptions, all SQS, Firehose or Lambda (botocore's sns
model, CreateTopic and SetTopicAttributes, MaximumMessageSize)."""

SUBSCRIPTION_ATTRIBUTES = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "SubscriptionRoleArn", "ReplayPolicy",
})
"""Attributes Subscribe and SetSubscriptionAttributes accept."""

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")

DEFAULT_HTTP_DELIVERY_POLICY = {
    "healthyRetryPolicy": {
        "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
    },
    "sicklyRetryPolicy": None, "throttlePolicy": None, "guaranteed": False,
}
"""SNS's default delivery policy for HTTP/S endpoints: three retries, 20 s apart
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html)."""


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def validate_topic_name(name: str, fifo: bool) -> None:
    """CreateTopic's naming rules."""
    if fifo:
        if not _FIFO_NAME.match(name):
            raise InvalidParameter(
                "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of "
                "only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, "
                "and must be between 1 and 256 characters long.")
    elif not _NAME.match(name):
        raise InvalidParameter("Invalid parameter: Topic Name")


def dead_letter_target(redrive_policy: str | None) -> str | None:
    """The ``deadLetterTargetArn`` of a subscription's RedrivePolicy text, if it names one."""
    if not redrive_policy:
        return None
    try:
        target = json.loads(redrive_policy).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return str(target) if target else None


def _true(value: str | None) -> bool:
    return (value or "").lower() == "true"


@dataclass
class Topic:
    """A topic row."""

    arn: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    sequence: int = 0

    @property
    def fifo(self) -> bool:
        return _true(self.attributes.get("FifoTopic"))

    @property
    def content_based_deduplication(self) -> bool:
        return _true(self.attributes.get("ContentBasedDeduplication"))

    @property
    def maximum_message_size(self) -> int:
        """Bytes a message (body and attributes) may have when published to the topic."""
        return int(self.attributes.get("MaximumMessageSize") or DEFAULT_MAXIMUM_MESSAGE_SIZE)

    def reported_attributes(self, account: str, counts: tuple[int, int]) -> dict[str, str]:
        """What GetTopicAttributes answers: the defaults, then what the user set."""
        confirmed, pending = counts
        attributes = {
            "Policy": json.dumps(default_policy(self.arn, account)),
            "Owner": account,
            "SubscriptionsPending": str(pending),
            "TopicArn": self.arn,
            "EffectiveDeliveryPolicy": json.dumps({"http": {
                "defaultHealthyRetryPolicy": DEFAULT_HTTP_DELIVERY_POLICY["healthyRetryPolicy"],
                "disableSubscriptionOverrides": False}}),
            "SubscriptionsConfirmed": str(confirmed),
            "DisplayName": "",
            "SubscriptionsDeleted": "0",
        }
        if self.fifo:
            attributes["FifoTopic"] = "true"
            attributes["ContentBasedDeduplication"] = "false"
        attributes.update(self.attributes)
        return attributes


def default_policy(arn: str, account: str) -> dict[str, Any]:
    """The policy SNS gives a new topic: its account may do everything with it."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    }


@dataclass
class Subscription:
    """A subscription row."""

    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    attributes: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    confirmed: bool = True

    @property
    def raw(self) -> bool:
        return _true(self.attributes.get("RawMessageDelivery"))

    @property
    def listed_arn(self) -> str:
        """The ARN as List* and Subscribe show it: ``PendingConfirmation`` until confirmed."""
        return self.arn if self.confirmed else "PendingConfirmation"

    def dead_letter_queue(self) -> str | None:
        """The ``deadLetterTargetArn`` of the RedrivePolicy, if one is set."""
        return dead_letter_target(self.attributes.get("RedrivePolicy"))

    def reported_attributes(self, account: str) -> dict[str, str]:
        """What GetSubscriptionAttributes answers."""
        attributes = {
            "Owner": account,
            "RawMessageDelivery": "false",
            "TopicArn": self.topic_arn,
            "Endpoint": self.endpoint,
            "Protocol": self.protocol,
            "PendingConfirmation": "false" if self.confirmed else "true",
            "ConfirmationWasAuthenticated": "true" if self.confirmed else "false",
            "SubscriptionArn": self.arn,
            "SubscriptionPrincipal": f"arn:aws:iam::{account}:user/eventsim",
        }
        if self.protocol in ("http", "https"):
            attributes["EffectiveDeliveryPolicy"] = (self.attributes.get("DeliveryPolicy")
                                                     or json.dumps(DEFAULT_HTTP_DELIVERY_POLICY))
        attributes.update(self.attributes)
        # The scope is shown with a policy only (the default when none was set).
        if "FilterPolicy" in attributes:
            attributes.setdefault("FilterPolicyScope", "MessageAttributes")
        else:
            attributes.pop("FilterPolicyScope", None)
        return attributes


def _topic(row: sqlite3.Row) -> Topic:
    return Topic(arn=row["arn"], name=row["name"], attributes=json.loads(row["attributes"]),
                 tags=json.loads(row["tags"]), sequence=row["sequence"])


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(arn=row["arn"], topic_arn=row["topic_arn"], protocol=row["protocol"],
                        endpoint=row["endpoint"], attributes=json.loads(row["attributes"]),
                        token=row["token"], confirmed=bool(row["confirmed"]))


def load_topic(conn: sqlite3.Connection, arn: str) -> Topic:
    """The topic, or `TopicNotFound`."""
    row = conn.execute("SELECT * FROM sns_topics WHERE arn = ?", (arn,)).fetchone()
    if row is None:
        raise TopicNotFound()
    return _topic(row)


def load_subscription(conn: sqlite3.Connection, arn: str) -> Subscription:
    """The subscription, or `SubscriptionNotFound`."""
    row = conn.execute("SELECT * FROM sns_subscriptions WHERE arn = ?", (arn,)).fetchone()
    if row is None:
        raise SubscriptionNotFound()
    return _subscription(row)


def load_subscriptions(conn: sqlite3.Connection, topic: str | None = None) -> list[Subscription]:
    """A topic's subscriptions (or all), oldest first."""
    if topic is None:
        rows = conn.execute("SELECT * FROM sns_subscriptions ORDER BY created_at, arn").fetchall()
    else:
        rows = conn.execute(
            "SELECT * FROM sns_subscriptions WHERE topic_arn = ? ORDER BY created_at, arn",
            (topic,)).fetchall()
    return [_subscription(r) for r in rows]


def list_topics(conn: sqlite3.Connection) -> list[Topic]:
    return [_topic(r) for r in conn.execute("SELECT * FROM sns_topics ORDER BY arn").fetchall()]
