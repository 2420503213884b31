"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each file in ``migrations/`` is named ``NNNN_what.sql``. A released migration is never edited;
a change to the schema is a new file. Each runs in its own transaction together with the
version bump, so a crash mid-migration leaves the database at the previous version.

A new, empty in-memory database (a simulator per test) is not migrated statement by
statement: the migrations run once per process into a template, which SQLite's backup API
copies, schema and ``user_version`` together, in a fraction of the time.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from importlib import resources

__all__ = ["migrate", "migrations"]

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str]]:
    """Every shipped migration as (number, SQL), in order."""
    found: list[tuple[int, str]] = []
    for entry in resources.files("eventsim.store").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..N without gaps: {numbers}")
    return found


_template: sqlite3.Connection | None = None
_template_lock = threading.Lock()


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the database has not seen; return the resulting version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current == 0 and _empty_in_memory(conn):
        return _copy_template(conn)
    return _apply(conn, current)


def _apply(conn: sqlite3.Connection, current: int) -> int:
    for number, sql in migrations():
        if number <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = number
    return int(current)


def _empty_in_memory(conn: sqlite3.Connection) -> bool:
    files = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
    return files == [""] and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None


def _copy_template(conn: sqlite3.Connection) -> int:
    global _template
    with _template_lock:
        if _template is None:
            template = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _apply(template, 0)
            _template = template
        _template.backup(conn)
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _statements(sql: str) -> list[str]:
    # executescript() would commit on its own: split instead, at the semicolons that end a
    # statement (sqlite3.complete_statement tells them from those in comments and literals).
    statements: list[str] = []
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip() != ";":
                statements.append(pending.strip())
            pending = ""
    return statements
