"""``eventsim invoke FUNCTION [-e FILE|-]``: one synchronous invocation, like ``sam local
invoke -e``.

The function comes from a scenario file (``--load``, as ``eventsim serve --load`` reads it)
or from a state directory (``--state``). Without either, as ``sam local invoke`` finds its
``template.yaml``, the current directory is looked at: its ``eventsim.db`` (a state directory),
else its ``functions.yaml`` or ``scenario.yaml``; with none of them it is a usage error.
The simulator runs behind a gateway on a free port, so the handler's own boto3 calls reach
it. The result payload goes to stdout, the log (START, the handler's output, END, REPORT) to
stderr. Exit status 0 when the handler
returned, 1 when it failed (its error document on stdout), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from eventsim.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    Colour,
    existing_state_db,
    pipe_safe,
    state_db,
)
from eventsim.config import SimulatorConfig
from eventsim.errors import AwsError, ConfigError
from eventsim.services.lambda_.invocations import InvocationRecord

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "invoke", help="invoke a function once with an event",
        description="Invoke FUNCTION synchronously with an event (like sam local invoke -e) "
        "and print its result on stdout and its log on stderr. Exit status 0 when it "
        "returned, 1 when it failed, 2 for a usage error.",
        epilog="example: eventsim events generate s3 put --key 'a b.jpg' | "
        "eventsim invoke make-thumbnail -e - --load scenarios/thumbnail.yaml",
    )
    parser.add_argument("function", metavar="FUNCTION", help="function name")
    parser.add_argument("-e", "--event", metavar="FILE", default=None,
                        help="JSON event file, - for stdin (default: {})")
    parser.add_argument("--load", metavar="FILE", type=Path, default=None,
                        help="scenario file whose resources and functions to create first "
                        "(its steps and expectations are ignored); default: functions.yaml "
                        "or scenario.yaml here")
    parser.add_argument("--state", metavar="DIR", type=Path, default=None,
                        help="state directory of eventsim serve --state (its functions, and "
                        "where the invocation is recorded); default: this directory if it "
                        "holds eventsim.db, else in memory")
    parser.add_argument("--runtime", choices=("process", "inline"), default="process",
                        help="where Python handlers run unless a function says otherwise: "
                        "their own process (default) or a thread of this one")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document: status, payload or error, log")
    parser.set_defaults(func=_invoke, log_level="warning")


@pipe_safe
def _invoke(args: argparse.Namespace) -> int:
    from eventsim.scenario import load_scenario

    if args.load is None and args.state is None:
        args.load, args.state = _discover(args.function, Path.cwd())
    payload = _read_event(args.event)
    scenario = load_scenario(args.load) if args.load is not None else None
    db = ":memory:"
    if args.state is not None:
        if scenario is None:
            db = str(existing_state_db(args.state))
        else:
            try:
                args.state.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"--state {args.state}: {exc}") from None
            db = str(state_db(args.state))
    config = SimulatorConfig(db=db, default_runtime=args.runtime)
    record = asyncio.run(_run(config, scenario, args.function, payload))
    return _report(record, as_json=args.json)


FUNCTION_FILES = ("functions.yaml", "functions.yml", "scenario.yaml", "scenario.yml")
"""Files `eventsim invoke` loads from the current directory when given neither --load nor
--state (after the directory's own eventsim.db)."""


def _discover(function: str, here: Path) -> tuple[Path | None, Path | None]:
    """(--load, --state) found in `here`, or a usage error saying what was looked for."""
    if state_db(here).is_file():
        print(f"eventsim: using the state directory {here}", file=sys.stderr)
        return None, here
    for name in FUNCTION_FILES:
        if (here / name).is_file():
            print(f"eventsim: using the functions of {name}", file=sys.stderr)
            return Path(name), None
    raise ConfigError(
        f"no function {function}: say where it is defined with --load FILE (a scenario or "
        "functions file) or --state DIR (a state directory of eventsim serve --state); "
        f"without them the current directory is used, but {here} has no "
        f"{state_db(here).name}, {', '.join(FUNCTION_FILES[:-1])} or {FUNCTION_FILES[-1]}\n"
        "usage: eventsim invoke FUNCTION [-e FILE|-] [--load FILE | --state DIR]")


def _read_event(source: str | None) -> str:
    """The event as JSON text, checked: `source` is a file, ``-`` for stdin, or None."""
    if source is None:
        return "{}"
    where = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--event {source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--event {where}: cannot read: {exc}") from None
    if not text.strip():
        raise ConfigError(f"--event {where}: empty; expected a JSON event")
    try:
        json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"--event {where}: not JSON: {exc}") from None
    return text


async def _run(config: SimulatorConfig, scenario: Any, function: str,
               payload: str) -> InvocationRecord:
    from eventsim.scenario import Scenario, apply_resources
    from eventsim.server import Server

    async with Server(config, port=0) as server:
        sim = server.sim
        if isinstance(scenario, Scenario):
            await apply_resources(sim, scenario)
        if sim.functions.peek(function) is None:
            known = ", ".join(sorted(f.name for f in await sim.functions.list_functions()))
            raise ConfigError(f"no function {function} (known: {known or 'none'})")
        try:
            record = await sim.functions.invoke(function, payload)
        except AwsError as exc:  # e.g. a payload past Lambda's 6 MB
            raise ConfigError(f"{exc.code}: {exc}") from None
        assert record is not None  # RequestResponse always answers with its record
        return record


def _report(record: InvocationRecord, *, as_json: bool) -> int:
    failed = record.status != "Success"
    if as_json:
        document: dict[str, Any] = {
            "RequestId": record.request_id, "Status": record.status,
            "DurationMs": round(record.duration_ms, 3),
        }
        if failed:
            document["FunctionError"] = "Unhandled"
            document["Error"] = record.error
        else:
            document["Payload"] = record.response
        document["Logs"] = record.logs
        print(json.dumps(document, indent=2))
    else:
        colour = Colour(sys.stderr)
        for line in record.logs.splitlines():
            print(colour.log_line(line), file=sys.stderr)
        sys.stderr.flush()
        if failed:
            print(json.dumps(record.error or {"errorMessage": record.status}))
        else:
            print(record.result if record.result is not None else "null")
    return EXIT_FAILED if failed else EXIT_OK
