"""Helpers for tests that drive eventsim: public and documented.

`ThreadedSimulator` runs a simulator with its gateway on its own loop in a background thread
(boto3 is synchronous; see `eventsim.testing.threaded`) and offers blocking access to the same
service methods every surface calls, plus test helpers; its ``aio`` attribute is the same
simulator for ``async def`` tests:

    with ThreadedSimulator() as sim:
        fn = sim.define_function("make-thumbnail", "app.handler", code="functions/thumbnail")
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="uploads")
        ...
        sim.settle()
        sim.assert_invoked("make-thumbnail", count=1, status="Success")

The pytest plugin (`eventsim.pytest_plugin`) builds its fixtures from these.
"""

from eventsim.testing.aio import AsyncClockControl, AsyncSimulator
from eventsim.testing.checks import EventMatcher, mismatch
from eventsim.testing.proxies import AsyncProxy, BlockingProxy
from eventsim.testing.threaded import ClockControl, ThreadedSimulator, boto3_client

__all__ = [
    "AsyncClockControl",
    "AsyncProxy",
    "AsyncSimulator",
    "BlockingProxy",
    "ClockControl",
    "EventMatcher",
    "ThreadedSimulator",
    "boto3_client",
    "mismatch",
]
