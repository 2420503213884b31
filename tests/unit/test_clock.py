import asyncio

import pytest

from eventsim.clock import RealClock, VirtualClock


@pytest.mark.asyncio
async def test_virtual_sleep_returns_when_clock_advances() -> None:
    clock = VirtualClock(start=1000.0)
    task = asyncio.ensure_future(clock.sleep(120))
    await asyncio.sleep(0)  # sleep-ok: a yield to let the waiter run, not a delay
    assert clock.next_work_deadline() == 1120.0
    assert not task.done()
    clock.advance_to_next()
    await task
    assert clock.time() == 1120.0
    assert clock.next_work_deadline() is None


@pytest.mark.asyncio
async def test_daemon_timers_do_not_count_as_work() -> None:
    clock = VirtualClock(start=0.0)
    task = asyncio.ensure_future(clock.sleep(5, daemon=True))
    await asyncio.sleep(0)  # sleep-ok: a yield to let the waiter run, not a delay
    assert clock.next_work_deadline() is None
    clock.advance(5)
    await task


@pytest.mark.asyncio
async def test_wait_returns_true_when_event_set_before_timeout() -> None:
    clock = VirtualClock(start=0.0)
    event = asyncio.Event()
    waiter = asyncio.ensure_future(clock.wait(event, 60))
    await asyncio.sleep(0)  # sleep-ok: a yield to let the waiter run, not a delay
    event.set()
    assert await waiter is True
    assert clock.next_work_deadline() is None


@pytest.mark.asyncio
async def test_real_clock_wait_times_out() -> None:
    clock = RealClock()
    assert await clock.wait(asyncio.Event(), 0.01) is False


def test_virtual_clock_refuses_to_go_backwards() -> None:
    with pytest.raises(ValueError):
        VirtualClock().advance(-1)
