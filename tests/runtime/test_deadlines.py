"""The deadline watch of the inline runtime: one timer per lane, forgotten jobs never expire."""

from __future__ import annotations

import asyncio
import time

import pytest

from eventsim.runtime.inline.deadlines import Deadlines


@pytest.mark.asyncio
async def test_jobs_expire_in_deadline_order_and_forgotten_ones_never() -> None:
    loop = asyncio.get_running_loop()
    expired: list[str] = []
    done = asyncio.Event()

    def expire(job: str) -> None:
        expired.append(job)
        if job == "last":
            done.set()

    watch = Deadlines(loop, expire)
    now = time.time()
    watch.watch("first", 3, now + 0.01)
    watch.watch("finished", 3, now + 0.02)
    watch.watch("second", 3, now + 0.03)
    watch.watch("other-lane", 900, now + 0.015)
    watch.watch("last", 3, now + 0.05)
    watch.forget("finished", 3)
    await asyncio.wait_for(done.wait(), 5)
    # Within a lane, deadline order; across lanes, each lane's timer runs on its own, and a
    # loop woken late (a loaded machine) may expire one lane's due jobs before the other's.
    assert [job for job in expired if job != "other-lane"] == ["first", "second", "last"]
    assert "other-lane" in expired
    assert "finished" not in expired


@pytest.mark.asyncio
async def test_a_deadline_out_of_its_lane_order_still_expires_on_time() -> None:
    loop = asyncio.get_running_loop()
    expired: list[str] = []
    done = asyncio.Event()

    def expire(job: str) -> None:
        expired.append(job)
        done.set()

    watch = Deadlines(loop, expire)
    now = time.time()
    watch.watch("late", 3, now + 30)
    watch.watch("early", 3, now + 0.01)  # earlier than the lane's last: a timer of its own
    await asyncio.wait_for(done.wait(), 5)
    assert expired == ["early"]
    watch.forget("late", 3)
