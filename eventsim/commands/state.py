"""``eventsim state show|reset --state DIR``: what a state directory holds, or remove it.

``show`` counts through the store alone, without starting a simulator: starting one would
deliver what is pending and run the pollers, and inspecting state must not change it (a
``serve`` may be running on the same directory; SQLite's WAL lets both read).
``reset`` removes only what eventsim put in the directory (the database, its WAL files and
the code unpacked for functions made from zips), and only with ``--yes``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import sys
from pathlib import Path

from eventsim.commands.common import EXIT_OK, Colour, existing_state_db, pipe_safe, state_db
from eventsim.errors import ConfigError
from eventsim.store import Database

__all__ = ["count_state", "register"]

# What each count is, as SQL over the store's tables (their migrations define them).
_COUNTS: tuple[tuple[str, str], ...] = (
    ("buckets", "SELECT COUNT(*) FROM buckets"),
    ("objects", "SELECT COUNT(*) FROM objects"),
    # Versioned buckets: the versions that are not current, and the delete markers.
    ("older object versions", "SELECT COUNT(*) FROM object_versions"),
    ("queues", "SELECT COUNT(*) FROM sqs_queues"),
    ("messages", "SELECT COUNT(*) FROM sqs_messages"),
    ("topics", "SELECT COUNT(*) FROM sns_topics"),
    ("subscriptions", "SELECT COUNT(*) FROM sns_subscriptions"),
    ("tables", "SELECT COUNT(*) FROM ddb_tables"),
    ("items", "SELECT COUNT(*) FROM ddb_items"),
    ("table streams", "SELECT COUNT(*) FROM ddb_streams"),
    ("table stream records", "SELECT COUNT(*) FROM ddb_stream_records"),
    ("streams", "SELECT COUNT(*) FROM kinesis_streams"),
    # A row holds the records of one put: counters first..last.
    ("records", "SELECT COALESCE(SUM(last - first + 1), 0) FROM kinesis_records"),
    ("functions", "SELECT COUNT(*) FROM functions"),
    ("mappings", "SELECT COUNT(*) FROM event_source_mappings"),
    ("invocations", "SELECT COUNT(*) FROM invocations"),
    ("queued events", "SELECT COUNT(*) FROM async_queue"),
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "state", help="inspect or reset a state directory",
        description="Inspect (show) or remove (reset) the state eventsim serve --state DIR "
        "keeps.",
    )
    actions = parser.add_subparsers(dest="state_command", metavar="ACTION")
    show = actions.add_parser(
        "show", help="count the resources and records in a state directory",
        description="Count buckets, objects, queues, messages, topics, tables, items, streams, "
        "records, functions, mappings and invocations in DIR. Reads only.",
    )
    show.add_argument("--state", metavar="DIR", type=Path, required=True,
                      help="the state directory")
    show.add_argument("--json", action="store_true", help="print the counts as JSON")
    show.set_defaults(func=_show)
    reset = actions.add_parser(
        "reset", help="remove the state in a state directory",
        description="Remove eventsim's files from DIR (its database and unpacked function "
        "code); other files are left. Stop any eventsim serve using DIR first.",
    )
    reset.add_argument("--state", metavar="DIR", type=Path, required=True,
                       help="the state directory")
    reset.add_argument("--yes", action="store_true", help="really remove it")
    reset.add_argument("--json", action="store_true",
                       help="print what was removed as JSON")
    reset.set_defaults(func=_reset)

    def missing(args: argparse.Namespace) -> int:
        parser.error("missing ACTION: one of show, reset (--help says more)")
        return 2  # pragma: no cover: error() exits

    parser.set_defaults(func=missing, log_level="warning")


async def count_state(db_path: Path) -> dict[str, int]:
    """The counts `state show` prints, read from the database at `db_path`."""
    def read(conn: sqlite3.Connection) -> dict[str, int]:
        return {name: int(conn.execute(sql).fetchone()[0]) for name, sql in _COUNTS}

    async with Database(db_path) as db:
        return await db.read(read)


@pipe_safe
def _show(args: argparse.Namespace) -> int:
    db = existing_state_db(args.state)
    try:
        counts = asyncio.run(count_state(db))
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"--state {args.state}: {db.name} is not an eventsim database "
                          f"({exc})") from None
    if args.json:
        print(json.dumps({"state": str(args.state), "counts": counts}, indent=2))
        return EXIT_OK
    colour = Colour(sys.stdout)
    print(colour(f"{args.state}", "bold"))
    width = max(len(name) for name in counts)
    for name, value in counts.items():
        print(f"  {name:<{width}}  {colour(str(value), 'dim') if value == 0 else value}")
    return EXIT_OK


@pipe_safe
def _reset(args: argparse.Namespace) -> int:
    db = state_db(args.state)
    targets = [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.functions"))
               if p.exists()]
    if not targets:
        raise ConfigError(f"--state {args.state}: nothing to reset (no {db.name})")
    if not args.yes:
        listed = ", ".join(p.name for p in targets)
        raise ConfigError(f"state reset removes {listed} from {args.state}; add --yes to do it")
    for path in targets:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise ConfigError(f"--state {args.state}: cannot remove {path.name}: {exc}") from None
    if args.json:
        print(json.dumps({"state": str(args.state), "removed": [p.name for p in targets]},
                         indent=2))
    else:
        print(f"removed {', '.join(p.name for p in targets)} from {args.state}")
    return EXIT_OK
