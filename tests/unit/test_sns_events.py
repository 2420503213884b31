"""SNS message shapes held against AWS's documented examples, and parsed by Powertools."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent

from eventsim.events.sns import (
    SnsMessage,
    lambda_event_json,
    notification_envelope,
    subscription_confirmation,
)

GOLDEN = Path(__file__).parent.parent / "golden" / "sns"
SUBSCRIPTION = "arn:aws:sns:us-east-2:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486"
TOPIC = "arn:aws:sns:us-east-2:123456789012:sns-lambda"
WHEN = dt.datetime(2019, 1, 2, 12, 45, 7, tzinfo=dt.UTC).timestamp()


def _message(**overrides: Any) -> SnsMessage:
    fields: dict[str, Any] = {
        "message_id": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "topic_arn": TOPIC,
        "message": "Hello from SNS!", "timestamp": WHEN, "subject": "TestInvoke",
        "attributes": {"Test": {"DataType": "String", "StringValue": "TestString"},
                       "TestBinary": {"DataType": "Binary", "BinaryValue": "TestBinary"}},
    }
    fields.update(overrides)
    return SnsMessage(**fields)


def _lambda_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(lambda_event_json(
        _message(**overrides), subscription_arn=SUBSCRIPTION, region="us-east-2",
        unsubscribe_base="https://sns.us-east-2.amazonaws.com"))
    return event


def test_lambda_event_matches_the_lambda_guide_example() -> None:
    ours = _lambda_event()
    golden = json.loads((GOLDEN / "lambda_guide_event.json").read_text())
    ours_sns, golden_sns = ours["Records"][0]["Sns"], golden["Records"][0]["Sns"]
    assert set(ours["Records"][0]) == set(golden["Records"][0])
    assert set(ours_sns) == set(golden_sns)
    for name in ("Signature", "SigningCertUrl", "UnsubscribeUrl"):
        ours_sns.pop(name)
        golden_sns.pop(name)
    assert ours == golden


def test_lambda_event_signature_and_urls_have_aws_form() -> None:
    sns = _lambda_event()["Records"][0]["Sns"]
    assert len(base64.b64decode(sns["Signature"], validate=True)) == 20  # SHA1
    assert sns["SigningCertUrl"].startswith(
        "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-")
    assert sns["SigningCertUrl"].endswith(".pem")
    assert sns["UnsubscribeUrl"] == ("https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe"
                                     f"&SubscriptionArn={SUBSCRIPTION}")


def test_lambda_event_without_subject_or_attributes() -> None:
    sns = _lambda_event(subject=None, attributes={})["Records"][0]["Sns"]
    assert sns["Subject"] is None
    assert sns["MessageAttributes"] == {}


def test_lambda_event_types_number_and_string_array_as_string() -> None:
    sns = _lambda_event(attributes={
        "n": {"DataType": "Number", "StringValue": "5"},
        "a": {"DataType": "String.Array", "StringValue": '["x"]'},
    })["Records"][0]["Sns"]
    assert sns["MessageAttributes"] == {"n": {"Type": "String", "Value": "5"},
                                        "a": {"Type": "String", "Value": '["x"]'}}


def test_powertools_parses_the_lambda_event() -> None:
    event = SNSEvent(_lambda_event())
    record = event.record
    assert record.event_source == "aws:sns"
    assert record.sns.message == "Hello from SNS!"
    assert record.sns.subject == "TestInvoke"
    assert record.sns.message_attributes["Test"].value == "TestString"
    assert record.sns.topic_arn == TOPIC
    assert record.sns.signing_cert_url.endswith(".pem")


def test_envelope_keeps_attribute_types_and_omits_missing_subject() -> None:
    envelope = notification_envelope(
        _message(subject=None, attributes={"n": {"DataType": "Number", "StringValue": "5"}}),
        subscription_arn=SUBSCRIPTION, region="us-east-2",
        unsubscribe_base="https://sns.us-east-2.amazonaws.com")
    assert "Subject" not in envelope
    assert envelope["MessageAttributes"] == {"n": {"Type": "Number", "Value": "5"}}
    assert envelope["SigningCertURL"].endswith(".pem")
    assert envelope["UnsubscribeURL"].endswith(SUBSCRIPTION)


def test_envelope_without_attributes_has_no_attributes_key() -> None:
    envelope = notification_envelope(
        _message(attributes={}), subscription_arn=SUBSCRIPTION, region="us-east-2",
        unsubscribe_base="https://sns.us-east-2.amazonaws.com")
    assert "MessageAttributes" not in envelope
    assert "SequenceNumber" not in envelope


def test_subscription_confirmation_shape() -> None:
    message = subscription_confirmation(
        message_id="m", topic_arn=TOPIC, token="t0k", timestamp=WHEN, region="us-east-2",
        subscribe_base="http://127.0.0.1:4566")
    assert message["Type"] == "SubscriptionConfirmation"
    assert message["Message"] == (
        f"You have chosen to subscribe to the topic {TOPIC}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message.")
    assert message["SubscribeURL"] == (
        f"http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=t0k")
    assert message["Timestamp"] == "2019-01-02T12:45:07.000Z"
