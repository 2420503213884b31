"""The pytest plugin's fixtures with Kinesis, the way users write tests (through pytester)."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_eventsim_boto3_gives_a_kinesis_client_and_eventsim_the_service(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(textwrap.dedent('''
        def test_put_then_read(eventsim, eventsim_boto3):
            kinesis = eventsim_boto3("kinesis")
            kinesis.create_stream(StreamName="orders", ShardCount=2)
            put = kinesis.put_record(StreamName="orders", Data=b"order-1", PartitionKey="c-1")
            it = eventsim.kinesis.get_shard_iterator(
                stream_name="orders", shard_id=put["ShardId"],
                shard_iterator_type="TRIM_HORIZON")["ShardIterator"]
            records = eventsim.kinesis.get_records(shard_iterator=it)["Records"]
            assert [r["Data"] for r in records] == [b"order-1"]
    '''))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
