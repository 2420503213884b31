"""Kinesis sequence numbers, shard iterators and hash key ranges."""

from __future__ import annotations

import pytest

from eventsim.services.kinesis import iterators, sequence, shards
from eventsim.services.kinesis.sequence import SequenceNumber


@pytest.mark.parametrize("parts", [
    pytest.param(SequenceNumber(0, 0, 0, 0), id="zeros"),
    pytest.param(SequenceNumber(1764586800, 3, 1, 1764586801), id="typical"),
    pytest.param(SequenceNumber(2**36 - 1, 2**32 - 1, 2**64 - 1, 2**36 - 1), id="largest"),
])
def test_sequence_numbers_are_56_digits_and_decode_to_their_fields(
    parts: SequenceNumber,
) -> None:
    text = sequence.encode(parts)
    assert len(text) == 56 and text.isdigit()
    assert sequence.decode(text) == parts


def test_sequence_numbers_order_by_counter_even_when_the_clock_steps_back() -> None:
    numbers = [sequence.encode(SequenceNumber(1000, 2, counter, arrival))
               for counter, arrival in [(1, 5000), (2, 4000), (3, 4000), (4, 9000)]]
    assert numbers == sorted(numbers) == sorted(numbers, key=int)


def test_numbers_eventsim_did_not_make_do_not_decode() -> None:
    assert sequence.decode("12345") is None
    assert sequence.decode("0") is None
    assert sequence.decode("1" * 56) is None
    assert sequence.decode("not a number") is None


def test_iterators_round_trip_and_reject_tampering() -> None:
    it = iterators.ShardIterator(stream="orders", stream_created_ms=1_700_000_000_123,
                                 shard_index=7, position=42, issued_ms=1_700_000_100_000)
    token = iterators.encode(it)
    assert len(token) <= 512
    assert iterators.decode(token) == it
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert iterators.decode(flipped) is None
    assert iterators.decode("not base64!") is None
    assert iterators.decode("") is None


def test_md5_of_the_partition_key_picks_the_shard() -> None:
    starts = [start for start, _ in shards.split(4)]
    # md5("a") = 0cc175b9c0f1b6a831c399e269772661: the first quarter of the space
    assert shards.shard_for(starts, shards.hash_key("a")) == 0
    # md5("b") = 92eb5ffee6ae2fec3ad71c777531578f: the third quarter
    assert shards.shard_for(starts, shards.hash_key("b")) == 2
    assert shards.shard_for(starts, 2**128 - 1) == 3


def test_shard_ids_parse_back_to_their_index() -> None:
    assert shards.shard_id(12) == "shardId-000000000012"
    assert shards.parse_shard_id("shardId-000000000012") == 12
    assert shards.parse_shard_id("12") == 12
    assert shards.parse_shard_id("shard-12") is None
