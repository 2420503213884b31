"""Where the S3 gateway's distance to its ceiling comes from, one piece of PutObject at a time.

`bench/push.py` compares `eventsim serve` with a trivial aiohttp server (the ceiling). This
script runs, beside that trivial server, `eventsim serve` whole and with one piece of the
PutObject path taken out, each variant its own server process patched at start, all driven
by the same sequential boto3 loop in interleaved blocks (`bench/interleave.py`):

- ``trivial-headers``: the trivial server answering with the headers eventsim sends (request
  ids, ETag, checksum): what parsing AWS's answer costs the client;
- ``no-write``: the put is parsed, checked and answered, but makes no transaction: what the
  gateway's own HTTP, parsing and serializing cost;
- ``no-notify``: the put writes its object but no event;
- ``no-launch``: the put writes its object and its queued event, but no invocation starts;
- ``full``: as shipped (the events are handled before its time stops).

Each line is a variant's rate and its ratio to the ceiling (the median of the blocks'
ratios). The variants only take pieces out for this measurement; nothing here is a mode of
eventsim.

Usage: python bench/gateway_gap.py [--calls 3000] [--block 100]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import servers  # bench/servers.py, beside this script
import workloads  # bench/workloads.py
from interleave import interleave  # bench/interleave.py

from eventsim.testing import boto3_client

VARIANTS = ("no-write", "no-notify", "no-launch", "full")

_TRIVIAL = '''
import sys
from aiohttp import web

HEADERS = {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'}
if sys.argv[2] == "headers":  # as eventsim answers PutObject (values of the right shape)
    HEADERS.update({"x-amz-checksum-crc32": "rOCKNw==", "x-amz-request-id": "495F40E7D5DC3F29",
                    "x-amz-id-2": "grCLZztWSECiJo3/7Tyi0yZeYH4AeIb7zFo2/GTz2HSXzLe5+OPtYUy5"
                                  "ZCd2mVNj/Icer6LcRKw="})

async def answer(request):
    await request.read()
    return web.Response(headers=HEADERS)

app = web.Application()
app.router.add_route("*", "/{tail:.*}", answer)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
'''

# -- the server side: take a piece out, then run `eventsim serve` ------------------------------


def _patch(variant: str) -> None:
    if variant == "no-launch":
        from eventsim.delivery.async_queue import AsyncInvokeQueue
        AsyncInvokeQueue.accept = lambda self, events: None  # type: ignore[method-assign]
    elif variant == "no-notify":
        from eventsim.services.s3.notifier import Notifier
        Notifier.notify = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    elif variant == "no-write":
        from eventsim.services.s3.models import compute_etag
        from eventsim.services.s3.objects import validate_key
        from eventsim.services.s3.service import S3Service
        original = S3Service.put_object

        # The dispatcher reads the method's signature: wraps keeps the original's.
        @functools.wraps(original)
        async def put_object(self: S3Service, *, bucket: str, key: str, body: bytes = b"",
                             **rest: Any) -> dict[str, Any]:
            validate_key(key)
            return {"ETag": compute_etag(body)}

        S3Service.put_object = put_object  # type: ignore[method-assign]


def _serve(variant: str, argv: list[str]) -> None:
    _patch(variant)
    from eventsim.cli import main
    sys.argv = ["eventsim", *argv]
    main()


# -- the driving side -------------------------------------------------------------------------


def _start(variant: str, work: Path, scenario: Path) -> servers.Server:
    port = servers.free_port()
    state = Path(tempfile.mkdtemp(dir=work))
    return servers.start([sys.executable, __file__, "--serve", variant, "serve", "--port",
                          str(port), "--state", str(state), "--log-level", "warning",
                          "--runtime", "inline", "--load", str(scenario)], port)


def _put(client: Any, i: int) -> None:
    client.put_object(Bucket="notified", Key=f"k/{i}", Body=b"x" * 128)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--block", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eventsim-bench-gap-"))
    scenario = workloads.write_resources(work)
    running: dict[str, servers.Server] = {}
    try:
        for name, mode in (("trivial", "plain"), ("trivial-headers", "headers")):
            running[name] = servers.start_script(work / "trivial.py", _TRIVIAL, mode)
        for variant in VARIANTS:
            running[variant] = _start(variant, work, scenario)
        clients = {name: boto3_client("s3", url) for name, (_, url) in running.items()}
        for client in clients.values():
            for i in range(50):  # warm the connection pool and botocore's caches
                client.put_object(Bucket="notified", Key=f"warm/{i}", Body=b"x")
        full_url = running["full"][1]
        servers.settle(full_url)
        results = interleave(
            {name: functools.partial(_put, client) for name, client in clients.items()},
            args.calls, args.block, finish={"full": lambda: servers.settle(full_url)},
        )
    finally:
        servers.stop(*(proc for proc, _ in running.values()))
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
          f"{args.calls} sequential PutObject to each server, interleaved {args.block} at a time")
    ceiling = results["trivial"]
    for name, result in results.items():
        print(f"  {name:16s} {result.rate:7,.0f} calls/s  {result.ratio_to(ceiling):5.0%} "
              "of the ceiling")


if __name__ == "__main__":
    main()
