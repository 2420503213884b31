"""Assertions on what a simulator did: invocations, queue contents (DLQs, destinations) and
asynchronous outcomes. Each failure says what was expected and what was found.

They read through the same handles as every other surface (`Simulator.invocations`, the
scenario runner's read-only queue peek), never consuming anything: a message counted here is
still in its queue.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from eventsim.scenario.peek import queue_messages
from eventsim.services.lambda_.invocations import AsyncOutcome, InvocationRecord
from eventsim.simulator import Simulator

__all__ = [
    "EventMatcher",
    "check_invocations",
    "check_outcomes",
    "check_queue",
    "last_seq",
    "mismatch",
    "read_queue",
]

EventMatcher = Mapping[str, Any] | Callable[[Any], bool]
"""What an event must look like: a pattern (see `mismatch`) or a predicate."""

_SHOWN = 5  # invocations listed in a failure message


def mismatch(pattern: Any, value: Any, path: str = "") -> str | None:
    """Where `value` differs from `pattern`, or None when it matches.

    A mapping matches a mapping that has at least its keys, each matching; a list matches a
    list of the same length, item by item; anything else must be equal. So
    ``{"Records": [{"eventName": "ObjectCreated:Put"}]}`` matches an S3 event of one record.
    """
    here = path or "event"
    if isinstance(pattern, Mapping):
        if not isinstance(value, Mapping):
            return f"{here}: expected a mapping, found {_short(value)}"
        for key, sub in pattern.items():
            if key not in value:
                return f"{here}: no key {key!r} (keys: {', '.join(map(str, value)) or 'none'})"
            problem = mismatch(sub, value[key], f"{here}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(pattern, list | tuple):
        if not isinstance(value, list | tuple):
            return f"{here}: expected a list, found {_short(value)}"
        if len(pattern) != len(value):
            return f"{here}: expected {len(pattern)} items, found {len(value)}"
        for index, (sub, item) in enumerate(zip(pattern, value, strict=True)):
            problem = mismatch(sub, item, f"{here}[{index}]")
            if problem:
                return problem
        return None
    if pattern != value:
        return f"{here}: expected {_short(pattern)}, found {_short(value)}"
    return None


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


async def last_seq(sim: Simulator) -> int:
    """The sequence number of the newest invocation record (0 when there is none)."""
    row = await sim.db.read(lambda c: c.execute("SELECT MAX(seq) FROM invocations").fetchone())
    return int(row[0] or 0)


def _describe(record: InvocationRecord) -> str:
    line = f"  {record.status:<12} attempt {record.attempt}  {record.trigger or '-'}"
    if record.error:
        line += f"  {record.error.get('errorType')}: {record.error.get('errorMessage')}"
    return line


def _event_problem(record: InvocationRecord, event: EventMatcher) -> str | None:
    if callable(event):
        return None if event(record.event) else "the predicate returned False"
    return mismatch(event, record.event)


async def check_invocations(
    sim: Simulator,
    function: str,
    *,
    count: int | None = None,
    status: str | None = None,
    event: EventMatcher | None = None,
    since: int = 0,
) -> list[InvocationRecord]:
    """The function's invocations (every attempt) that have `status` and whose event matches
    `event`; raises AssertionError unless there are `count` of them (default: at least one).

    `since` is an invocation sequence number: only invocations recorded after it count.
    """
    if count is not None and count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    mine = await sim.invocations.list(function=function, after_seq=since)
    with_status = [r for r in mine if status is None or r.status == status]
    matching = with_status if event is None else [
        r for r in with_status if _event_problem(r, event) is None]
    n = len(matching)
    if (n == count) if count is not None else n >= 1:
        return matching
    wanted = f"{count}" if count is not None else "at least 1"
    what = f"{status} invocation" if status else "invocation"
    what = what if count == 1 or count is None else what + "s"
    lines = [f"expected {wanted} {what} of {function}"
             + (" with a matching event" if event is not None else "") + f", found {n}"]
    if not mine:
        known = sorted(f.name for f in await sim.functions.list_functions())
        if function not in known:
            lines.append(f"  there is no function {function!r} (functions: "
                         f"{', '.join(known) or 'none'})")
        else:
            lines.append(f"  {function} was never invoked")
    else:
        by_status = Counter(r.status for r in mine)
        lines.append(f"  {_plural(len(mine), 'invocation')} in all: "
                     + ", ".join(f"{c} {s}" for s, c in sorted(by_status.items())))
        lines.extend(_describe(r) for r in mine[-_SHOWN:])
        if event is not None and with_status and not matching:
            lines.append(f"  first mismatch: {_event_problem(with_status[0], event)}")
    raise AssertionError("\n".join(lines))


async def check_queue(
    sim: Simulator,
    queue: str,
    *,
    count: int | None = None,
    body_contains: str | None = None,
    body: EventMatcher | None = None,
) -> list[Any]:
    """Messages in a queue (a DLQ, a destination, any queue), looked at without receiving
    them. `body` is a pattern (see `mismatch`) or predicate for the JSON-decoded body,
    `body_contains` a substring of the raw body. Returns the matching bodies (decoded from
    JSON when they are JSON); raises AssertionError unless there are `count` (default: at
    least one).
    """
    name, raw = await _read_queue(sim, queue)
    decoded = [_decode(text) for text in raw]
    matching: list[Any] = []
    first_problem: str | None = None
    for text, value in zip(raw, decoded, strict=True):
        if body_contains is not None and body_contains not in text:
            first_problem = first_problem or f"body does not contain {body_contains!r}: " \
                + _short(text)
            continue
        if body is not None:
            problem = ("the predicate returned False" if body(value) else None) \
                if callable(body) else mismatch(body, value, "body")
            if problem:
                first_problem = first_problem or problem
                continue
        matching.append(value)
    n = len(matching)
    if (n == count) if count is not None else n >= 1:
        return matching
    wanted = f"{count}" if count is not None else "at least 1"
    filtered = body is not None or body_contains is not None
    lines = [f"expected {wanted} {'matching ' if filtered else ''}"
             f"message{'' if count in (1, None) else 's'} in queue {name}, found {n}"
             + (f" of {_plural(len(raw), 'message')}" if filtered else "")]
    lines.extend(f"  {_short(text)}" for text in raw[:_SHOWN])
    if first_problem and n == 0:
        lines.append(f"  first mismatch: {first_problem}")
    raise AssertionError("\n".join(lines))


async def read_queue(sim: Simulator, queue: str) -> list[Any]:
    """Every body in a queue, oldest first, decoded from JSON when it is JSON."""
    return [_decode(text) for text in (await _read_queue(sim, queue))[1]]


async def _read_queue(sim: Simulator, queue: str) -> tuple[str, list[str]]:
    """The queue's name (from a name, URL or ARN) and its raw bodies."""
    name = queue.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if not sim.sqs.exists(f"arn:aws:sqs:{sim.config.region}:{sim.config.account_id}:{name}"):
        known = sorted((await sim.sqs.list_queues()).get("QueueUrls", []))
        raise AssertionError(
            f"there is no queue {name!r} (queues: "
            f"{', '.join(u.rsplit('/', 1)[-1] for u in known) or 'none'})")
    return name, await queue_messages(sim, name)


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


async def check_outcomes(
    sim: Simulator,
    function: str,
    *,
    condition: str | None = None,
    count: int | None = None,
) -> list[AsyncOutcome]:
    """Where the function's asynchronous events ended when they did not just succeed:
    ``condition`` is Lambda's (``RetriesExhausted``, ``EventAgeExceeded``, ``Success`` for an
    on-success destination). Returns the matching outcomes, each with its ``destination`` and
    the ``record`` sent there; raises AssertionError unless there are `count` (default: at
    least one)."""
    outcomes = await sim.invocations.outcomes(function=function)
    matching = [o for o in outcomes if condition is None or o.condition == condition]
    n = len(matching)
    if (n == count) if count is not None else n >= 1:
        return matching
    wanted = f"{count}" if count is not None else "at least 1"
    label = f"{condition} " if condition else ""
    noun = "outcome" if count in (1, None) else "outcomes"
    lines = [f"expected {wanted} {label}{noun} for {function}, found {n}"]
    for outcome in outcomes[:_SHOWN]:
        lines.append(f"  {outcome.condition} -> {outcome.destination or 'dropped'}")
    if not outcomes:
        lines.append(f"  {function} has no asynchronous outcomes recorded")
    raise AssertionError("\n".join(lines))

