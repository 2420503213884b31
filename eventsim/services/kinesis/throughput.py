"""Per-shard write limits, on the clock: 1,000 records and 1 MiB per second.

AWS answers a put beyond a shard's limit with ``ProvisionedThroughputExceededException``: the
whole call for PutRecord, the entry alone for PutRecords (the other entries are stored).
https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html

A simulator that throttles gets in the way of load tests, so the limits are off unless asked for
(`KinesisService.enforce_throughput`); with them on, a producer's retry logic can be tested.
Each shard counts what it accepted in the current second of the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BYTES_PER_SECOND", "RECORDS_PER_SECOND", "ShardMeter"]

RECORDS_PER_SECOND = 1000
BYTES_PER_SECOND = 1 << 20


@dataclass(slots=True)
class ShardMeter:
    """What one shard has accepted in the current second."""

    second: int = -1
    records: int = 0
    bytes: int = 0

    def admit(self, now: float, size: int) -> bool:
        """Count a record of `size` bytes if the shard can take it this second."""
        second = int(now)
        if second != self.second:
            self.second, self.records, self.bytes = second, 0, 0
        if self.records + 1 > RECORDS_PER_SECOND or self.bytes + size > BYTES_PER_SECOND:
            return False
        self.records += 1
        self.bytes += size
        return True
