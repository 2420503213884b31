"""HTTP/S subscriptions: the POST of each message, its retries, and its dead-letter queue.

A publish writes an ``http`` outbox row; the dispatcher hands it to `HttpSender.take`, which
moves it into ``sns_http_deliveries`` in the dispatcher's own unit. The sender then POSTs it
with aiohttp's client, outside any transaction, and records the outcome in a unit of its own.

Outcomes follow https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html:
a 2xx answer is a delivery; a 5xx, a 429, a time-out or a refused connection is retried on the
subscription's delivery policy (by default three retries, 20 s apart; see
`eventsim.services.sns.delivery_policy`), on the simulator's clock; any other
answer is a client-side error, which SNS does not retry. A message SNS gives up on goes to the
subscription's RedrivePolicy dead-letter queue, if it has one (a ``queue`` outbox row), and
is otherwise dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from eventsim.activity import Activity
from eventsim.clock import Clock
from eventsim.delivery.worker import Worker
from eventsim.services.sns.delivery_policy import DEFAULT_POLICY
from eventsim.services.sns.models import dead_letter_target
from eventsim.store import Database
from eventsim.store.outbox import OutboxRow, add_outbox_row

__all__ = ["RETRIES", "RETRY_DELAY", "HttpSender"]

LOG = logging.getLogger(__name__)

RETRIES = len(DEFAULT_POLICY.delays)
RETRY_DELAY = DEFAULT_POLICY.delays[0]
TIMEOUT = 15.0
"""Seconds SNS waits for an HTTP/S endpoint to answer."""
_BATCH = 100
_BASE_HEADERS = {
    "Content-Type": "text/plain; charset=UTF-8",
    "User-Agent": "Amazon Simple Notification Service Agent",
}


@dataclass(slots=True)
class _Delivery:
    id: int
    subscription_arn: str
    payload: dict[str, Any]
    attempt: int
    cause: str


class HttpSender(Worker):
    """POSTs due HTTP/S deliveries and records what became of them."""

    name = "sns-http"

    def __init__(self, *, db: Database, clock: Clock, activity: Activity,
                 wake_dispatcher: Callable[[], None]) -> None:
        super().__init__(clock, activity)
        self._db = db
        self._wake_dispatcher = wake_dispatcher
        self._session: aiohttp.ClientSession | None = None

    def take(self, conn: sqlite3.Connection, row: OutboxRow) -> None:
        """The dispatcher's hand-off of an ``http`` outbox row (inside its unit)."""
        conn.execute(
            "INSERT INTO sns_http_deliveries (subscription_arn, payload, attempt, not_before, "
            "created_at, cause) VALUES (?,?,0,?,?,?)",
            (row.target, row.payload, row.created_at, row.created_at, row.cause),
        )

    async def aclose(self) -> None:
        await super().aclose()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def step(self) -> float | None:
        now = self._clock.time()
        due = await self._db.read(lambda conn: _due(conn, now))
        if due:
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=TIMEOUT))
            session = self._session
            outcomes = await asyncio.gather(*(self._post(session, d) for d in due))
            dead = await self._db.write(
                lambda conn: self._record(conn, list(zip(due, outcomes, strict=True)),
                                          self._clock.time()))
            if dead:
                self._wake_dispatcher()
        next_due: float | None = await self._db.read(
            lambda conn: conn.execute("SELECT MIN(not_before) FROM sns_http_deliveries")
            .fetchone()[0])
        return next_due

    async def _post(self, session: aiohttp.ClientSession, delivery: _Delivery) -> str:
        """``ok``, ``retry`` or ``fail``."""
        payload = delivery.payload
        headers = {**_BASE_HEADERS, **payload["Headers"]}
        try:
            async with session.post(payload["Endpoint"], data=payload["Body"].encode("utf-8"),
                                    headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            LOG.info("SNS delivery to %s failed: %s", payload["Endpoint"], exc)
            return "retry"
        if 200 <= status < 300:
            return "ok"
        LOG.info("SNS delivery to %s answered %s", payload["Endpoint"], status)
        return "retry" if status >= 500 or status == 429 else "fail"

    def _record(self, conn: sqlite3.Connection, results: list[tuple[_Delivery, str]],
                now: float) -> bool:
        dead_lettered = False
        for delivery, outcome in results:
            delays = delivery.payload.get("Delays", DEFAULT_POLICY.delays)
            if outcome == "retry" and delivery.attempt < len(delays):
                conn.execute(
                    "UPDATE sns_http_deliveries SET attempt = ?, not_before = ? WHERE id = ?",
                    (delivery.attempt + 1, now + float(delays[delivery.attempt]), delivery.id))
                continue
            conn.execute("DELETE FROM sns_http_deliveries WHERE id = ?", (delivery.id,))
            if outcome == "ok":
                continue
            target = _dead_letter_queue(conn, delivery.subscription_arn)
            letter = delivery.payload.get("DeadLetter")
            if target is None or letter is None:
                LOG.warning("SNS gave up delivering to %s; message dropped",
                            delivery.payload["Endpoint"])
                continue
            add_outbox_row(conn, OutboxRow(target_kind="queue", target=target,
                                           payload=json.dumps(letter), cause=delivery.cause,
                                           created_at=now))
            dead_lettered = True
        return dead_lettered


def _due(conn: sqlite3.Connection, now: float) -> list[_Delivery]:
    rows = conn.execute(
        "SELECT id, subscription_arn, payload, attempt, cause FROM sns_http_deliveries "
        "WHERE not_before <= ? ORDER BY id LIMIT ?", (now, _BATCH)).fetchall()
    return [_Delivery(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in rows]


def _dead_letter_queue(conn: sqlite3.Connection, subscription_arn: str) -> str | None:
    row = conn.execute("SELECT attributes FROM sns_subscriptions WHERE arn = ?",
                       (subscription_arn,)).fetchone()
    if row is None:
        return None
    return dead_letter_target(json.loads(row[0]).get("RedrivePolicy"))
