"""``eventsim logs FUNCTION --state DIR [--follow] [--since 10m]``: a function's recorded logs.

Reads the invocation record (`InvocationLog`) of a state directory, the one ``eventsim serve
--state DIR`` writes, without starting a simulator, so it can follow a running server: each
invocation's log (START, the handler's output, END, REPORT) as it is recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from eventsim.commands.common import EXIT_OK, Colour, existing_state_db, pipe_safe
from eventsim.errors import ConfigError
from eventsim.services.lambda_.invocations import InvocationLog, InvocationRecord
from eventsim.store import Database

__all__ = ["parse_since", "register"]

_FOLLOW_INTERVAL = 0.5
"""Seconds between reads while following (the CLI's own wait, not the simulator's clock)."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "logs", help="print a function's invocation logs from a state directory",
        description="Print the logs of FUNCTION's recorded invocations in DIR, oldest first "
        "(each framed by Lambda's START, END and REPORT lines).",
    )
    parser.add_argument("function", metavar="FUNCTION", help="function name")
    parser.add_argument("--state", metavar="DIR", type=Path, required=True,
                        help="state directory of eventsim serve --state")
    parser.add_argument("--follow", "-f", action="store_true",
                        help="keep printing new invocations until interrupted")
    parser.add_argument("--since", metavar="WHEN", type=parse_since, default=None,
                        help="only invocations that started since WHEN: a duration back from "
                        "now (30s, 10m, 2h, 1d) or an ISO time (2026-12-01T12:00:00Z)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per invocation and line (JSON Lines)")
    parser.set_defaults(func=_logs, log_level="warning")


def parse_since(text: str, *, now: float | None = None) -> float:
    """Epoch seconds for ``--since``: ``10m`` (ago) or an ISO-8601 time (UTC unless it says)."""
    match = _DURATION.fullmatch(text.strip())
    if match is not None:
        moment = time.time() if now is None else now
        return moment - float(match.group(1)) * _UNIT[match.group(2).lower()]
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a duration (30s, 10m, 2h, 1d) nor an ISO time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


@pipe_safe
def _logs(args: argparse.Namespace) -> int:
    db = existing_state_db(args.state)
    try:
        asyncio.run(_print_logs(db, args.function, args.since, args.follow, args.json))
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"--state {args.state}: {db.name} is not an eventsim database "
                          f"({exc})") from None
    return EXIT_OK


async def _print_logs(db_path: Path, function: str, since: float | None, follow: bool,
                      as_json: bool) -> None:
    colour = Colour(sys.stdout)
    async with Database(db_path) as db:
        known = await db.read(lambda c: c.execute(
            "SELECT 1 FROM functions WHERE name = ? UNION SELECT 1 FROM invocations "
            "WHERE function = ? LIMIT 1", (function, function)).fetchone())
        if known is None and not follow:
            raise ConfigError(f"no function {function} in {db_path.parent}")
        log = InvocationLog(db)
        after = 0
        while True:
            for record in await log.list(function=function, after_seq=after):
                after = record.seq
                if since is None or record.started_at >= since:
                    _print_record(record, colour, as_json)
            sys.stdout.flush()
            if not follow:
                return
            await asyncio.sleep(_FOLLOW_INTERVAL)


def _print_record(record: InvocationRecord, colour: Colour, as_json: bool) -> None:
    if as_json:
        document: dict[str, Any] = {
            "requestId": record.request_id, "function": record.function,
            "startedAt": record.started_at, "durationMs": record.duration_ms,
            "status": record.status, "invocationType": record.invocation_type,
            "attempt": record.attempt, "trigger": record.trigger, "logs": record.logs,
        }
        print(json.dumps(document))
        return
    stamp = dt.datetime.fromtimestamp(record.started_at, dt.UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    status = record.status if record.status == "Success" else colour(record.status, "red")
    print(f"{colour(stamp, 'dim')} {status} {record.trigger}")
    for line in record.logs.splitlines():
        print(colour.log_line(line))
