"""Paging through streams and shards: opaque NextTokens and ListShards' ShardFilter."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from eventsim.services.kinesis.errors import InvalidArgumentException
from eventsim.services.kinesis.models import Shard

__all__ = ["decode_token", "encode_token", "filtered"]


def filtered(shards: list[Shard], shard_filter: Mapping[str, Any], now: float) -> list[Shard]:
    """The shards ListShards' ShardFilter keeps.

    AFTER_SHARD_ID: those after the one named. AT_LATEST: the open shards. AT_TRIM_HORIZON and
    FROM_TRIM_HORIZON: every shard (closed shards are kept, as their records are). AT_TIMESTAMP:
    the shards open at the time; FROM_TIMESTAMP: those open at or after it.
    https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ShardFilter.html
    """
    kind = shard_filter["Type"]
    if kind == "AFTER_SHARD_ID":
        after = shard_filter.get("ShardId")
        if after is None:
            raise InvalidArgumentException(
                "Must specify ShardId parameter for ShardFilter of type AFTER_SHARD_ID."
            )
        return [s for s in shards if s.shard_id > after]
    if kind == "AT_LATEST":
        return [s for s in shards if s.is_open]
    if kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
        when = shard_filter.get("Timestamp")
        if when is None:
            raise InvalidArgumentException(
                f"Must specify Timestamp parameter for ShardFilter of type {kind}."
            )
        at = when.timestamp() if isinstance(when, dt.datetime) else float(when)
        still_open = [s for s in shards if s.closed_at is None or s.closed_at > at]
        if kind == "FROM_TIMESTAMP":
            return still_open
        # Shards made before the time, or the stream's first shards when the time is earlier.
        first = min((s.created for s in shards), default=0)
        return [s for s in still_open if s.created <= max(at, first)]
    return list(shards)


def encode_token(fields: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode("utf-8")).decode("ascii")


def decode_token(token: str) -> dict[str, Any]:
    try:
        fields = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidArgumentException("Invalid NextToken.") from None
    if not isinstance(fields, dict):
        raise InvalidArgumentException("Invalid NextToken.")
    return fields
