"""Kinesis Data Streams: streams, shards on the 128-bit hash space, records and iterators."""
