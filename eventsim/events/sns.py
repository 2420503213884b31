"""The messages SNS delivers, exactly as AWS shapes them.

- To a Lambda function: ``{"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
  "EventSubscriptionArn", "Sns": {...}}]}``, one message per invocation. The ``Sns`` object
  spells ``SigningCertUrl`` and ``UnsubscribeUrl`` in camel case, carries ``Subject: null``
  when there was none and ``MessageAttributes: {}`` always, and types ``Number`` and
  ``String.Array`` attributes as ``String``
  (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html, ``sns-message-attributes``).
- To SQS and HTTP/S endpoints: the JSON envelope (``Type``, ``MessageId``, ``TopicArn``,
  ``Subject`` only when given, ``Message``, ``Timestamp``, ``SignatureVersion``,
  ``Signature``, ``SigningCertURL``, ``UnsubscribeURL``, ``MessageAttributes`` only when
  there are any, ``SequenceNumber`` on FIFO topics)
  (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
- To an HTTP/S endpoint being subscribed: the ``SubscriptionConfirmation`` message with its
  ``Token`` and ``SubscribeURL``; being unsubscribed: the ``UnsubscribeConfirmation``, whose
  ``SubscribeURL`` restores the subscription
  (https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html).

Signatures have AWS's form (base64 of a SHA1 or SHA256 digest of the string to sign) but are
not made with a key anyone could verify: there is no certificate behind ``SigningCertURL``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsim.events.s3 import format_event_time

__all__ = [
    "SnsMessage",
    "envelope_attributes",
    "lambda_event_json",
    "notification_envelope",
    "signing_cert_url",
    "subscription_confirmation",
    "unsubscribe_confirmation",
    "unsubscribe_url",
]


@dataclass(slots=True)
class SnsMessage:
    """One published message as a subscription receives it."""

    message_id: str
    topic_arn: str
    message: str
    """The text for this subscription's protocol (``MessageStructure=json`` already applied)."""
    timestamp: float
    subject: str | None = None
    attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """``MessageAttributes`` as the API shapes them (``BinaryValue`` as bytes or base64)."""
    sequence_number: str | None = None
    signature_version: str = "1"


def _binary_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def envelope_attributes(attributes: Mapping[str, Mapping[str, Any]],
                        *, for_lambda: bool) -> dict[str, dict[str, str]]:
    """``{name: {"Type", "Value"}}``; Lambda sees every non-binary type as ``String``."""
    result: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        data_type = str(attribute.get("DataType", "String"))
        if data_type.startswith("Binary"):
            result[name] = {"Type": "Binary",
                            "Value": _binary_text(attribute.get("BinaryValue", b""))}
        else:
            kind = "String" if for_lambda else data_type
            result[name] = {"Type": kind, "Value": str(attribute.get("StringValue", ""))}
    return result


def signing_cert_url(region: str) -> str:
    return (f"https://sns.{region}.amazonaws.com/"
            "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem")


def unsubscribe_url(base: str, subscription_arn: str) -> str:
    """The URL that unsubscribes (``base``: the SNS endpoint, without a trailing slash)."""
    return f"{base}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"


def _signature(fields: list[tuple[str, str | None]], version: str) -> str:
    # AWS signs "Name\nvalue\n" for each field present, in this order.
    text = "".join(f"{name}\n{value}\n" for name, value in fields if value is not None)
    digest = (hashlib.sha256 if version == "2" else hashlib.sha1)(text.encode("utf-8"))
    return base64.b64encode(digest.digest()).decode("ascii")


def lambda_event_json(message: SnsMessage, *, subscription_arn: str, region: str,
                      unsubscribe_base: str) -> str:
    """The event a function subscribed to the topic is invoked with (JSON text)."""
    timestamp = format_event_time(message.timestamp)
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message.message_id,
            "TopicArn": message.topic_arn,
            "Subject": message.subject,
            "Message": message.message,
            "Timestamp": timestamp,
            "SignatureVersion": message.signature_version,
            "Signature": _notification_signature(message, timestamp),
            "SigningCertUrl": signing_cert_url(region),
            "UnsubscribeUrl": unsubscribe_url(unsubscribe_base, subscription_arn),
            "MessageAttributes": envelope_attributes(message.attributes, for_lambda=True),
        },
    }
    return json.dumps({"Records": [record]})


def _notification_signature(message: SnsMessage, timestamp: str) -> str:
    return _signature([
        ("Message", message.message), ("MessageId", message.message_id),
        ("Subject", message.subject), ("Timestamp", timestamp),
        ("TopicArn", message.topic_arn), ("Type", "Notification"),
    ], message.signature_version)


def notification_envelope(message: SnsMessage, *, subscription_arn: str, region: str,
                          unsubscribe_base: str) -> dict[str, Any]:
    """The JSON document SQS queues and HTTP/S endpoints receive (not raw delivery)."""
    timestamp = format_event_time(message.timestamp)
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message.message_id,
    }
    if message.sequence_number is not None:
        envelope["SequenceNumber"] = message.sequence_number
    envelope["TopicArn"] = message.topic_arn
    if message.subject is not None:
        envelope["Subject"] = message.subject
    envelope.update({
        "Message": message.message,
        "Timestamp": timestamp,
        "SignatureVersion": message.signature_version,
        "Signature": _notification_signature(message, timestamp),
        "SigningCertURL": signing_cert_url(region),
        "UnsubscribeURL": unsubscribe_url(unsubscribe_base, subscription_arn),
    })
    if message.attributes:
        envelope["MessageAttributes"] = envelope_attributes(message.attributes,
                                                            for_lambda=False)
    return envelope


def subscription_confirmation(*, message_id: str, topic_arn: str, token: str, timestamp: float,
                              region: str, subscribe_base: str) -> dict[str, Any]:
    """The message an HTTP/S endpoint gets when subscribed; it confirms by opening
    ``SubscribeURL`` (or by calling ConfirmSubscription with the token)."""
    text = (f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message.")
    return _confirmation("SubscriptionConfirmation", text, message_id=message_id,
                         topic_arn=topic_arn, token=token, timestamp=timestamp, region=region,
                         subscribe_base=subscribe_base)


def unsubscribe_confirmation(*, message_id: str, topic_arn: str, subscription_arn: str,
                             token: str, timestamp: float, region: str,
                             subscribe_base: str) -> dict[str, Any]:
    """The message an HTTP/S endpoint gets when unsubscribed; its ``SubscribeURL`` subscribes
    the endpoint again."""
    text = (f"You have chosen to deactivate subscription {subscription_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL "
            "included in this message.")
    return _confirmation("UnsubscribeConfirmation", text, message_id=message_id,
                         topic_arn=topic_arn, token=token, timestamp=timestamp, region=region,
                         subscribe_base=subscribe_base)


def _confirmation(kind: str, text: str, *, message_id: str, topic_arn: str, token: str,
                  timestamp: float, region: str, subscribe_base: str) -> dict[str, Any]:
    stamp = format_event_time(timestamp)
    subscribe_url = (f"{subscribe_base}/?Action=ConfirmSubscription&TopicArn={topic_arn}"
                     f"&Token={token}")
    return {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": text,
        "SubscribeURL": subscribe_url,
        "Timestamp": stamp,
        "SignatureVersion": "1",
        "Signature": _signature([
            ("Message", text), ("MessageId", message_id), ("SubscribeURL", subscribe_url),
            ("Timestamp", stamp), ("Token", token), ("TopicArn", topic_arn), ("Type", kind),
        ], "1"),
        "SigningCertURL": signing_cert_url(region),
    }
