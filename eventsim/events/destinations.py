"""Records sent to asynchronous-invocation destinations and dead-letter queues, and the
on-failure records of stream event source mappings.

Asynchronous shape from
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html (``version``,
``timestamp``, ``requestContext``, ``requestPayload``, ``responseContext``,
``responsePayload``). Stream shape from the Lambda guide's "Retaining records of discarded
batches" for Kinesis and DynamoDB (``requestContext``, ``responseContext``, ``version``,
``timestamp``, ``KinesisBatchInfo`` / ``DDBStreamBatchInfo``): the records themselves are not
included, only where they are in the stream.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

__all__ = [
    "async_destination_record",
    "dead_letter_attributes",
    "format_timestamp",
    "s3_failure_key",
    "stream_failure_record",
]


def format_timestamp(epoch_seconds: float) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as Lambda stamps destination records."""
    moment = dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def async_destination_record(
    *,
    request_id: str,
    function_arn: str,
    version: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: str,
    response_payload: str | None,
    function_error: str | None,
    timestamp: float,
    status_code: int = 200,
) -> dict[str, Any]:
    """The invocation record Lambda sends to an OnSuccess/OnFailure destination.

    `condition` is ``Success``, ``RetriesExhausted``, ``EventAgeExceeded`` or
    ``RecursiveInvocationLoop``.
    """
    response_context: dict[str, Any] = {"statusCode": status_code, "executedVersion": version}
    if function_error is not None:
        response_context["functionError"] = function_error
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": format_timestamp(timestamp),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:{version}",
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": _decode(request_payload),
        "responseContext": response_context,
    }
    if response_payload is not None:
        record["responsePayload"] = _decode(response_payload)
    return record


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def dead_letter_attributes(
    *, request_id: str, error_message: str, status_code: int = 200,
) -> dict[str, dict[str, str]]:
    """The message attributes Lambda puts on the raw event it sends to a dead-letter queue or
    topic (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html,
    dead-letter queues): RequestID, ErrorCode (the 3-digit HTTP status) and ErrorMessage (its
    first 1 KB)."""
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(status_code)},
        "ErrorMessage": {"DataType": "String",
                         "StringValue": error_message.encode()[:1024].decode(errors="ignore")},
    }
def _seconds_timestamp(epoch_seconds: float) -> str:
    moment = dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stream_failure_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    function_error: str | None,
    timestamp: float,
    batch_key: str,
    shard_id: str,
    start_sequence_number: str,
    end_sequence_number: str,
    first_arrival: float,
    last_arrival: float,
    batch_size: int,
    stream_arn: str,
    version: str = "$LATEST",
    status_code: int = 200,
) -> dict[str, Any]:
    """The record a stream mapping sends on failure for a batch it gives up on.

    `condition` is ``RetryAttemptsExhausted`` or ``RecordAgeExceeded`` (then there is no
    ``responseContext``: the batch was not invoked again). `function_error` is ``Unhandled``
    for a thrown error and None (JSON null) when a ``batchItemFailures`` response failed it.
    `batch_key` is ``KinesisBatchInfo`` (arrival times with milliseconds) or
    ``DDBStreamBatchInfo`` (whole seconds).
    """
    stamp = format_timestamp if batch_key == "KinesisBatchInfo" else _seconds_timestamp
    record: dict[str, Any] = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
    }
    if condition != "RecordAgeExceeded":
        record["responseContext"] = {"statusCode": status_code, "executedVersion": version,
                                     "functionError": function_error}
    record["version"] = "1.0"
    record["timestamp"] = format_timestamp(timestamp)
    record[batch_key] = {
        "shardId": shard_id,
        "startSequenceNumber": start_sequence_number,
        "endSequenceNumber": end_sequence_number,
        "approximateArrivalOfFirstRecord": stamp(first_arrival),
        "approximateArrivalOfLastRecord": stamp(last_arrival),
        "batchSize": batch_size,
        "streamArn": stream_arn,
    }
    return record


def s3_failure_key(mapping_uuid: str, shard_id: str, timestamp: float) -> str:
    """The key of the object an S3 on-failure destination gets for a discarded batch:
    ``aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>``
    (the Lambda guide's "Retain discarded batch records" pages)."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return (f"aws/lambda/{mapping_uuid}/{shard_id}/{moment:%Y/%m/%d}/"
            f"{moment:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}")
