"""``eventsim schema``: the JSON Schema of scenario files, for editors and CI linters."""

from __future__ import annotations

import argparse
import sys

from eventsim.commands.common import EXIT_OK, pipe_safe

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "schema", help="print the JSON Schema of scenario files",
        description="Print the JSON Schema (draft 2020-12) of scenario YAML files, generated "
        "from eventsim's own models. Point an editor at it, e.g. VS Code's YAML extension: "
        '"yaml.schemas": {"schema/scenario.schema.json": "scenarios/*.yaml"}.',
    )
    parser.set_defaults(func=_schema, log_level="warning")


@pipe_safe
def _schema(args: argparse.Namespace) -> int:
    from eventsim.scenario.schema import scenario_json_schema_text

    sys.stdout.write(scenario_json_schema_text())
    return EXIT_OK
