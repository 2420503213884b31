"""The Kinesis Data Streams service: streams, shards, records and shard iterators.

Each method is one Kinesis operation (named ``xform_name(Operation)``), takes the operation's
input members as snake_case keywords and returns a dict keyed by the output shape's members, so
the gateway, scenario runner, pytest helpers and console all call the same code. Wherever AWS
takes ``StreamName`` it also takes ``StreamARN``; either names the stream.

Streams and shards live in memory (`models`) and in SQLite; records only in SQLite, written in
the unit of the put that made them, so a put that returned is durable. Sequence numbers are
described in `sequence`, iterators in `iterators`, the hash key space in `shards`.
"""

from __future__ import annotations

import logging

from eventsim.services.kinesis.read_ops import ReadOperations
from eventsim.services.kinesis.reshard_ops import ReshardOperations
from eventsim.services.kinesis.setting_ops import SettingOperations
from eventsim.services.kinesis.stream_ops import StreamOperations
from eventsim.services.kinesis.write_ops import WriteOperations

__all__ = ["KinesisService"]

LOG = logging.getLogger(__name__)


class KinesisService(
    StreamOperations, SettingOperations, ReshardOperations, WriteOperations, ReadOperations
):
    """Kinesis data streams, stored in SQLite. The operations are grouped by what they act on:
    streams (`stream_ops`), their settings (`setting_ops`), resharding (`reshard_ops`), record
    writes (`write_ops`) and reads (`read_ops`), over the streams of `catalog`."""
