"""What every group of SQS operations shares: the context, the queues held in memory with
their lookup by URL or ARN, the long polls waiting on each queue and their waking, and the
state the operations keep between calls (purges, receive attempts, deleted names)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from eventsim.services.base import ServiceContext
from eventsim.services.sqs import storage
from eventsim.services.sqs.errors import QueueDoesNotExist
from eventsim.services.sqs.queues import Queue, name_from_url, queue_url

__all__ = ["SENDER_ID", "Catalog"]

SENDER_ID = "AIDAEVENTSIMUSER"
"""SenderId of messages sent through the API (the same principal S3 events name)."""



class Catalog:
    """The simulator's context, the queues it knows (by name and by ARN), and what the
    operations remember between calls."""

    def __init__(
        self, ctx: ServiceContext, *, endpoint_url: Callable[[], str | None] = lambda: None
    ) -> None:
        self._ctx = ctx
        self._endpoint_url = endpoint_url
        self._queues: dict[str, Queue] = {}
        self._by_arn: dict[str, Queue] = {}
        self._arrivals: dict[str, asyncio.Event] = {}
        self._delivered: set[str] = set()
        """Queues the dispatcher put messages in, to wake once its unit has committed."""
        self._purged_at: dict[str, float] = {}
        self._queue_lock = asyncio.Lock()
        self._attempts: dict[tuple[str, str], tuple[float, list[storage.Received]]] = {}
        """FIFO receives by (queue, ReceiveRequestAttemptId): until when, and what they got."""
        self._deleted_at: dict[str, float] = {}
        """When each queue name was last deleted: AWS keeps the name for 60 seconds."""

    async def load(self) -> None:
        """Read the queues into memory (called at start)."""
        for queue in await self._ctx.db.read(storage.load_queues):
            self._remember(queue)

    def exists(self, arn: str) -> bool:
        """Whether a queue has this ARN (destination validation)."""
        return arn in self._by_arn

    def visibility_timeout(self, arn: str) -> int | None:
        """A queue's VisibilityTimeout in seconds, or None when there is no such queue (for
        event source mapping validation)."""
        queue = self._by_arn.get(arn)
        return None if queue is None else queue.int_attribute("VisibilityTimeout")

    def queue_names(self) -> list[str]:
        """Every queue's name, sorted (for the console)."""
        return sorted(self._queues)

    def url_of(self, name: str) -> str:
        return queue_url(self._endpoint_url(), self._ctx.region, self._ctx.account_id, name)

    # -- helpers ---------------------------------------------------------------------------

    def _queue(self, url: str) -> Queue:
        name = name_from_url(url, self._ctx.account_id)
        queue = self._queues.get(name)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    async def _update_queue(self, url: str, change: Callable[[Queue], Queue]) -> None:
        """Read, change and write a queue's row, one change at a time (two concurrent
        TagQueue calls must not each start from the same tags)."""
        async with self._queue_lock:
            queue = change(self._queue(url))
            await self._ctx.db.write(lambda c: storage.update_queue(c, queue))
            if queue.name in self._queues:
                self._remember(queue)

    def _remember(self, queue: Queue) -> None:
        self._queues[queue.name] = queue
        self._by_arn[queue.arn] = queue

    def _wake(self, names: Iterable[str]) -> None:
        for name in names:
            event = self._arrivals.pop(name, None)
            if event is not None:
                event.set()
            queue = self._queues.get(name)
            if queue is not None:
                self._ctx.source_written(queue.arn)  # event source mappings polling it
