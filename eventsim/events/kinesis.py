"""The Kinesis record, as Lambda hands it to a function that an event source mapping feeds.

Layout and key order follow the example in
https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-event-example::

    {"Records": [{kinesis: {kinesisSchemaVersion, partitionKey, sequenceNumber, data,
                            approximateArrivalTimestamp, encryptionType?},
                  eventSource, eventVersion, eventID, eventName, invokeIdentityArn,
                  awsRegion, eventSourceARN}]}

``data`` is the record's bytes in base64 (Lambda does not decode them), the arrival time is
epoch seconds as a float with millisecond precision, and ``eventID`` is ``<shardId>:<seq>``.
``encryptionType`` appears only for encrypted streams (``KMS``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii as _js
from typing import Any

__all__ = ["kinesis_event", "kinesis_event_record", "kinesis_event_record_json"]


def kinesis_event_record(
    *,
    shard_id: str,
    sequence_number: str,
    partition_key: str,
    data: bytes,
    approximate_arrival: float,
    stream_arn: str,
    region: str,
    invoke_identity_arn: str,
    encryption_type: str | None = None,
) -> dict[str, Any]:
    """One entry of ``Records``: a stream record as the function receives it."""
    payload: dict[str, Any] = {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": partition_key,
        "sequenceNumber": sequence_number,
        "data": base64.b64encode(data).decode("ascii"),
        "approximateArrivalTimestamp": round(approximate_arrival, 3),
    }
    if encryption_type is not None and encryption_type != "NONE":
        payload["encryptionType"] = encryption_type
    return {
        "kinesis": payload,
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": invoke_identity_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def kinesis_event(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The invocation payload for one batch of records (all from one shard)."""
    return {"Records": list(records)}


def kinesis_event_record_json(
    *,
    shard_id: str,
    sequence_number: str,
    partition_key: str,
    data: bytes,
    approximate_arrival: float,
    stream_arn: str,
    region: str,
    invoke_identity_arn: str,
    encryption_type: str | None = None,
) -> str:
    """`kinesis_event_record` as compact JSON text, written out (the pollers' hot path: a
    record a microsecond rather than through `json.dumps`)."""
    encryption = ("" if encryption_type is None or encryption_type == "NONE"
                  else f',"encryptionType":{_js(encryption_type)}')
    return (
        f'{{"kinesis":{{"kinesisSchemaVersion":"1.0","partitionKey":{_js(partition_key)},'
        f'"sequenceNumber":"{sequence_number}",'
        f'"data":"{base64.b64encode(data).decode("ascii")}",'
        f'"approximateArrivalTimestamp":{round(approximate_arrival, 3)!r}{encryption}}},'
        f'"eventSource":"aws:kinesis","eventVersion":"1.0",'
        f'"eventID":"{shard_id}:{sequence_number}","eventName":"aws:kinesis:record",'
        f'"invokeIdentityArn":{_js(invoke_identity_arn)},"awsRegion":{_js(region)},'
        f'"eventSourceARN":{_js(stream_arn)}}}'
    )
