"""Kinesis's rules for one record and one iterator request, with AWS's messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.kinesis.constraints import member_value
from eventsim.services.kinesis.errors import InvalidArgumentException
from eventsim.services.kinesis.shards import HASH_SPACE, hash_key

__all__ = [
    "MAX_RECORD_BYTES",
    "check_record_size",
    "epoch",
    "explicit_hash",
    "hash_of",
    "iterator_rule",
    "java_date",
]

MAX_RECORD_BYTES = 1 << 20
"""Data plus partition key of one record, on a stream with the default MaxRecordSizeInKiB."""


def hash_of(partition_key: str, explicit_hash_key: str | None) -> int:
    """Where a record falls in the hash key space: its ExplicitHashKey, else its key's MD5."""
    if explicit_hash_key is None:
        return hash_key(partition_key)
    return explicit_hash(explicit_hash_key)


def explicit_hash(explicit_hash_key: str) -> int:
    """An ExplicitHashKey as an integer: AWS takes 0 to 2^128 - 1."""
    value = int(explicit_hash_key)
    if value >= HASH_SPACE:
        raise InvalidArgumentException(
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {explicit_hash_key}"
        )
    return value


def check_record_size(data: Any, partition_key: str, where: str) -> int:
    """AWS: data up to 1 MiB, and data with its partition key up to 1 MiB. The record's size."""
    if data is None:
        raise ValidationException(
            f"1 validation error detected: Value null at '{where}' failed to satisfy "
            "constraint: Member must not be null"
        )
    if len(data) > MAX_RECORD_BYTES:
        raise ValidationException(
            f"1 validation error detected: Value '{member_value(data)}' at '{where}' failed to "
            f"satisfy constraint: Member must have length less than or equal to "
            f"{MAX_RECORD_BYTES}"
        )
    size = len(data) + len(partition_key.encode("utf-8"))
    if size > MAX_RECORD_BYTES:
        raise InvalidArgumentException(
            "The size of the data blob plus the partition key exceeds the record size limit "
            f"of {MAX_RECORD_BYTES} bytes."
        )
    return size


def iterator_rule(kind: str, given: str) -> str:
    return (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
        f"Request specified {kind} and {given} StartingSequenceNumber."
    )


def epoch(value: dt.datetime | float) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return float(value)


def java_date(ms: int) -> str:
    """A time as Java's Date.toString() prints it in UTC: ``Thu Jan 22 01:22:02 UTC 2015``."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
