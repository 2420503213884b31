"""SQS throughput: SendMessage and the receive-and-delete cycle.

Prints messages per second for:

1. the Python API (state in a SQLite file): ``sim.sqs.send_message`` in bursts of concurrent
   calls, then ReceiveMessage of 10 + DeleteMessageBatch until the queue is empty;
2. one boto3 client doing sequential SendMessage against, in alternating rounds:
   a trivial aiohttp server in its own process answering with the least botocore accepts (the
   client's own ceiling), ``eventsim serve`` in its own process, and moto's server in its own
   process. The figure is the median of the rounds (this machine is shared and noisy).

Usage: python bench/sqs.py [--messages 20000] [--gateway-messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import servers  # bench/servers.py, beside this script

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import boto3_client

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-sqs-"))
BODY = "x" * 128

TRIVIAL_SERVER = textwrap.dedent('''
    import sys
    from aiohttp import web

    ANSWER = (b'{"MD5OfMessageBody":"9d9e5d52bd4e0b2d1c66fd3dcbb2b12d",'
              b'"MessageId":"00000000-0000-4000-8000-000000000000",'
              b'"QueueUrl":"http://127.0.0.1/000000000000/bench"}')

    async def answer(request):
        await request.read()
        return web.Response(body=ANSWER, content_type="application/x-amz-json-1.0",
                            headers={"x-amzn-RequestId": "0"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')


# -- 1. the Python API ------------------------------------------------------------------------


async def bench_api(messages: int, burst: int = 500) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as state:
        config = SimulatorConfig(db=str(Path(state) / "bench.db"))
        async with Simulator(config) as sim:
            url = (await sim.sqs.create_queue(queue_name="bench"))["QueueUrl"]
            start = time.perf_counter()
            for first in range(0, messages, burst):
                await asyncio.gather(*(
                    sim.sqs.send_message(queue_url=url, message_body=BODY)
                    for _ in range(first, min(messages, first + burst))
                ))
            sent = messages / (time.perf_counter() - start)
            start = time.perf_counter()
            consumed = 0
            while True:
                got = (await sim.sqs.receive_message(queue_url=url, max_number_of_messages=10)
                       ).get("Messages", [])
                if not got:
                    break
                await sim.sqs.delete_message_batch(queue_url=url, entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(got)])
                consumed += len(got)
            assert consumed == messages, f"{consumed} of {messages} consumed"
            return sent, consumed / (time.perf_counter() - start)


# -- 2. boto3 against a server in its own process ---------------------------------------------


def _send_loop(url: str, messages: int) -> float:
    sqs = boto3_client("sqs", url)
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    queue = f"{url}/{queue.rsplit('/', 2)[-2]}/bench"  # the server's own host, whatever it says
    for _ in range(50):  # warm the connection pool and botocore's caches
        sqs.send_message(QueueUrl=queue, MessageBody="warm")
    start = time.perf_counter()
    for _ in range(messages):
        sqs.send_message(QueueUrl=queue, MessageBody=BODY)
    return messages / (time.perf_counter() - start)


def bench_gateway(messages: int, rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as state:
        running = {
            "ceiling": servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER),
            "eventsim": servers.start_eventsim(Path(state)),
            "moto": servers.start_moto(),
        }
        figures: dict[str, list[float]] = {name: [] for name in running}
        try:
            for _ in range(rounds):
                for name, (_, url) in running.items():
                    figures[name].append(_send_loop(url, messages))
        finally:
            servers.stop(*(proc for proc, _ in running.values()))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--gateway-messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API, {args.messages} messages (durable, a SQLite file):")
    sent, consumed = asyncio.run(bench_api(args.messages))
    print(f"  SendMessage in bursts of 500:           {sent:,.0f} messages/s")
    print(f"  ReceiveMessage 10 + DeleteMessageBatch: {consumed:,.0f} messages/s")
    print(f"boto3, {args.gateway_messages} sequential SendMessage per round, "
          f"{args.rounds} rounds:")
    figures = bench_gateway(args.gateway_messages, args.rounds)
    medians = {name: statistics.median(values) for name, values in figures.items()}
    labels = {"ceiling": "trivial aiohttp server (the ceiling)", "eventsim": "eventsim serve",
              "moto": "moto's server"}
    for name, values in figures.items():
        print(f"  {labels[name]:38} {medians[name]:,.0f} requests/s "
              f"(rounds: {', '.join(f'{x:.0f}' for x in values)})")
    ceiling = medians["ceiling"]
    print(f"  eventsim / ceiling: {medians['eventsim'] / ceiling:.0%}; "
          f"moto / ceiling: {medians['moto'] / ceiling:.0%}")


if __name__ == "__main__":
    main()
