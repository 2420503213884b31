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

__all__ = ["KinesisRecordWriter", "kinesis_event", "kinesis_event_record",
           "kinesis_event_record_json"]


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


class KinesisRecordWriter:
    """`kinesis_event_record` as compact JSON text for the records of one shard, written out
    (the pollers' hot path: what is the same for every record of the shard is made once)."""

    __slots__ = ("_arrival", "_head", "_tail")

    def __init__(self, *, shard_id: str, stream_arn: str, region: str,
                 invoke_identity_arn: str) -> None:
        self._head = f'"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"{shard_id}:'
        self._tail = (f'","eventName":"aws:kinesis:record",'
                      f'"invokeIdentityArn":{_js(invoke_identity_arn)},"awsRegion":{_js(region)},'
                      f'"eventSourceARN":{_js(stream_arn)}}}')
        self._arrival: tuple[float, str] = (-1.0, "")

    def __call__(self, sequence_number: str, partition_key: str, data: bytes,
                 approximate_arrival: float, encryption_type: str | None = None) -> str:
        if self._arrival[0] != approximate_arrival:  # the records of one put share it
            self._arrival = (approximate_arrival, repr(round(approximate_arrival, 3)))
        encryption = ("" if encryption_type is None or encryption_type == "NONE"
                      else f',"encryptionType":{_js(encryption_type)}')
        return (
            f'{{"kinesis":{{"kinesisSchemaVersion":"1.0","partitionKey":{_js(partition_key)},'
            f'"sequenceNumber":"{sequence_number}",'
            f'"data":"{base64.b64encode(data).decode("ascii")}",'
            f'"approximateArrivalTimestamp":{self._arrival[1]}{encryption}}},'
            f'{self._head}{sequence_number}{self._tail}'
        )


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
    """`kinesis_event_record` as compact JSON text (one record; see `KinesisRecordWriter`)."""
    return KinesisRecordWriter(shard_id=shard_id, stream_arn=stream_arn, region=region,
                               invoke_identity_arn=invoke_identity_arn)(
        sequence_number, partition_key, data, approximate_arrival, encryption_type)
