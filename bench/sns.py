"""SNS Publish throughput: publish -> filter policy -> function subscriber.

Prints messages per second for:

1. the Python API: ``sim.sns.publish`` in bursts of concurrent calls to a topic with a function
   subscriber behind a filter policy that lets every other message through (state in a SQLite
   file), timed until every matching message has been handled and recorded;
2. boto3 through the gateway: one client doing sequential Publish against ``eventsim serve``
   (its own process, the same topic and subscriber), timed until the last message is handled;
3. the same boto3 loop against moto's server (its own process; a topic without subscribers,
   since moto runs Lambda subscribers only in Docker);
4. the same loop against a trivial aiohttp server answering Publish with the least botocore
   accepts: the client's own ceiling.

2, 3 and 4 alternate for several rounds; the figures are the medians.

Usage: python bench/sns.py [--messages 20000] [--gateway-messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import servers  # bench/servers.py, beside this script

from eventsim import Simulator, SimulatorConfig
from eventsim.testing import boto3_client

WORK = Path(tempfile.mkdtemp(prefix="eventsim-bench-sns-"))
HANDLER_DIR = WORK / "sink"
HANDLER_DIR.mkdir()
(HANDLER_DIR / "sink.py").write_text("def handler(event, context):\n    return None\n")
# What `eventsim serve` loads: the subscriber function (the test subscribes it through boto3).
FUNCTIONS = (
    "name: bench-sns\nfunctions:\n  sink:\n    Handler: sink.handler\n"
    f"    CodeUri: {json.dumps(str(HANDLER_DIR))}\n"
)
POLICY = '{"parity": ["even"]}'

TRIVIAL_SERVER = textwrap.dedent('''
    import sys
    from aiohttp import web

    BODY = (b'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
            b'<MessageId>m</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId>'
            b'</ResponseMetadata></PublishResponse>')

    async def answer(request):
        await request.read()
        return web.Response(body=BODY, content_type="text/xml")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
''')


def _attributes(i: int) -> dict[str, Any]:
    return {"parity": {"DataType": "String", "StringValue": "even" if i % 2 == 0 else "odd"}}


async def bench_api(messages: int, burst: int = 500) -> float:
    with tempfile.TemporaryDirectory() as state:
        async with Simulator(SimulatorConfig(db=str(Path(state) / "bench.db"))) as sim:
            fn = await sim.functions.create_function(name="sink", handler="sink.handler",
                                                     code_dir=HANDLER_DIR)
            topic = (await sim.sns.create_topic(name="bench"))["TopicArn"]
            await sim.sns.subscribe(topic_arn=topic, protocol="lambda", endpoint=fn.arn,
                                    attributes={"FilterPolicy": POLICY})
            start = time.perf_counter()
            for first in range(0, messages, burst):
                await asyncio.gather(*(
                    sim.sns.publish(topic_arn=topic, message=f"m{i}",
                                    message_attributes=_attributes(i))
                    for i in range(first, min(messages, first + burst))
                ))
            await sim.settle(timeout=600)
            elapsed = time.perf_counter() - start
            done = await sim.invocations.count(function="sink", status="Success")
            assert done == messages // 2, f"{done} of {messages // 2} delivered"
            return messages / elapsed


def _publish_loop(url: str, topic: str, messages: int) -> float:
    sns = boto3_client("sns", url)
    for _ in range(50):  # warm the connection pool and botocore's caches
        sns.publish(TopicArn=topic, Message="warm", MessageAttributes=_attributes(1))
    start = time.perf_counter()
    for i in range(messages):
        sns.publish(TopicArn=topic, Message=f"m{i}", MessageAttributes=_attributes(i))
    return time.perf_counter() - start


def _setup(url: str, subscribe: bool) -> str:
    sns = boto3_client("sns", url)
    topic = str(sns.create_topic(Name="bench")["TopicArn"])
    if subscribe:
        sns.subscribe(TopicArn=topic, Protocol="lambda",
                      Endpoint="arn:aws:lambda:us-east-1:000000000000:function:sink",
                      Attributes={"FilterPolicy": POLICY})
    return topic


def bench_gateway(messages: int, rounds: int) -> dict[str, list[float]]:
    trivial, trivial_url = servers.start_script(WORK / "trivial.py", TRIVIAL_SERVER)
    moto, moto_url = servers.start_moto()
    figures: dict[str, list[float]] = {"trivial": [], "moto": [], "eventsim": []}
    with tempfile.TemporaryDirectory() as state:
        (WORK / "functions.yaml").write_text(FUNCTIONS)
        served, served_url = servers.start_eventsim(Path(state), load=WORK / "functions.yaml")
        urls = {"trivial": trivial_url, "moto": moto_url, "eventsim": served_url}
        topics = {"trivial": "arn:aws:sns:us-east-1:000000000000:bench",
                  "moto": _setup(urls["moto"], subscribe=False),
                  "eventsim": _setup(served_url, subscribe=True)}
        after: dict[str, Callable[[], None]] = {"eventsim": lambda: servers.settle(served_url)}
        try:
            for _ in range(rounds):
                for name in ("trivial", "moto", "eventsim"):
                    elapsed = _publish_loop(urls[name], topics[name], messages)
                    after.get(name, lambda: None)()  # handled, not only accepted
                    figures[name].append(messages / elapsed)
        finally:
            servers.stop(served, moto, trivial)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--gateway-messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"Python API, {args.messages} publishes in bursts of 500, half pass the filter "
          "policy to an inline handler:")
    print(f"  {asyncio.run(bench_api(args.messages)):,.0f} messages/s")
    print(f"boto3, {args.gateway_messages} sequential Publish per round, {args.rounds} rounds:")
    figures = bench_gateway(args.gateway_messages, args.rounds)
    medians = {name: statistics.median(values) for name, values in figures.items()}
    labels = {"trivial": "trivial aiohttp server (the ceiling)",
              "moto": "moto server (no subscribers)",
              "eventsim": "eventsim serve, handled end to end"}
    for name, label in labels.items():
        rounds = ", ".join(f"{x:.0f}" for x in figures[name])
        print(f"  {label + ':':40} {medians[name]:,.0f} requests/s (rounds: {rounds})")
    print(f"  eventsim / ceiling: {medians['eventsim'] / medians['trivial']:.0%}, "
          f"moto / ceiling: {medians['moto'] / medians['trivial']:.0%}")


if __name__ == "__main__":
    main()
