"""Paging through streams and shards: opaque NextTokens and ListShards' ShardFilter."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from eventsim.services.kinesis.errors import InvalidArgumentException
from eventsim.services.kinesis.models import Shard

__all__ = ["decode_token", "encode_token", "filtered"]


def filtered(shards: list[Shard], shard_filter: Mapping[str, Any], now: float) -> list[Shard]:
    """ShardFilter. Shards are never split or merged here, so every shard is open and has been
    since the stream was created: each filter type keeps them all, AFTER_SHARD_ID those after."""
    kind = shard_filter["Type"]
    if kind == "AFTER_SHARD_ID":
        after = shard_filter.get("ShardId")
        if after is None:
            raise InvalidArgumentException(
                "Must specify ShardId parameter for ShardFilter of type AFTER_SHARD_ID."
            )
        return [s for s in shards if s.shard_id > after]
    if kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP") and shard_filter.get("Timestamp") is None:
        raise InvalidArgumentException(
            f"Must specify Timestamp parameter for ShardFilter of type {kind}."
        )
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
