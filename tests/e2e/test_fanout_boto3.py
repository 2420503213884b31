"""boto3 against `eventsim serve`: S3 -> SNS -> (function, SQS queues), wired by the test.

The server loads only the function. Through boto3 the test creates a topic, two queues and a
bucket; subscribes the function (with a filter policy on the message body that lets only
``images/`` keys through), one queue with the SNS envelope and one with raw message delivery;
points the bucket's topic notification at the topic; then uploads ``images/cat.jpg`` and
``docs/notes.txt``.

What AWS does, and so what the test expects (shared/reference/aws-triggers.md; the S3 and SNS
developer guides):

- Putting a topic configuration makes S3 publish an ``s3:TestEvent`` message to the topic.
- S3 publishes each event to the topic with the subject ``Amazon S3 Notification`` and the S3
  event JSON as the message, without message attributes.
- SNS invokes the function asynchronously with the SNS event record; the filter policy
  (``FilterPolicyScope: MessageBody``) drops the test event and ``docs/notes.txt``.
- The envelope queue gets every message as the SNS JSON notification (``Type``,
  ``MessageId``, ``TopicArn``, ``Subject``, ``Message``, ``Timestamp``, ``SignatureVersion``,
  ``Signature``, ``SigningCertURL``, ``UnsubscribeURL``); the raw queue gets the message alone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import SNSEvent

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client

COUNTER = Path(__file__).parent / "functions" / "counter"
FUNCTION = "on-upload"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTION}"
ENVELOPE_KEYS = {
    "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
    "Signature", "SigningCertURL", "UnsubscribeURL",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    base = tmp_path_factory.mktemp("serve-fanout")
    load = base / "function-only.yaml"
    load.write_text(
        "name: fanout-function-only\n"
        "functions:\n"
        f"  {FUNCTION}:\n"
        "    Handler: app.handler\n"
        f"    CodeUri: {json.dumps(str(COUNTER))}\n",
        encoding="utf-8",
    )
    process = ServeProcess(base / "state", load=load)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def fanout(server: ServeProcess) -> dict[str, Any]:
    """Wire everything through boto3, upload two objects, settle; what came out where."""
    s3, sns, sqs = (boto3_client(name, server.url) for name in ("s3", "sns", "sqs"))
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    queues = {}
    for name in ("uploads-envelope", "uploads-raw"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        queues[name] = (url, arn)
    sns.subscribe(
        TopicArn=topic, Protocol="lambda", Endpoint=FUNCTION_ARN,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps(
                {"Records": {"s3": {"object": {"key": [{"prefix": "images/"}]}}}}
            ),
        },
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["uploads-envelope"][1])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["uploads-raw"][1],
                  Attributes={"RawMessageDelivery": "true"})
    s3.create_bucket(Bucket="uploads")
    s3.put_bucket_notification_configuration(
        Bucket="uploads",
        NotificationConfiguration={"TopicConfigurations": [
            {"Id": "to-topic", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"]},
        ]},
    )
    s3.put_object(Bucket="uploads", Key="images/cat.jpg", Body=b"\xff\xd8 not really a jpeg")
    s3.put_object(Bucket="uploads", Key="docs/notes.txt", Body=b"notes")
    settled = server.post("/_eventsim/api/settle?timeout=60")
    assert settled["settled"], settled
    received = {}
    for name, (url, _) in queues.items():
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            messages.extend(batch)
        received[name] = messages
    invocations = server.get(
        f"/_eventsim/api/invocations?function={FUNCTION}&after=0&detail=full&limit=500")["items"]
    return {"topic": topic, "queues": received, "invocations": invocations}


def _s3_keys(messages: list[str]) -> list[str]:
    keys = []
    for text in messages:
        event = json.loads(text)
        keys.extend(r["s3"]["object"]["key"] for r in event.get("Records", []))
    return sorted(keys)


def test_filter_policy_lets_the_image_through_to_the_function_and_drops_the_rest(
    fanout: dict[str, Any],
) -> None:
    invocations = fanout["invocations"]
    assert [i["status"] for i in invocations] == ["Success"]
    event = SNSEvent(invocations[0]["event"])
    record = event.record
    assert record.event_source == "aws:sns"
    assert record.sns.topic_arn == fanout["topic"]
    assert record.sns.subject == "Amazon S3 Notification"
    assert record.sns.get_type == "Notification"
    assert _s3_keys([record.sns.message]) == ["images/cat.jpg"]
    assert record.sns.message_attributes == {}


def test_envelope_queue_gets_every_message_as_the_sns_notification(
    fanout: dict[str, Any],
) -> None:
    bodies = [json.loads(m["Body"]) for m in fanout["queues"]["uploads-envelope"]]
    assert all(set(body) >= ENVELOPE_KEYS for body in bodies), bodies
    assert all(body["Type"] == "Notification" and body["TopicArn"] == fanout["topic"]
               for body in bodies)
    messages = [body["Message"] for body in bodies]
    assert _s3_keys(messages) == ["docs/notes.txt", "images/cat.jpg"]
    assert sum(json.loads(m).get("Event") == "s3:TestEvent" for m in messages) == 1


def test_raw_queue_gets_the_bare_message(fanout: dict[str, Any]) -> None:
    bodies = [m["Body"] for m in fanout["queues"]["uploads-raw"]]
    assert _s3_keys(bodies) == ["docs/notes.txt", "images/cat.jpg"]
    assert all("TopicArn" not in json.loads(body) for body in bodies)
    assert sum(json.loads(b).get("Event") == "s3:TestEvent" for b in bodies) == 1
