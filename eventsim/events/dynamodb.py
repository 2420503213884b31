"""DynamoDB Streams records, shaped as Lambda receives them.

One record per item change, as the DynamoDB Developer Guide documents it ("Change data
capture for DynamoDB Streams", and the Lambda guide's "Using AWS Lambda with Amazon
DynamoDB" example event)::

    {"eventID": "c4ca4238a0b923820dcc509a6f75849b", "eventName": "INSERT",
     "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
     "dynamodb": {"ApproximateCreationDateTime": 1428537600, "Keys": {...},
                  "NewImage": {...}, "OldImage": {...},
                  "SequenceNumber": "4421584500000000017450439091", "SizeBytes": 26,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2015-..."}

Images are in DynamoDB JSON (blobs in base64). Which images a record holds depends on the
view type: NewImage for INSERT/MODIFY under NEW_IMAGE and NEW_AND_OLD_IMAGES, OldImage for
MODIFY/REMOVE under OLD_IMAGE and NEW_AND_OLD_IMAGES; Keys always.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["EVENT_NAMES", "stream_record"]

EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")


def stream_record(
    *,
    event_id: str,
    event_name: str,
    region: str,
    created_at: float,
    keys: dict[str, Any],
    new_image: dict[str, Any] | None,
    old_image: dict[str, Any] | None,
    sequence_number: str,
    view_type: str,
    stream_arn: str,
    sizes: tuple[int, int, int],
    user_identity: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A stream record; images are given in DynamoDB JSON and kept as the view type says.

    ``sizes`` are the item sizes of keys, new image and old image (DynamoDB's size rules live
    with the service): SizeBytes counts those the record carries.
    """
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": math.floor(created_at),
        "Keys": keys,
    }
    if new_image is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = new_image
    if old_image is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = old_image
    size = sizes[0] + (sizes[1] if "NewImage" in body else 0) + (
        sizes[2] if "OldImage" in body else 0
    )
    body["SequenceNumber"] = sequence_number
    body["SizeBytes"] = size
    body["StreamViewType"] = view_type
    record = {
        "eventID": event_id,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": body,
    }
    if user_identity is not None:  # a deletion by TTL
        record["userIdentity"] = user_identity
    record["eventSourceARN"] = stream_arn
    return record
