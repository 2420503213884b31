"""What every group of Kinesis operations shares: the context, the streams held in memory,
their lookup by name or ARN (wherever AWS takes ``StreamName`` it also takes ``StreamARN``),
and the account's shard limit."""

from __future__ import annotations

from eventsim.services.base import ServiceContext
from eventsim.services.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ShardNotFound,
    StreamNotFound,
)
from eventsim.services.kinesis.models import Shard, Stream, load_streams
from eventsim.services.kinesis.shards import parse_shard_id, shard_id
from eventsim.services.kinesis.throughput import ShardMeter

__all__ = ["Catalog"]

_BIG_SHARD_LIMIT_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})


class Catalog:
    """The simulator's context, the streams it knows, and the write state kept per stream
    (the next trim of expired records, the shards' throughput meters)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._streams: dict[str, Stream] = {}
        self._next_trim: dict[str, float] = {}
        self._meters: dict[tuple[str, int], ShardMeter] = {}
        self.enforce_throughput = False
        """Refuse writes past a shard's 1,000 records or 1 MiB per second (off by default: see
        `eventsim.services.kinesis.throughput`)."""
        self._arn_prefix = f"arn:aws:kinesis:{ctx.region}:{ctx.account_id}:stream/"

    async def load(self) -> None:
        """Read the streams and shards into memory (called at start)."""
        streams = await self._ctx.db.read(lambda c: load_streams(c, self._arn_prefix))
        self._streams = {s.name: s for s in streams}

    # -- lookup ----------------------------------------------------------------------------

    def stream_at(self, arn: str) -> Stream | None:
        """The stream an ARN names, or None: for the engine's pollers, which read its shards
        in memory and its records with `records.read_records` (read-only)."""
        return self._find(None, arn)

    def stream_arn(self, name: str) -> str:
        """The ARN of a stream of this account and region."""
        return self._arn_prefix + name

    def _find(self, name: str | None, arn: str | None) -> Stream | None:
        """The stream named, or None when there is none (or the names are wrong)."""
        if arn is not None:
            if not arn.startswith(self._arn_prefix):
                return None
            from_arn = arn[len(self._arn_prefix):]
            if name is not None and name != from_arn:
                return None
            name = from_arn
        return None if name is None else self._streams.get(name)

    def _stream(self, name: str | None, arn: str | None) -> Stream:
        if arn is not None:
            from_arn = self._name_in_arn(arn)
            if name is not None and name != from_arn:
                raise InvalidArgumentException(
                    f"StreamARN {arn} and StreamName {name} do not name the same stream."
                )
            name = from_arn
        if name is None:
            raise InvalidArgumentException("Either StreamName or StreamARN should be provided.")
        stream = self._streams.get(name)
        if stream is None:
            raise StreamNotFound(name, self._ctx.account_id)
        return stream

    def _name_in_arn(self, arn: str) -> str:
        head, _, name = arn.partition(":stream/")
        parts = head.split(":")
        if len(parts) != 5 or parts[0] != "arn" or parts[2] != "kinesis" or not name:
            raise InvalidArgumentException(f"Invalid StreamARN {arn}.")
        if parts[3] != self._ctx.region or parts[4] != self._ctx.account_id:
            raise StreamNotFound(name, parts[4])
        return name

    def _shard(self, stream: Stream, wanted: str) -> Shard:
        index = parse_shard_id(wanted)
        if index is None or index >= len(stream.shards):
            shown = wanted if index is None else shard_id(index)
            raise ShardNotFound(shown, stream.name, self._ctx.account_id)
        return stream.shards[index]

    # -- limits ----------------------------------------------------------------------------

    def _open_shard_count(self) -> int:
        return sum(len(s.open_shards) for s in self._streams.values())

    def _shard_limit(self) -> int:
        # AWS's default shard quota: 500 in us-east-1, us-west-2 and eu-west-1, 200 elsewhere.
        # https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
        return 500 if self._ctx.region in _BIG_SHARD_LIMIT_REGIONS else 200

    def _check_shard_limit(self, adding: int) -> None:
        limit = self._shard_limit()
        current = self._open_shard_count()
        if current + adding > limit:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account "
                f"{self._ctx.account_id} in {self._ctx.region}. Current shard count for the "
                f"account: {current}. Limit: {limit}. Number of additional shards that would "
                f"have resulted from this request: {adding}. Refer to the AWS Service Limits "
                "page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                "for current limits and how to request higher limits."
            )
