"""What a publish writes: checked input, FIFO deduplication and ordering, and one row per
subscription whose filter policy lets the message through, all inside the publish's unit.

- ``lambda``: a row in the asynchronous invoke queue with the SNS event record (SNS invokes
  functions asynchronously), or, when the publish itself runs inside the dispatcher (a
  ``topic`` outbox row), a ``function`` outbox row that the dispatcher queues next;
- ``sqs``: a ``queue`` outbox row: the JSON envelope as the body, or the raw message with its
  attributes as SQS message attributes when ``RawMessageDelivery`` is true;
- ``http``/``https``: an ``http`` outbox row, POSTed by `eventsim.services.sns.http_delivery`
  once the unit has committed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsim.events import sns as sns_events
from eventsim.ids import new_uuid
from eventsim.matching.sns_policy import FilterPolicy, FilterPolicyError, compile_filter_policy
from eventsim.services.base import Pending
from eventsim.services.lambda_.arns import function_ref
from eventsim.services.sns.delivery_policy import DEFAULT_CONTENT_TYPE, effective_http_policy
from eventsim.services.sns.errors import InvalidParameter, ParameterValueInvalid
from eventsim.services.sns.models import Subscription, Topic, load_subscriptions
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.store.queue import insert_queued_event
from eventsim.tracing import Cause

__all__ = ["Entry", "Publisher", "message_size", "validate_entry"]

LOG = logging.getLogger(__name__)

DEDUPLICATION_SECONDS = 300.0
_ATTRIBUTE_TYPES = ("String", "Number", "Binary", "String.Array")
_STRUCTURE_KEYS = {"lambda": "lambda", "sqs": "sqs", "http": "http", "https": "https"}


@dataclass
class Entry:
    """One message to publish, checked."""

    message: str
    subject: str | None = None
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    structure: dict[str, str] | None = None
    """The per-protocol texts of a ``MessageStructure=json`` message."""
    group_id: str | None = None
    dedup_id: str | None = None

    def text_for(self, protocol: str) -> str:
        if self.structure is None:
            return self.message
        return self.structure.get(_STRUCTURE_KEYS.get(protocol, protocol)) or \
            self.structure["default"]


def validate_entry(
    topic: Topic,
    *,
    message: str | None,
    subject: str | None = None,
    message_structure: str | None = None,
    message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    message_group_id: str | None = None,
    message_deduplication_id: str | None = None,
) -> Entry:
    """Check a publish the way SNS does; raises `InvalidParameter` (or `ParameterValueInvalid`
    for a bad message attribute)."""
    if not message:
        raise InvalidParameter("Invalid parameter: Empty message")
    if subject is not None and (not subject or len(subject) > 100 or not subject.isprintable()
                                or not subject.isascii()):
        raise InvalidParameter("Invalid parameter: Subject")
    attributes = {name: dict(value) for name, value in (message_attributes or {}).items()}
    size = len(message.encode("utf-8"))
    for name, attribute in attributes.items():
        size += len(name.encode("utf-8")) + _check_attribute(name, attribute)
    if size > topic.maximum_message_size:
        raise InvalidParameter("Invalid parameter: Message too long")
    structure = None
    if message_structure is not None:
        if message_structure != "json":
            raise InvalidParameter("Invalid parameter: MessageStructure")
        structure = _structure(message)
    if topic.fifo:
        if not message_group_id:
            raise InvalidParameter(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        if not message_deduplication_id:
            if not topic.content_based_deduplication:
                raise InvalidParameter(
                    "Invalid parameter: The topic should either have ContentBasedDeduplication "
                    "enabled or MessageDeduplicationId provided explicitly")
            message_deduplication_id = hashlib.sha256(message.encode("utf-8")).hexdigest()
    elif message_deduplication_id is not None:
        raise InvalidParameter(
            "Invalid parameter: MessageDeduplicationId Reason: The request includes "
            "MessageDeduplicationId parameter that is not valid for this topic type")
    return Entry(message=message, subject=subject, attributes=attributes, structure=structure,
                 group_id=message_group_id, dedup_id=message_deduplication_id)


def _check_attribute(name: str, attribute: Mapping[str, Any]) -> int:
    """SNS's checks of one message attribute; its size in bytes."""
    _check_attribute_name(name)
    data_type = str(attribute.get("DataType") or "")
    base = data_type.split(".", 1)[0] if not data_type.startswith("String.Array") else data_type
    if base not in _ATTRIBUTE_TYPES:
        raise ParameterValueInvalid(
            f"The message attribute '{name}' has an invalid message attribute type, the set of "
            "supported type prefixes is Binary, Number, and String.")
    field = "Binary" if base == "Binary" else "String"
    value = attribute.get(f"{field}Value")
    if not value:
        if not any(key.endswith("Value") and attribute.get(key) for key in attribute):
            raise ParameterValueInvalid(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                f"for message attribute type '{data_type}'.")
        raise ParameterValueInvalid(f"The message attribute '{name}' with type '{data_type}' "
                                    f"must use field '{field}'.")
    if base == "Number":
        try:
            float(value)
        except ValueError:
            raise ParameterValueInvalid(
                f"Could not cast message attribute '{name}' value to number.") from None
    elif base == "String.Array":
        try:
            values = json.loads(value)
        except ValueError:
            values = None
        if not isinstance(values, list):
            raise ParameterValueInvalid(
                f"The message attribute '{name}' with type 'String.Array' must be a JSON array.")
    size = len(value) if isinstance(value, bytes | bytearray) else len(str(value).encode())
    return len(data_type) + size


def message_size(message: Any, attributes: Mapping[str, Mapping[str, Any]] | None) -> int:
    """Bytes of a message's body and attributes as the size limits count them (attribute name,
    DataType and value), without checking them."""
    size = len(str(message or "").encode("utf-8"))
    for name, attribute in (attributes or {}).items():
        value = attribute.get("BinaryValue") or attribute.get("StringValue") or ""
        size += len(name.encode("utf-8")) + len(str(attribute.get("DataType") or "").encode())
        size += len(value) if isinstance(value, bytes | bytearray) else len(str(value).encode())
    return size


def _check_attribute_name(name: str) -> None:
    if len(name.encode("utf-8")) > 256:
        raise ParameterValueInvalid("Length of message attribute name must be less than 256 "
                                    "bytes.")
    if name.startswith("."):
        raise ParameterValueInvalid(
            "Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise ParameterValueInvalid(
            "Invalid message attribute name ending with character '.' was found.")
    for index, char in enumerate(name):
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            raise ParameterValueInvalid(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                "attribute name. Can only include alphanumeric characters, hyphens, underscores, "
                "or dots.")
        if char == "." and index and name[index - 1] == ".":
            raise ParameterValueInvalid(
                "Message attribute name can not have successive '.' character.")


def _structure(message: str) -> dict[str, str]:
    try:
        parsed = json.loads(message)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidParameter(
            "Invalid parameter: Message Structure - JSON message body failed to parse")
    if "default" not in parsed:
        raise InvalidParameter(
            "Invalid parameter: Message Structure - No default entry in JSON message body")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}


def _queue_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Message attributes as the ``queue`` outbox contract carries them (binary as base64)."""
    result: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        data_type = str(attribute["DataType"])
        if data_type.startswith("Binary"):
            value = attribute["BinaryValue"]
            text = (base64.b64encode(bytes(value)).decode("ascii")
                    if isinstance(value, bytes | bytearray) else str(value))
            result[name] = {"DataType": data_type, "BinaryValue": text}
        else:
            result[name] = {"DataType": data_type, "StringValue": str(attribute["StringValue"])}
    return result


class Publisher:
    """Writes the deliveries of a publish; keeps compiled filter policies between publishes."""

    def __init__(self, region: str, account: str, base_url: Callable[[], str],
                 function_exists: Callable[[str], bool] = lambda arn: True,
                 may_invoke: Callable[[str, str], bool] = lambda arn, topic: True) -> None:
        self._region = region
        self._account = account
        self._base_url = base_url
        self._function_exists = function_exists
        self._may_invoke = may_invoke
        """``(function_arn, topic_arn)``: whether the function's policy lets SNS invoke it."""
        self._policies: dict[str, tuple[str, str, FilterPolicy]] = {}

    def policy(self, subscription: Subscription) -> FilterPolicy | None:
        """The subscription's compiled filter policy (cached while its text is unchanged)."""
        text = subscription.attributes.get("FilterPolicy")
        if not text:
            return None
        scope = subscription.attributes.get("FilterPolicyScope") or "MessageAttributes"
        cached = self._policies.get(subscription.arn)
        if cached is not None and cached[0] == text and cached[1] == scope:
            return cached[2]
        try:
            compiled = compile_filter_policy(text, scope)
        except FilterPolicyError:
            return None  # validated when set; an unreadable stored policy filters nothing
        self._policies[subscription.arn] = (text, scope, compiled)
        return compiled

    def publish(
        self,
        conn: sqlite3.Connection,
        topic: Topic,
        entry: Entry,
        now: float,
        cause: Cause,
        pending: Pending | None,
    ) -> tuple[str, str | None]:
        """Deduplicate, number and fan out one message; its MessageId and SequenceNumber.

        `pending` collects invoke-queue rows to hand over after commit; None means the unit
        is the dispatcher's, so functions get ``function`` outbox rows instead.
        """
        sequence: str | None = None
        if topic.fifo and entry.dedup_id is not None:
            conn.execute("DELETE FROM sns_deduplication WHERE topic_arn = ? AND expires_at <= ?",
                         (topic.arn, now))
            seen = conn.execute(
                "SELECT message_id, sequence FROM sns_deduplication WHERE topic_arn = ? AND "
                "dedup_id = ?", (topic.arn, entry.dedup_id)).fetchone()
            if seen is not None:
                # Accepted, and not delivered again (FIFO exactly-once within 5 minutes).
                return str(seen[0]), str(seen[1])
        message_id = new_uuid()
        if topic.fifo:
            topic.sequence += 1
            conn.execute("UPDATE sns_topics SET sequence = ? WHERE arn = ?",
                         (topic.sequence, topic.arn))
            sequence = f"{10**19 + topic.sequence:020d}"
            if entry.dedup_id is not None:
                conn.execute(
                    "INSERT INTO sns_deduplication (topic_arn, dedup_id, message_id, sequence, "
                    "expires_at) VALUES (?,?,?,?,?)",
                    (topic.arn, entry.dedup_id, message_id, sequence,
                     now + DEDUPLICATION_SECONDS))
        cause_json = cause.to_json()
        for subscription in load_subscriptions(conn, topic.arn):
            if not subscription.confirmed:
                continue
            text = entry.text_for(subscription.protocol)
            policy = self.policy(subscription)
            if policy is not None and not policy.matches(text, entry.attributes):
                continue
            message = sns_events.SnsMessage(
                message_id=message_id, topic_arn=topic.arn, message=text, timestamp=now,
                subject=entry.subject,
                # With MessageStructure=json SNS sends no attributes along.
                attributes={} if entry.structure is not None else entry.attributes,
                sequence_number=sequence,
                signature_version=topic.attributes.get("SignatureVersion", "1"),
            )
            self._deliver(conn, subscription, topic, entry, message, now, cause, cause_json,
                          pending)
        return message_id, sequence

    def _deliver(
        self,
        conn: sqlite3.Connection,
        subscription: Subscription,
        topic: Topic,
        entry: Entry,
        message: sns_events.SnsMessage,
        now: float,
        cause: Cause,
        cause_json: str,
        pending: Pending | None,
    ) -> None:
        base = self._base_url()
        protocol = subscription.protocol
        if protocol == "lambda" and (
                not self._function_exists(subscription.endpoint)
                or not self._may_invoke(subscription.endpoint, topic.arn)):
            # A function that is gone, or whose policy does not let SNS invoke it, is a
            # client-side error: SNS does not retry it, and the message goes to the
            # subscription's dead-letter queue, if it has one
            # (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
            target = subscription.dead_letter_queue()
            if target is None:
                LOG.warning("SNS could not deliver to function %s (it does not exist, or its "
                            "policy does not allow SNS); message dropped",
                            subscription.endpoint)
                return
            envelope = sns_events.notification_envelope(
                message, subscription_arn=subscription.arn, region=self._region,
                unsubscribe_base=base)
            self._outbox(conn, "queue", target, json.dumps({"MessageBody": json.dumps(envelope)}),
                         cause_json, now, pending)
            return
        if protocol == "lambda":
            payload = sns_events.lambda_event_json(
                message, subscription_arn=subscription.arn, region=self._region,
                unsubscribe_base=base)
            if pending is not None:
                pending.events.append(insert_queued_event(
                    conn, function=function_ref(subscription.endpoint),
                    payload=payload, cause=cause, cause_json=cause_json, now=now,
                    request_id=new_uuid(),
                ))
                return
            self._outbox(conn, "function", subscription.endpoint, payload, cause_json, now, None)
            return
        if subscription.raw:
            body = message.message
        else:
            body = json.dumps(sns_events.notification_envelope(
                message, subscription_arn=subscription.arn, region=self._region,
                unsubscribe_base=base))
        queue_message: dict[str, Any] = {"MessageBody": body}
        if subscription.raw and message.attributes:
            queue_message["MessageAttributes"] = _queue_attributes(message.attributes)
        if topic.fifo:
            queue_message["MessageGroupId"] = entry.group_id
            queue_message["MessageDeduplicationId"] = entry.dedup_id
        if protocol == "sqs":
            self._outbox(conn, "queue", subscription.endpoint, json.dumps(queue_message),
                         cause_json, now, pending)
            return
        headers = {
            "x-amz-sns-message-type": "Notification",
            "x-amz-sns-message-id": message.message_id,
            "x-amz-sns-topic-arn": topic.arn,
            "x-amz-sns-subscription-arn": subscription.arn,
        }
        if subscription.raw:
            headers["x-amz-sns-rawdelivery"] = "true"
        policy = effective_http_policy(topic.attributes.get("DeliveryPolicy"),
                                       subscription.attributes.get("DeliveryPolicy"))
        if policy.content_type != DEFAULT_CONTENT_TYPE:
            headers["Content-Type"] = policy.content_type
        http = {"Endpoint": subscription.endpoint, "Headers": headers, "Body": body,
                "DeadLetter": queue_message, "Delays": list(policy.delays)}
        self._outbox(conn, "http", subscription.arn, json.dumps(http), cause_json, now, pending)

    @staticmethod
    def _outbox(conn: sqlite3.Connection, kind: str, target: str, payload: str, cause_json: str,
                now: float, pending: Pending | None) -> None:
        add_outbox_row(conn, OutboxRow(target_kind=kind, target=target, payload=payload,
                                       cause=cause_json, created_at=now))
        if pending is not None:
            pending.outbox = True
