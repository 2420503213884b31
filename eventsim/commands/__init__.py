"""The subcommands of ``eventsim`` beyond ``run`` and ``serve``: each module adds its own
parser to the ``eventsim`` command (``register(commands)``) and holds what it runs.

- `events`: ``eventsim events generate SERVICE EVENT``, sample events as JSON;
- `invoke`: ``eventsim invoke FUNCTION -e FILE|-``, one synchronous invocation;
- `logs`: ``eventsim logs FUNCTION --state DIR``, recorded invocation logs;
- `state`: ``eventsim state show|reset --state DIR``;
- `schema`: ``eventsim schema``, the JSON Schema of scenario files.
"""

from __future__ import annotations

import argparse

from eventsim.commands import events, invoke, logs, schema, state

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every subcommand of this package to the ``eventsim`` parser's subcommands."""
    for module in (invoke, events, logs, state, schema):
        module.register(commands)
