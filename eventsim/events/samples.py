"""Whole sample events, as a function receives them, for ``eventsim events generate``.

Each sample is one record made by the record builder the simulator itself uses
(`events.s3`, `events.sns`, `events.sqs`, `events.dynamodb`, `events.kinesis`) wrapped in its
``Records`` envelope, so a sample differs from a delivered event only in its values. What the
services own (DynamoDB item sizes and sequence numbers, Kinesis sequence numbers, the S3 owner)
is given by the caller: this layer does not import the services.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eventsim.events import s3 as s3_events
from eventsim.events.dynamodb import stream_record
from eventsim.events.kinesis import kinesis_event, kinesis_event_record
from eventsim.events.sns import SnsMessage, lambda_event_json
from eventsim.events.sqs import sqs_event, sqs_record
from eventsim.ids import new_uuid, random_hex

__all__ = [
    "dynamodb_update",
    "kinesis_get_records",
    "s3_delete",
    "s3_put",
    "sns_notification",
    "sqs_receive_message",
]


def s3_put(*, bucket: str, key: str, size: int, region: str, now: float, owner_id: str,
           sequencer: str, etag: str | None = None) -> dict[str, Any]:
    """An ``ObjectCreated:Put`` event; `key` is the raw key (the record URL-encodes it)."""
    return _s3("ObjectCreated:Put", bucket=bucket, key=key, size=size, region=region, now=now,
               owner_id=owner_id, sequencer=sequencer,
               etag=etag or hashlib.md5(f"{bucket}/{key}".encode()).hexdigest())


def s3_delete(*, bucket: str, key: str, region: str, now: float, owner_id: str,
              sequencer: str) -> dict[str, Any]:
    """An ``ObjectRemoved:Delete`` event (no size or eTag, as S3 sends it)."""
    return _s3("ObjectRemoved:Delete", bucket=bucket, key=key, size=None, region=region,
               now=now, owner_id=owner_id, sequencer=sequencer, etag=None)


def _s3(event_name: str, *, bucket: str, key: str, size: int | None, region: str, now: float,
        owner_id: str, sequencer: str, etag: str | None) -> dict[str, Any]:
    return s3_events.s3_event([s3_events.s3_event_record(
        event_name=event_name, bucket=bucket, key=key, region=region, event_time=now,
        configuration_id=new_uuid(), request_id=s3_events.new_request_id(),
        host_id=s3_events.new_host_id(), principal_id=f"AWS:{owner_id}",
        source_ip="127.0.0.1", size=size, etag=etag, sequencer=sequencer, owner_id=owner_id,
    )])


def sns_notification(*, topic_arn: str, message: str, subject: str | None,
                     attributes: dict[str, str], region: str, now: float) -> dict[str, Any]:
    """The event of a function subscribed to `topic_arn`; `attributes` are String ones."""
    subscription_arn = f"{topic_arn}:{new_uuid()}"
    shaped = {name: {"DataType": "String", "StringValue": value}
              for name, value in attributes.items()}
    text = lambda_event_json(
        SnsMessage(message_id=new_uuid(), topic_arn=topic_arn, message=message, timestamp=now,
                   subject=subject, attributes=shaped),
        subscription_arn=subscription_arn, region=region,
        unsubscribe_base=f"https://sns.{region}.amazonaws.com",
    )
    event: dict[str, Any] = json.loads(text)
    return event


def sqs_receive_message(*, queue_arn: str, body: str, sender_id: str, region: str,
                        now: float) -> dict[str, Any]:
    """A one-message batch from `queue_arn`, as its event source mapping delivers it."""
    sent = str(int(now * 1000))
    return sqs_event([sqs_record(
        message_id=new_uuid(), receipt_handle=random_hex(64), body=body,
        md5_of_body=hashlib.md5(body.encode()).hexdigest(),
        attributes={"ApproximateReceiveCount": "1", "SentTimestamp": sent,
                    "SenderId": sender_id, "ApproximateFirstReceiveTimestamp": sent},
        message_attributes={}, md5_of_message_attributes=None, queue_arn=queue_arn,
        region=region,
    )])


def dynamodb_update(*, stream_arn: str, keys: dict[str, Any], new_image: dict[str, Any],
                    old_image: dict[str, Any], view_type: str, sequence_number: str,
                    sizes: tuple[int, int, int], region: str, now: float) -> dict[str, Any]:
    """A MODIFY record; images are DynamoDB JSON, `sizes` those of keys, new and old image."""
    return {"Records": [stream_record(
        event_id=random_hex(32), event_name="MODIFY", region=region, created_at=now, keys=keys,
        new_image=new_image, old_image=old_image, sequence_number=sequence_number,
        view_type=view_type, stream_arn=stream_arn, sizes=sizes,
    )]}


def kinesis_get_records(*, stream_arn: str, shard_id: str, sequence_number: str,
                        partition_key: str, data: bytes, invoke_identity_arn: str, region: str,
                        now: float) -> dict[str, Any]:
    """A one-record batch from `stream_arn`, as its event source mapping delivers it."""
    return kinesis_event([kinesis_event_record(
        shard_id=shard_id, sequence_number=sequence_number, partition_key=partition_key,
        data=data, approximate_arrival=now, stream_arn=stream_arn, region=region,
        invoke_identity_arn=invoke_identity_arn,
    )])
