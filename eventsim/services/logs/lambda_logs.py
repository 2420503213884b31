"""Lambda's log groups, log streams and log events, read from the invocation record.

Lambda writes what an invocation prints to the log group ``/aws/lambda/<function>``, in the
stream of the execution environment that ran it, framed by its START, END and REPORT lines.
eventsim keeps exactly that text in the invocation's record (``invocations.logs``), with the
environment's stream (``invocations.log_stream``), so CloudWatch Logs here is a view of that
table rather than a second copy: a group exists once its function has logged (as Lambda
creates it at the first invocation) and outlives the function, as on AWS.

Timestamps. The record keeps when an invocation started and how long it ran, not when each
line was printed: START and the handler's lines carry its start, END and REPORT its end, and
every event's ingestion time is the end. Each line is one event, its message ending in a
newline as Lambda's do.

The functions here are units: call them inside `Database.read`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass

__all__ = [
    "GROUP_PREFIX",
    "LogEvent",
    "StreamInfo",
    "function_of",
    "group_created",
    "groups",
    "read_events",
    "stream_name",
    "streams",
]

GROUP_PREFIX = "/aws/lambda/"

@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One log stream: an execution environment's, over the invocations it ran."""

    name: str
    first_event: int
    """Epoch milliseconds of its first event (its creation)."""
    last_event: int
    """Epoch milliseconds of its last event (also its last ingestion)."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One line of an invocation's log."""

    seq: int
    """The invocation's position in the record."""
    line: int
    """The line's position in the invocation's log."""
    timestamp: int
    ingestion: int
    message: str
    stream: str

    @property
    def position(self) -> tuple[int, int]:
        """Where it is in its stream, in the order the stream was written."""
        return self.seq, self.line

    @property
    def order(self) -> tuple[int, int, int]:
        """Where it is among a group's events: by time, then as written."""
        return self.timestamp, self.seq, self.line


def function_of(group: str) -> str | None:
    """The function whose log group this is (None for any other name)."""
    if group.startswith(GROUP_PREFIX) and len(group) > len(GROUP_PREFIX):
        return group[len(GROUP_PREFIX):]
    return None


def stream_name(log_stream: str, started_at: float, version: str, span_id: str) -> str:
    """The stream an invocation logged to (rows older than migration 0013 name none: their
    handler was told one of its own, made from these fields)."""
    if log_stream:
        return log_stream
    day = time.strftime("%Y/%m/%d", time.gmtime(started_at))
    return f"{day}/[{version}]{span_id}{span_id}"


def groups(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """``(function, creation ms)`` of every function that has logged, by name."""
    found: list[tuple[str, int]] = []
    functions = [r[0] for r in conn.execute(
        "SELECT DISTINCT function FROM invocations ORDER BY function").fetchall()]
    for function in functions:
        created = group_created(conn, function)
        if created is not None:
            found.append((function, created))
    return found


def group_created(conn: sqlite3.Connection, function: str) -> int | None:
    """When the function first logged (ms), or None if it never has."""
    # One index seek: the first of its invocations that wrote a log.
    row = conn.execute(
        "SELECT started_at FROM invocations WHERE function = ? AND logs != '' "
        "ORDER BY seq LIMIT 1", (function,)).fetchone()
    return None if row is None else _ms(row[0])


def streams(conn: sqlite3.Connection, function: str) -> list[StreamInfo]:
    """The function's log streams, by name."""
    spans: dict[str, list[int]] = {}
    for log_stream, started_at, duration_ms, version, span_id in conn.execute(
        "SELECT log_stream, started_at, duration_ms, version, span_id FROM invocations "
        "WHERE function = ? AND logs != '' ORDER BY seq", (function,)
    ):
        name = stream_name(log_stream, started_at, version, span_id)
        start, end = _span(started_at, duration_ms)
        span = spans.get(name)
        if span is None:
            spans[name] = [start, end]
        else:
            span[0], span[1] = min(span[0], start), max(span[1], end)
    return [StreamInfo(name, first, last) for name, (first, last) in sorted(spans.items())]


def read_events(
    conn: sqlite3.Connection, function: str, *, streams: Collection[str] | None = None,
    prefix: str | None = None, start_ms: int | None = None, end_ms: int | None = None,
) -> list[LogEvent]:
    """The function's log events in the order they were written (invocation, then line),
    from the named streams (or those starting with ``prefix``), timestamped within
    ``[start_ms, end_ms]``."""
    sql = ("SELECT seq, log_stream, started_at, duration_ms, version, span_id, logs, "
           "request_id FROM invocations WHERE function = ? AND logs != ''")
    params: list[object] = [function]
    if start_ms is not None:  # an invocation's events lie between its start and its end
        sql += " AND started_at * 1000 + duration_ms >= ?"
        params.append(start_ms - 1)
    if end_ms is not None:
        sql += " AND started_at * 1000 <= ?"
        params.append(end_ms + 1)
    events: list[LogEvent] = []
    for seq, log_stream, started_at, duration_ms, version, span_id, logs, request_id in (
        conn.execute(sql + " ORDER BY seq", params)
    ):
        name = stream_name(log_stream, started_at, version, span_id)
        if streams is not None and name not in streams:
            continue
        if prefix is not None and not name.startswith(prefix):
            continue
        start, end = _span(started_at, duration_ms)
        for line, (message, at_end) in enumerate(_lines(logs, request_id)):
            timestamp = end if at_end else start
            if (start_ms is not None and timestamp < start_ms) or (
                    end_ms is not None and timestamp > end_ms):
                continue
            events.append(LogEvent(seq, line, timestamp, end, message, name))
    return events


def _lines(logs: str, request_id: str) -> Iterator[tuple[str, bool]]:
    """Each line with its newline, and whether it was written at the invocation's end (a
    carriage return stays inside its event: Lambda's Python logging writes a multi-line
    record, a traceback, as one event that way)."""
    end_marks = (f"END RequestId: {request_id}", f"REPORT RequestId: {request_id}")
    lines = logs.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for line in lines:
        yield line + "\n", line.startswith(end_marks)


def _ms(epoch: float) -> int:
    return int(epoch * 1000)


def _span(started_at: float, duration_ms: float) -> tuple[int, int]:
    """An invocation's start and end, in epoch milliseconds."""
    start = started_at * 1000
    return int(start), int(start + duration_ms)
