"""What the subcommands share: exit statuses, the state directory's database, colour."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, TextIO

from eventsim.errors import ConfigError

__all__ = ["DB_NAME", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "Colour", "existing_state_db",
           "pipe_safe", "state_db"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DB_NAME = "eventsim.db"
"""The file ``eventsim serve --state DIR`` keeps its state in."""


def state_db(directory: Path) -> Path:
    return directory / DB_NAME


def existing_state_db(directory: Path) -> Path:
    """The state database of `directory`; a `ConfigError` if there is none."""
    db = state_db(directory)
    if not db.is_file():
        why = "no such directory" if not directory.is_dir() else f"no {DB_NAME} in it"
        raise ConfigError(f"--state {directory}: {why} (eventsim serve --state "
                          f"{directory} makes one)")
    return db


class Colour:
    """ANSI colour for a stream, only when it is a terminal and ``NO_COLOR`` is unset."""

    _CODES: ClassVar[dict[str, str]] = {"dim": "2", "red": "31", "green": "32", "bold": "1"}

    def __init__(self, stream: TextIO) -> None:
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled:
            return text
        return f"\x1b[{self._CODES[style]}m{text}\x1b[0m"

    def log_line(self, line: str) -> str:
        """A log line, its Lambda platform lines (START, END, REPORT) dimmed."""
        if line.startswith(("START RequestId:", "END RequestId:", "REPORT RequestId:")):
            return self(line, "dim")
        return line


def pipe_safe(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """`run`, ending quietly when the reader of stdout goes away (``eventsim ... | head``)
    instead of with a traceback: the rest of the output goes to the null device."""
    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            status = run(args)
            sys.stdout.flush()
            return status
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_FAILED
    return guarded
