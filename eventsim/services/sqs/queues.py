"""The rules of one queue: names, URLs and ARNs, attribute defaults and validation.

Queue URLs are ``{endpoint}/{account}/{name}``, with the simulator's own endpoint when it
serves one and ``http://sqs.{region}.localhost:4566`` otherwise (the form LocalStack's
"standard" strategy gives). Any URL whose path ends ``/{account}/{name}`` names the queue, so
clients built with any ``endpoint_url`` work, and boto3 (which sends the URL in the body) too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from eventsim.services.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
    QueueDoesNotExist,
)

__all__ = [
    "COMPUTED_ATTRIBUTES",
    "SETTABLE",
    "Queue",
    "RedrivePolicy",
    "allows_source",
    "default_attributes",
    "name_from_url",
    "queue_arn",
    "queue_url",
    "validate_attributes",
    "validate_queue_name",
]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")

DEFAULT_MAX_MESSAGE_SIZE = 1_048_576
"""The default and the largest MaximumMessageSize, and the most a batch may carry: 1 MiB
(AWS raised it from 256 KiB in 2025; botocore's SQS model documents 1,048,576 bytes)."""
DEDUPLICATION_WINDOW = 300.0
"""Seconds a FIFO queue remembers a deduplication id."""

COMPUTED_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)

_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, DEFAULT_MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
_BOOLEANS = ("SqsManagedSseEnabled", "ContentBasedDeduplication", "FifoQueue")
_FREE_TEXT = ("Policy", "KmsMasterKeyId", "RedrivePolicy", "RedriveAllowPolicy")
_FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
_CHOICES = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
SETTABLE = (*_RANGES, *_BOOLEANS, *_FREE_TEXT, *_CHOICES)


def validate_queue_name(name: str, fifo: bool) -> None:
    """AWS's name rules: 1-80 of ``[A-Za-z0-9_-]``, and ``.fifo`` exactly for FIFO queues
    (the suffix counts towards the 80)."""
    if fifo:
        if not name.endswith(".fifo") or not _NAME.match(name[:-5] + "_fifo"):
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length."
            )
        return
    if not _NAME.match(name):
        raise InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def queue_url(endpoint: str | None, region: str, account: str, name: str) -> str:
    base = (endpoint or f"http://sqs.{region}.localhost:4566").rstrip("/")
    return f"{base}/{account}/{name}"


def name_from_url(url: str, account: str) -> str:
    """The queue a QueueUrl names: the last path segment, when the one before is our account."""
    path = urlsplit(url).path if "://" in url else url
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2 or parts[-2] != account:
        raise QueueDoesNotExist()
    return parts[-1]


def default_attributes(fifo: bool) -> dict[str, str]:
    """The stored attributes of a new queue before the caller's own."""
    attributes = {
        "DelaySeconds": "0",
        "MaximumMessageSize": str(DEFAULT_MAX_MESSAGE_SIZE),
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "VisibilityTimeout": "30",
        "SqsManagedSseEnabled": "true",
    }
    if fifo:
        attributes.update({
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "queue",
            "FifoThroughputLimit": "perQueue",
        })
    return attributes


@dataclass(frozen=True)
class RedrivePolicy:
    dead_letter_target_arn: str
    max_receive_count: int

    @classmethod
    def parse(cls, text: str) -> RedrivePolicy:
        def invalid(reason: str) -> InvalidParameterValue:
            return InvalidParameterValue(
                f"Value {text} for parameter RedrivePolicy is invalid. Reason: {reason}"
            )

        try:
            policy = json.loads(text)
        except ValueError:
            raise invalid("Redrive policy is not a valid JSON map.") from None
        if not isinstance(policy, dict):
            raise invalid("Redrive policy is not a valid JSON map.")
        arn = policy.get("deadLetterTargetArn")
        count = policy.get("maxReceiveCount")
        if not arn:
            raise invalid("Redrive policy does not contain mandatory attribute: "
                          "deadLetterTargetArn.")
        if count is None:
            raise invalid("Redrive policy does not contain mandatory attribute: "
                          "maxReceiveCount.")
        try:
            number = int(count)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 1000:
            raise invalid(f"Invalid value for maxReceiveCount: {count}, valid values are from 1 "
                          "to 1000 both inclusive.")
        return cls(str(arn), number)


def validate_attributes(
    attributes: Mapping[str, Any], *, fifo: bool, creating: bool
) -> dict[str, str]:
    """Check caller-given queue attributes; return them as AWS stores them (strings, booleans
    in lowercase). An empty RedrivePolicy/Policy string means "remove" and is kept as ``""``."""
    result: dict[str, str] = {}
    for name, raw in attributes.items():
        value = str(raw).lower() if isinstance(raw, bool) else str(raw)
        if name in COMPUTED_ATTRIBUTES or name not in SETTABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not fifo and name in ("FifoQueue", "ContentBasedDeduplication"):
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not fifo and name in _FIFO_ONLY:
            raise InvalidAttributeName(
                f"You can specify the {name} only when FifoQueue is set to true."
            )
        if name in _RANGES:
            low, high = _RANGES[name]
            if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = str(int(value))
        elif name in _BOOLEANS:
            if value.lower() not in ("true", "false"):
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = value.lower()
        elif name in _CHOICES and value not in _CHOICES[name]:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        elif name == "RedrivePolicy" and value:
            policy = RedrivePolicy.parse(value)
            # AWS stores and returns the policy re-serialised, with a number for the count.
            value = json.dumps({"deadLetterTargetArn": policy.dead_letter_target_arn,
                                "maxReceiveCount": policy.max_receive_count},
                               separators=(",", ":"))
        elif name == "RedriveAllowPolicy" and value:
            value = _redrive_allow_policy(value)
        elif name == "Policy" and value:
            try:
                json.loads(value)
            except ValueError:
                raise InvalidAttributeValue(
                    f"Invalid value for the parameter {name}."
                ) from None
        result[name] = value
    return result


def _redrive_allow_policy(text: str) -> str:
    """Check a RedriveAllowPolicy: ``allowAll``, ``denyAll``, or ``byQueue`` with 1 to 10
    ``sourceQueueArns``."""
    invalid = InvalidAttributeValue("Invalid value for the parameter RedriveAllowPolicy.")
    try:
        policy = json.loads(text)
    except ValueError:
        raise invalid from None
    if not isinstance(policy, dict):
        raise invalid
    permission = policy.get("redrivePermission")
    sources = policy.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= 10:
            raise invalid
    elif permission not in ("allowAll", "denyAll") or sources is not None:
        raise invalid
    return text


def allows_source(dead_letter_queue: Queue, source_arn: str) -> bool:
    """Whether the queue's RedriveAllowPolicy lets `source_arn` use it as a dead-letter
    queue (no policy: every queue may)."""
    text = dead_letter_queue.attributes.get("RedriveAllowPolicy")
    if not text:
        return True
    policy = json.loads(text)
    permission = policy.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in policy.get("sourceQueueArns", [])
    return True


@dataclass
class Queue:
    """A queue as the service keeps it in memory (the sqs_queues row)."""

    name: str
    arn: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    modified_at: float = 0.0

    def int_attribute(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def redrive_policy(self) -> RedrivePolicy | None:
        text = self.attributes.get("RedrivePolicy")
        return RedrivePolicy.parse(text) if text else None

    def to_row(self) -> tuple[str, str, int, str, str, float, float]:
        return (self.name, self.arn, int(self.fifo), json.dumps(self.attributes),
                json.dumps(self.tags), self.created_at, self.modified_at)
