"""SQS message move tasks on the clock: a rate spreads a redrive over seconds, a cancelled task
leaves the rest, and a task running at a restart goes on afterwards."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig


async def _dead_lettered(sim: Simulator, count: int) -> tuple[str, str, str]:
    """A source queue whose `count` messages sit in its dead-letter queue: (source url,
    dlq url, dlq arn)."""
    dlq = (await sim.sqs.create_queue(queue_name="dlq"))["QueueUrl"]
    dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq"
    source = (await sim.sqs.create_queue(queue_name="work", attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
    }))["QueueUrl"]
    for n in range(count):
        await sim.sqs.send_message(queue_url=source, message_body=f"m{n}")
    # A message's first receive counts; the next one dead-letters it (ten a receive).
    for _ in range(count // 10 + 3):
        await sim.sqs.receive_message(queue_url=source, max_number_of_messages=10,
                                      visibility_timeout=0)
    return source, dlq, dlq_arn


async def _count(sim: Simulator, url: str) -> int:
    attributes = (await sim.sqs.get_queue_attributes(
        queue_url=url, attribute_names=["ApproximateNumberOfMessages"]))["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


@pytest.mark.asyncio
async def test_a_rate_spreads_the_moves_over_seconds_of_the_clock(sim: Simulator) -> None:
    source, dlq, dlq_arn = await _dead_lettered(sim, 12)
    assert await _count(sim, dlq) == 12
    started = sim.clock.time()
    await sim.sqs.start_message_move_task(source_arn=dlq_arn,
                                          max_number_of_messages_per_second=5)
    await sim.settle()
    # 5, 5 and 2: the third batch a little over two seconds after the first.
    assert sim.clock.time() - started >= 2.0
    assert (await _count(sim, source), await _count(sim, dlq)) == (12, 0)
    [task] = (await sim.sqs.list_message_move_tasks(source_arn=dlq_arn))["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 12)


@pytest.mark.asyncio
async def test_without_a_rate_the_moves_take_no_time(sim: Simulator) -> None:
    source, dlq, dlq_arn = await _dead_lettered(sim, 250)
    started = sim.clock.time()
    await sim.sqs.start_message_move_task(source_arn=dlq_arn)
    await sim.settle()
    assert sim.clock.time() == started
    assert (await _count(sim, source), await _count(sim, dlq)) == (250, 0)


@pytest.mark.asyncio
async def test_a_cancelled_task_leaves_what_it_has_not_moved(sim: Simulator) -> None:
    _, dlq, dlq_arn = await _dead_lettered(sim, 3)
    handle = (await sim.sqs.start_message_move_task(
        source_arn=dlq_arn, max_number_of_messages_per_second=1))["TaskHandle"]
    cancelled = await sim.sqs.cancel_message_move_task(task_handle=handle)
    await sim.settle()
    [task] = (await sim.sqs.list_message_move_tasks(source_arn=dlq_arn))["Results"]
    assert task["Status"] == "CANCELLED" and "TaskHandle" not in task
    assert task["ApproximateNumberOfMessagesMoved"] == cancelled[
        "ApproximateNumberOfMessagesMoved"]
    assert await _count(sim, dlq) == 3 - task["ApproximateNumberOfMessagesMoved"] >= 2
    # Finished, it cannot start again as a running one; a new task may.
    await sim.sqs.start_message_move_task(source_arn=dlq_arn)
    await sim.settle()
    assert await _count(sim, dlq) == 0


@pytest.mark.asyncio
async def test_only_one_task_runs_per_dead_letter_queue(sim: Simulator) -> None:
    _, _, dlq_arn = await _dead_lettered(sim, 3)
    await sim.sqs.start_message_move_task(source_arn=dlq_arn,
                                          max_number_of_messages_per_second=1)
    with pytest.raises(AwsError) as raised:
        await sim.sqs.start_message_move_task(source_arn=dlq_arn)
    assert raised.value.code == "InvalidParameterValue"
    assert raised.value.message.startswith("There is already a task running.")


@pytest.mark.asyncio
async def test_a_task_running_at_a_restart_goes_on(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        source, dlq, dlq_arn = await _dead_lettered(first, 3)
        await first.sqs.start_message_move_task(source_arn=dlq_arn,
                                                max_number_of_messages_per_second=1)
    async with Simulator(config) as second:
        await second.settle()
        [task] = (await second.sqs.list_message_move_tasks(source_arn=dlq_arn))["Results"]
        assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 3)
        assert (await _count(second, source), await _count(second, dlq)) == (3, 0)
