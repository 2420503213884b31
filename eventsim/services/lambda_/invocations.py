"""The record of every invocation, and the queries over it."""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from eventsim.store import Database
from eventsim.store.bulk import insert_rows

__all__ = [
    "AsyncOutcome",
    "InvocationLog",
    "InvocationRecord",
    "InvocationStatus",
    "insert_invocation",
    "insert_invocations",
]

InvocationStatus = Literal["Success", "Error", "Timeout", "Throttled", "LoopDetected"]


@dataclass(slots=True)
class InvocationRecord:
    """One invocation of a function, whatever caused it. Treat as immutable (one is made per
    invocation, and frozen dataclasses are slow to make)."""

    request_id: str
    function: str
    invocation_type: str
    """``RequestResponse`` or ``Event``."""
    attempt: int
    """1 for the first try of an event, 2 and 3 for AWS's retries."""
    started_at: float
    duration_ms: float
    status: InvocationStatus
    trigger: str
    """What caused it, for people: ``s3:ObjectCreated:Put uploads/cat.jpg``."""
    trace_id: str
    span_id: str
    parent_span: str | None
    """The invocation whose write caused this one, if any."""
    hop: int
    payload: str
    result: str | None = None
    error: dict[str, Any] | None = None
    logs: str = ""
    init_duration_ms: float | None = None
    seq: int = 0
    version: str = "$LATEST"
    """The version that ran: ``$LATEST`` or a published version's number (through an alias,
    the one its routing chose)."""
    log_stream: str = ""
    """The log stream of the execution environment that ran it (``YYYY/MM/DD/[version]<id>``,
    as the handler's context told it)."""

    @property
    def event(self) -> Any:
        """The event the handler received, decoded."""
        return json.loads(self.payload)

    @property
    def response(self) -> Any:
        """The handler's return value, decoded (None when it failed)."""
        return json.loads(self.result) if self.result is not None else None


@dataclass(frozen=True)
class AsyncOutcome:
    """Where an asynchronous event ended when it did not simply succeed (or went somewhere)."""

    request_id: str
    function: str
    condition: str
    destination: str | None
    record: dict[str, Any]
    created_at: float


_INSERT_HEAD = (
    "INSERT INTO invocations (request_id, function, invocation_type, attempt, started_at, "
    "duration_ms, status, trigger, trace_id, span_id, parent_span, hop, payload, result, "
    "error, logs, version, init_duration_ms, log_stream)"
)
_COLUMNS = 19
_INSERT = f"{_INSERT_HEAD} VALUES ({','.join('?' * _COLUMNS)})"


def _row(r: InvocationRecord) -> tuple[Any, ...]:
    return (r.request_id, r.function, r.invocation_type, r.attempt, r.started_at,
            r.duration_ms, r.status, r.trigger, r.trace_id, r.span_id, r.parent_span, r.hop,
            r.payload, r.result, json.dumps(r.error) if r.error is not None else None, r.logs,
            r.version, r.init_duration_ms, r.log_stream)


def insert_invocation(conn: sqlite3.Connection, r: InvocationRecord) -> None:
    """Record an invocation; call inside the unit that records its outcome."""
    conn.execute(_INSERT, _row(r))


def insert_invocations(conn: sqlite3.Connection, records: list[InvocationRecord]) -> None:
    """Record many invocations, many rows to a statement (see `eventsim.store.bulk`)."""
    insert_rows(conn, _INSERT_HEAD, _COLUMNS, [_row(r) for r in records])


def _record(row: sqlite3.Row) -> InvocationRecord:
    return InvocationRecord(
        seq=row["seq"], request_id=row["request_id"], function=row["function"],
        invocation_type=row["invocation_type"], attempt=row["attempt"],
        started_at=row["started_at"], duration_ms=row["duration_ms"], status=row["status"],
        trigger=row["trigger"], trace_id=row["trace_id"], span_id=row["span_id"],
        parent_span=row["parent_span"], hop=row["hop"], payload=row["payload"],
        result=row["result"], error=json.loads(row["error"]) if row["error"] else None,
        logs=row["logs"], version=row["version"], init_duration_ms=row["init_duration_ms"],
        log_stream=row["log_stream"],
    )


def _fetch_all(sql: str, params: builtins.list[Any], conn: sqlite3.Connection) -> Any:
    return conn.execute(sql, params).fetchall()


_SUMMARY = (
    "SELECT seq, request_id, function, invocation_type, attempt, started_at, duration_ms, "
    "status, trigger, trace_id, hop, json_extract(error, '$.errorType') AS error_type "
    "FROM invocations"
)


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    return dict(row)


def _equal(**columns: Any) -> tuple[builtins.list[str], builtins.list[Any]]:
    """``column = ?`` conditions for the filters that are given (None: no filter)."""
    given = [(name, value) for name, value in columns.items() if value is not None]
    return [f"{name} = ?" for name, _ in given], [value for _, value in given]


def _newest_first(
    select: str, function: str | None, status: str | None, trigger: str | None,
    before_seq: int | None, limit: int,
) -> tuple[str, builtins.list[Any]]:
    where, params = _equal(function=function, status=status)
    if before_seq is not None:
        where.append("seq < ?")
        params.append(before_seq)
    if trigger is not None:
        where.append("substr(trigger, 1, ?) = ?")
        params.extend([len(trigger), trigger])
    sql = select + (f" WHERE {' AND '.join(where)}" if where else "")
    params.append(int(limit))
    return sql + " ORDER BY seq DESC LIMIT ?", params


class _InvocationPages:
    """Pages of invocation summaries and of handlers' writes, newest first or after a
    position, each one index seek (for the console: at 100,000 invocations no page may read
    the whole table, nor the payloads and logs of rows it does not show)."""

    _db: Database

    async def summaries(
        self,
        *,
        function: str | None = None,
        status: str | None = None,
        trigger: str | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> builtins.list[dict[str, Any]]:
        """Newest first, before `before_seq`; `trigger` matches the start of the trigger
        (``s3`` finds ``s3:ObjectCreated:Put uploads/cat.jpg``). No payload, result or logs."""
        sql, params = _newest_first(_SUMMARY, function, status, trigger, before_seq, limit)
        rows = await self._db.read(partial(_fetch_all, sql, params))
        return [_summary(r) for r in rows]

    async def records(
        self,
        *,
        function: str | None = None,
        status: str | None = None,
        trigger: str | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> builtins.list[InvocationRecord]:
        """What `summaries` selects, as full records (payload, result, error, logs)."""
        sql, params = _newest_first("SELECT * FROM invocations", function, status, trigger,
                                    before_seq, limit)
        rows = await self._db.read(partial(_fetch_all, sql, params))
        return [_record(r) for r in rows]

    async def summaries_after(self, seq: int, limit: int) -> builtins.list[dict[str, Any]]:
        """Invocations recorded after `seq`, oldest first (what a live feed has not sent)."""
        rows = await self._db.read(partial(
            _fetch_all, _SUMMARY + " WHERE seq > ? ORDER BY seq LIMIT ?", [seq, limit]))
        return [_summary(r) for r in rows]

    async def writes_after(self, seq: int, limit: int) -> builtins.list[dict[str, Any]]:
        """Handlers' writes recorded after `seq` (trace_events), oldest first."""
        rows = await self._db.read(partial(
            _fetch_all,
            "SELECT seq, trace_id, span_id, kind, resource, created_at FROM trace_events "
            "WHERE seq > ? ORDER BY seq LIMIT ?", [seq, limit]))
        return [dict(r) for r in rows]

    async def last_seqs(self) -> tuple[int, int]:
        """The newest invocation's and the newest write's position (0 when none)."""
        def read(conn: sqlite3.Connection) -> tuple[int, int]:
            a = conn.execute("SELECT MAX(seq) FROM invocations").fetchone()[0]
            b = conn.execute("SELECT MAX(seq) FROM trace_events").fetchone()[0]
            return int(a or 0), int(b or 0)
        return await self._db.read(read)


class InvocationLog(_InvocationPages):
    """Read access to recorded invocations and asynchronous outcomes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def list(
        self,
        *,
        function: str | None = None,
        status: str | None = None,
        trace_id: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> builtins.list[InvocationRecord]:
        """Invocations in the order they finished, filtered."""
        where, params = _equal(function=function, status=status, trace_id=trace_id)
        where.append("seq > ?")
        params.append(after_seq)
        sql = f"SELECT * FROM invocations WHERE {' AND '.join(where)} ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = await self._db.read(lambda c: c.execute(sql, params).fetchall())
        return [_record(r) for r in rows]

    async def get(self, request_id: str) -> builtins.list[InvocationRecord]:
        """Every attempt made for one request id (asynchronous retries keep the id)."""
        rows = await self._db.read(lambda c: c.execute(
            "SELECT * FROM invocations WHERE request_id = ? ORDER BY seq", (request_id,)
        ).fetchall())
        return [_record(r) for r in rows]

    async def count(self, *, function: str | None = None, status: str | None = None) -> int:
        where, params = _equal(function=function, status=status)
        sql = f"SELECT COUNT(*) FROM invocations WHERE {' AND '.join(where) or '1'}"
        return int(await self._db.read(lambda c: c.execute(sql, params).fetchone()[0]))

    async def outcomes(self, *, function: str | None = None) -> builtins.list[AsyncOutcome]:
        """Asynchronous events that went to a destination or were dropped, oldest first."""
        sql = "SELECT * FROM async_outcomes"
        params: builtins.list[Any] = []
        if function is not None:
            sql += " WHERE function = ?"
            params.append(function)
        rows = await self._db.read(lambda c: c.execute(sql + " ORDER BY seq", params).fetchall())
        return [
            AsyncOutcome(request_id=r["request_id"], function=r["function"],
                         condition=r["condition"], destination=r["destination"],
                         record=json.loads(r["record"]), created_at=r["created_at"])
            for r in rows
        ]

    async def trace_writes(self, trace_id: str) -> builtins.list[dict[str, Any]]:
        """Writes handlers made within one trace: the edges from invocations to events."""
        rows = await self._db.read(lambda c: c.execute(
            "SELECT span_id, kind, resource, created_at FROM trace_events WHERE trace_id = ? "
            "ORDER BY seq", (trace_id,)
        ).fetchall())
        return [dict(r) for r in rows]

    async def outcomes_of(self, request_ids: Iterable[str]) -> builtins.list[AsyncOutcome]:
        """Asynchronous outcomes of the given requests, oldest first."""
        ids = builtins.list(dict.fromkeys(request_ids))
        found: builtins.list[AsyncOutcome] = []
        # SQLite caps bound parameters; a trace can hold more requests than that.
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            sql = ("SELECT * FROM async_outcomes WHERE request_id IN "
                   f"({','.join('?' * len(chunk))}) ORDER BY seq")
            rows = await self._db.read(partial(_fetch_all, sql, chunk))
            found.extend(
                AsyncOutcome(request_id=r["request_id"], function=r["function"],
                             condition=r["condition"], destination=r["destination"],
                             record=json.loads(r["record"]), created_at=r["created_at"])
                for r in rows
            )
        found.sort(key=lambda o: o.created_at)
        return found

