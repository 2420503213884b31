"""A simulator on a database file with a Kinesis stream, records and a mapping to a handler
that logs each batch; run as a child process by test_mapping_crash.py, which SIGKILLs it.

Each start sets up what is missing (function, stream, the records not yet put, the mapping)
and then runs until killed: the pollers resume from their checkpoints.

    python mapping_worker.py DB BATCH_LOG TOTAL
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from eventsim import Simulator, SimulatorConfig

HERE = Path(__file__).parent


async def main(db: str, log: str, total: int) -> None:
    async with Simulator(SimulatorConfig(db=db)) as sim:
        if not sim.functions.exists("sink"):
            await sim.functions.create_function(
                name="sink", handler="sink.handler", code_dir=HERE / "functions" / "batch_log",
                environment={"BATCH_LOG": log}, timeout=30)
        arn = sim.kinesis.stream_arn("clicks")
        stream = sim.kinesis.stream_at(arn)
        if stream is None:
            await sim.kinesis.create_stream(stream_name="clicks", shard_count=4)
            stream = sim.kinesis.stream_at(arn)
        assert stream is not None
        if not (await sim.mappings.list_event_source_mappings())["EventSourceMappings"]:
            await sim.mappings.create_event_source_mapping(
                function_name="sink", event_source_arn=arn, starting_position="TRIM_HORIZON",
                batch_size=100)
        put = sum(s.last_counter for s in stream.shards)  # a put is one unit: all or nothing
        print("ready", flush=True)
        for start in range(put, total, 500):
            await sim.kinesis.put_records(stream_name="clicks", records=[
                {"Data": str(i).encode(), "PartitionKey": f"key-{i % 1009}"}
                for i in range(start, min(total, start + 500))])
        await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
