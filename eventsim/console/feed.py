"""The live feed: invocations and handlers' writes pushed to browsers as they are recorded.

One reader per console, however many browsers listen. The database calls `Feed.wake` after
every commit (`Database.commit_listeners`); the reader then reads what was recorded after its
position (a seek on the tables' primary keys, nothing when nothing is new) and fans it out to
every subscriber's queue. No subscriber, no reading: a console nobody watches costs one
function call per commit.

A subscriber that does not keep up (its queue is full) misses events and is told so with a
``lagged`` event, rather than slowing everyone down or growing without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from eventsim.console.jsonable import iso
from eventsim.console.views import service_of, summary
from eventsim.services.lambda_.invocations import InvocationLog
from eventsim.store import Database

__all__ = ["Feed", "FeedEvent", "FeedFilter", "Subscription"]

LOG = logging.getLogger(__name__)

_READ_BATCH = 500
_QUEUE_SIZE = 2000
_COALESCE_SECONDS = 0.02
"""After a read, wait this long (real time) before the next: a burst of commits becomes one
read instead of hundreds, at a delay nobody watching a page can see."""


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One server-sent event: ``event: <kind>``, ``id:``, ``data: <json>``."""

    kind: str
    """``invocation``, ``write`` or ``lagged``."""
    id: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a subscriber wants: ``?service=&function=&status=`` (all optional)."""

    service: str | None = None
    function: str | None = None
    status: str | None = None

    def wants(self, event: FeedEvent) -> bool:
        data = event.data
        if event.kind == "lagged":
            return True
        if self.service is not None and data.get("service") != self.service:
            return False
        if event.kind == "write":
            # A write's invocation is recorded only once it finishes, so a write cannot be
            # matched to a function or status when it happens: those filters leave writes out.
            return self.function is None and self.status is None
        if self.function is not None and data.get("function") != self.function:
            return False
        return self.status is None or data.get("status") == self.status


@dataclass
class Subscription:
    """A subscriber's queue of events; None in it means the feed closed."""

    filter: FeedFilter
    queue: asyncio.Queue[FeedEvent | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=_QUEUE_SIZE))
    lagging: bool = False

    def offer(self, event: FeedEvent) -> None:
        if not self.filter.wants(event):
            return
        if self.queue.qsize() >= _QUEUE_SIZE - 1:
            if not self.lagging:
                self.lagging = True
                self.queue.put_nowait(FeedEvent("lagged", event.id, {
                    "message": "events were dropped: this client did not keep up"}))
            return
        self.lagging = False
        self.queue.put_nowait(event)


class Feed:
    """Reads newly recorded invocations and writes once per commit burst, fans them out."""

    def __init__(self, db: Database, invocations: InvocationLog) -> None:
        self._db = db
        self._log = invocations
        self._subscribers: list[Subscription] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._positions: tuple[int, int] | None = None
        """(invocation seq, write seq) already sent; None while nobody listens."""
        self._closed = False

    def _wake(self) -> None:
        # Every commit calls this: with nobody listening, waking the reader is wasted work.
        if self._subscribers:
            self._changed.set()

    def start(self) -> None:
        """Listen to commits and start the reader (on the running loop)."""
        self._db.commit_listeners.append(self._wake)
        self._task = asyncio.get_running_loop().create_task(self._run(),
                                                             name="eventsim-console-feed")

    async def subscribe(self, wanted: FeedFilter) -> Subscription:
        """A new subscriber: it receives what is recorded from now on."""
        if self._positions is None:
            self._positions = await self._log.last_seqs()
        subscription = Subscription(wanted)
        self._subscribers.append(subscription)
        self._changed.set()  # what committed before it joined, after the positions were read
        if self._closed:
            subscription.queue.put_nowait(None)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(subscription)
        if not self._subscribers:
            self._positions = None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            if not self._subscribers or self._positions is None:
                continue
            try:
                await self._read()
            except Exception:  # a failed read must not end the feed; the next commit retries
                LOG.exception("live feed read failed")
            await asyncio.sleep(_COALESCE_SECONDS)

    async def _read(self) -> None:
        assert self._positions is not None
        after_invocation, after_write = self._positions
        while True:
            rows = await self._log.summaries_after(after_invocation, _READ_BATCH)
            writes = await self._log.writes_after(after_write, _READ_BATCH)
            events = [(row["started_at"] + row["duration_ms"] / 1000,
                       FeedEvent("invocation", f"i{row['seq']}", summary(row))) for row in rows]
            events += [(w["created_at"], FeedEvent("write", f"w{w['seq']}", _write(w)))
                       for w in writes]
            events.sort(key=lambda pair: pair[0])
            for _, event in events:
                for subscriber in list(self._subscribers):
                    subscriber.offer(event)
            if rows:
                after_invocation = rows[-1]["seq"]
            if writes:
                after_write = writes[-1]["seq"]
            if self._positions is None:  # everyone left meanwhile
                return
            self._positions = (after_invocation, after_write)
            if len(rows) < _READ_BATCH and len(writes) < _READ_BATCH:
                return

    async def aclose(self) -> None:
        """Stop reading and tell every subscriber the feed is over."""
        self._closed = True
        with contextlib.suppress(ValueError):
            self._db.commit_listeners.remove(self._wake)
        for subscriber in self._subscribers:
            with contextlib.suppress(asyncio.QueueFull):
                subscriber.queue.put_nowait(None)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _write(row: dict[str, Any]) -> dict[str, Any]:
    return {"seq": row["seq"], "trace_id": row["trace_id"], "span_id": row["span_id"],
            "kind": row["kind"], "resource": row["resource"], "at": iso(row["created_at"]),
            "service": service_of(row["kind"])}
