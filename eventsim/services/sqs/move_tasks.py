"""Message move tasks: a dead-letter queue's messages redriven to the queues they came from, or
to one queue named (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask).

As SQS runs them (API reference; the behaviour moto's tests record):

- the source must be the dead-letter queue of some queue, and have one active task at most;
- a moved message is a new message of its destination: a new id, never received, its body,
  message attributes and FIFO message group kept (SQS moves nothing else);
- without a destination each message goes back to the queue it was dead-lettered from (its
  DeadLetterQueueSourceArn); one without that stops the task as FAILED
  (``CouldNotDetermineMessageSource``), and it and the messages behind it stay;
- ``MaxNumberOfMessagesPerSecond`` moves at most that many in each second of the clock;
  without it, batches of 100 follow each other at once;
- a task moves the messages visible when it runs, and completes once none is left (messages in
  flight stay for another task).

The handle is base64 of ``{"taskId", "sourceArn"}``, as moto makes it (AWS's is opaque). Tasks
are rows of ``sqs_move_tasks``; `MessageMover` (a `Worker` on the clock) runs them, so a task
running at a restart goes on, and `settle` waits for it (a virtual clock jumps to each second).
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.worker import Worker
from eventsim.ids import new_uuid
from eventsim.services.sqs import storage
from eventsim.services.sqs.catalog import SENDER_ID, Catalog
from eventsim.services.sqs.errors import InvalidParameterValue, ResourceNotFoundException
from eventsim.services.sqs.messages import decode_attributes
from eventsim.services.sqs.queues import Queue

__all__ = ["BATCH", "MessageMover", "MoveTaskOperations"]

BATCH = 100
"""Messages moved in one transaction by a task without a rate."""
_NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist."


@dataclass(frozen=True, slots=True)
class _Task:
    task_id: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    status: str
    moved: int
    to_move: int
    failure_reason: str | None
    started_at: float

    @classmethod
    def of(cls, row: sqlite3.Row) -> _Task:
        return cls(row["task_id"], row["source_arn"], row["destination_arn"], row["rate"],
                   row["status"], row["moved"], row["to_move"], row["failure_reason"],
                   row["started_at"])

    @property
    def handle(self) -> str:
        text = json.dumps({"taskId": self.task_id, "sourceArn": self.source_arn})
        return base64.b64encode(text.encode()).decode()

    def entry(self) -> dict[str, Any]:
        """The task as ListMessageMoveTasks reports it (members only where SQS gives them)."""
        entry: dict[str, Any] = {
            "Status": self.status, "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": int(self.started_at * 1000),
        }
        if self.status == "RUNNING":
            entry["TaskHandle"] = self.handle
        if self.destination_arn is not None:
            entry["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            entry["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure_reason is not None:
            entry["FailureReason"] = self.failure_reason
        return entry


class MoveTaskOperations(Catalog):
    """The message move task operations, and the moving itself (a part of `SqsService`)."""

    moves_started: Callable[[], None] = staticmethod(lambda: None)
    """Called when a task starts (the simulator wakes its `MessageMover`)."""

    async def start_message_move_task(
        self, *, source_arn: str, destination_arn: str | None = None,
        max_number_of_messages_per_second: int | None = None,
    ) -> dict[str, Any]:
        """StartMessageMoveTask: redrive a dead-letter queue's messages."""
        source = self._by_arn.get(source_arn)
        if source is None:
            raise ResourceNotFoundException(_NO_SOURCE)
        rate = max_number_of_messages_per_second
        if rate is not None and not 1 <= rate <= 500:
            raise InvalidParameterValue(f"Value {rate} for parameter "
                                        "MaxNumberOfMessagesPerSecond is invalid. Reason: "
                                        "Must be between 1 and 500.")
        if not any(q.redrive_policy is not None
                   and q.redrive_policy.dead_letter_target_arn == source_arn
                   for q in self._queues.values()):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter "
                                        "Queue.")
        if destination_arn is not None:
            if destination_arn not in self._by_arn:
                raise ResourceNotFoundException("The resource that you specified for the "
                                                "DestinationArn parameter doesn't exist.")
            if destination_arn == source_arn:
                raise InvalidParameterValue("Source queue arn and destination queue arn "
                                            "cannot be the same.")
        now = self._ctx.clock.time()
        task_id = new_uuid()

        def unit(conn: sqlite3.Connection) -> None:
            active = conn.execute(
                "SELECT 1 FROM sqs_move_tasks WHERE source_arn = ? AND status = 'RUNNING'",
                (source_arn,)).fetchone()
            if active is not None:
                raise InvalidParameterValue(
                    "There is already a task running. Only one active task is allowed for a "
                    "source queue arn at a given time.")
            storage.drop_expired(conn, source, now)
            visible, _, _ = storage.count_messages(conn, source, now)
            conn.execute(
                "INSERT INTO sqs_move_tasks (task_id, source_arn, destination_arn, rate, "
                "status, to_move, started_at) VALUES (?,?,?,?,?,?,?)",
                (task_id, source_arn, destination_arn, rate, "RUNNING", visible, now))

        await self._ctx.db.write(unit)
        self.moves_started()
        return {"TaskHandle": _Task(task_id, source_arn, None, None, "RUNNING", 0, 0, None,
                                    now).handle}

    async def list_message_move_tasks(
        self, *, source_arn: str, max_results: int | None = None,
    ) -> dict[str, Any]:
        """ListMessageMoveTasks: the source's newest tasks (one unless asked, ten at most)."""
        if source_arn not in self._by_arn:
            raise ResourceNotFoundException(_NO_SOURCE)
        count = 1 if max_results is None else max_results
        if not 1 <= count <= 10:
            raise InvalidParameterValue(f"Value {count} for parameter MaxResults is invalid. "
                                        "Reason: Must be between 1 and 10.")
        rows = await self._ctx.db.read(lambda c: c.execute(
            "SELECT * FROM sqs_move_tasks WHERE source_arn = ? "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?", (source_arn, count)).fetchall())
        return {"Results": [_Task.of(r).entry() for r in rows]}

    async def cancel_message_move_task(self, *, task_handle: str) -> dict[str, Any]:
        """CancelMessageMoveTask: a running task stops; what it moved stays moved."""
        try:
            decoded = json.loads(base64.b64decode(task_handle, validate=True))
            task_id, source_arn = str(decoded["taskId"]), str(decoded["sourceArn"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise InvalidParameterValue("Value for parameter TaskHandle is invalid.") from None
        if source_arn not in self._by_arn:
            raise ResourceNotFoundException(_NO_SOURCE)

        def unit(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "UPDATE sqs_move_tasks SET status = 'CANCELLED' WHERE task_id = ? "
                "AND source_arn = ? AND status = 'RUNNING' RETURNING moved",
                (task_id, source_arn)).fetchone()
            if row is None:
                raise ResourceNotFoundException("Task does not exist.")
            return int(row[0])

        moved = await self._ctx.db.write(unit)
        return {"ApproximateNumberOfMessagesMoved": moved}

    # -- the moving --------------------------------------------------------------------------

    async def running_moves(self) -> list[_Task]:
        """The tasks still running, oldest first."""
        rows = await self._ctx.db.read(lambda c: c.execute(
            "SELECT * FROM sqs_move_tasks WHERE status = 'RUNNING' ORDER BY started_at"
        ).fetchall())
        return [_Task.of(r) for r in rows]

    async def move_some(self, task: _Task, now: float) -> bool:
        """Move the task's next batch (its rate's worth, or `BATCH`); whether it goes on."""
        source = self._by_arn.get(task.source_arn)
        limit = task.rate or BATCH

        def unit(conn: sqlite3.Connection) -> tuple[bool, set[str]]:
            status = conn.execute("SELECT status FROM sqs_move_tasks WHERE task_id = ?",
                                  (task.task_id,)).fetchone()
            if status is None or status[0] != "RUNNING":
                return False, set()  # cancelled since it was read
            if source is None:
                return _finish(conn, task, "FAILED", "SourceQueueDoesNotExist"), set()
            storage.drop_expired(conn, source, now)
            rows = conn.execute(
                "SELECT * FROM sqs_messages WHERE queue = ? AND +visible_at <= ? "
                "ORDER BY seq LIMIT ?", (source.name, now, limit)).fetchall()
            woken: set[str] = set()
            moved, failure = 0, None
            for row in rows:
                failure = self._redrive(conn, task, row, now, woken)
                if failure is not None:
                    break
                moved += 1
            conn.execute("UPDATE sqs_move_tasks SET moved = moved + ? WHERE task_id = ?",
                         (moved, task.task_id))
            if failure is not None:
                return _finish(conn, task, "FAILED", failure), woken
            if len(rows) < limit:
                return _finish(conn, task, "COMPLETED", None), woken
            return True, woken

        going_on, woken = await self._ctx.db.write(unit)
        self._wake(woken)
        return going_on

    def _redrive(
        self, conn: sqlite3.Connection, task: _Task, row: sqlite3.Row, now: float,
        woken: set[str],
    ) -> str | None:
        """Move one message; why the task fails, if it must."""
        system = json.loads(row["system"])
        target_arn = task.destination_arn or system.get("DeadLetterQueueSourceArn")
        if target_arn is None:
            return "CouldNotDetermineMessageSource"
        target: Queue | None = self._by_arn.get(target_arn)
        if target is None:
            return "DestinationQueueDoesNotExist"
        if target.fifo and row["group_id"] is None:
            return "MessageGroupIdRequired"
        moved_system = {"SenderId": system.get("SenderId", SENDER_ID)}
        if "AWSTraceHeader" in system:
            moved_system["AWSTraceHeader"] = system["AWSTraceHeader"]
        storage.enqueue(
            conn, target, body=row["body"],
            attributes=decode_attributes(json.loads(row["attributes"])),
            system=moved_system, delay=0,
            group_id=row["group_id"] if target.fifo else None,
            dedup_id=(row["dedup_id"] or row["message_id"]) if target.fifo else None,
            now=now)
        conn.execute("DELETE FROM sqs_messages WHERE seq = ?", (row["seq"],))
        woken.add(target.name)
        return None


def _finish(conn: sqlite3.Connection, task: _Task, status: str, reason: str | None) -> bool:
    conn.execute("UPDATE sqs_move_tasks SET status = ?, failure_reason = ? WHERE task_id = ?",
                 (status, reason, task.task_id))
    return False


class MessageMover(Worker):
    """Runs the message move tasks: each second of the clock for a task with a rate, batch
    after batch for one without."""

    name = "sqs-message-mover"

    def __init__(self, clock: Clock, activity: Activity, service: MoveTaskOperations) -> None:
        super().__init__(clock, activity)
        self._service = service
        self._due: dict[str, float] = {}
        """When each rate-limited task may move again."""

    async def step(self) -> float | None:
        now = self._clock.time()
        next_due: float | None = None
        tasks = await self._service.running_moves()
        for task in tasks:
            due = self._due.get(task.task_id, 0.0)
            if due > now:
                next_due = due if next_due is None else min(next_due, due)
                continue
            if not await self._service.move_some(task, now):
                self._due.pop(task.task_id, None)
                continue
            if task.rate is None:
                self.wake()  # the next batch at once, without letting go of the activity
                continue
            due = self._due[task.task_id] = now + 1.0
            next_due = due if next_due is None else min(next_due, due)
        self._due = {k: v for k, v in self._due.items() if any(t.task_id == k for t in tasks)}
        return next_due
