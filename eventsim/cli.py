"""The ``eventsim`` command.

    eventsim run PATH... [--clock real|virtual] [--json] [--logs] [--junit-xml FILE]
    eventsim run --template template.yaml [PATH...] [--parameter-overrides 'Key=Value ...']
    eventsim serve [--host 127.0.0.1] [--port 4566] [--state DIR] [--load FILE]
                   [--template FILE] [--permissions warn|enforce|off]
                   [--runtime process|inline] [--clock real|virtual]
                   [--token T] [--allow-host NAME]... [--json]
    eventsim invoke FUNCTION [-e FILE|-] [--load FILE] [--state DIR] [--json]
    eventsim events generate SERVICE EVENT [options]
    eventsim logs FUNCTION --state DIR [--follow] [--since 10m] [--json]
    eventsim state show|reset --state DIR [--json] [--yes]
    eventsim schema

Exit status: 0 when a run's expectations all hold (or serve stopped cleanly), 1 when one
fails, 2 for a bad scenario file or a usage error (the message goes to stderr, without a
traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from eventsim._version import __version__
from eventsim.config import SimulatorConfig
from eventsim.errors import ConfigError

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_LOG_LEVELS = ("debug", "info", "warning", "error")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        status: int = args.func(args)
        return status
    except ConfigError as exc:
        print(f"eventsim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventsim",
        description="A local, Docker-free simulator of AWS event plumbing for Lambda functions.",
    )
    parser.add_argument("--version", action="version", version=f"eventsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run scenario files and check their expectations",
        description="Run each scenario in a fresh in-memory simulator: create its resources, "
        "run its steps, wait until everything settles, then check its expectations. A folder "
        "runs every *.yaml / *.yml file in it, sorted by name. Every file is checked before "
        "the first runs. Exit status 0 when all hold, 1 when one fails, 2 for a bad file.",
    )
    run.add_argument("paths", metavar="PATH", type=Path, nargs="*",
                     help="scenario YAML file, or a folder of them (with --template: optional)")
    run.add_argument("--template", "-t", metavar="FILE", type=Path, default=None,
                     help="an AWS SAM template whose resources and functions (and their Events) "
                          "every scenario runs against; alone, it is created, wired and settled. "
                          "Steps and expectations name its resources by logical id")
    run.add_argument("--parameter-overrides", metavar="'KEY=VALUE ...'", action="append",
                     default=[], help="template parameters, as sam deploy takes them (Key=Value "
                     "or ParameterKey=Key,ParameterValue=Value; repeatable)")
    run.add_argument("--stack-name", default=None,
                     help="the template's ${AWS::StackName} (default: eventsim)")
    run.add_argument("--junit-xml", metavar="FILE", type=Path, default=None,
                     help="also write a JUnit XML report to FILE (one test case per "
                          "expectation), for CI")
    run.add_argument("--clock", choices=("real", "virtual"), default=None,
                     help="override the file's clock (virtual: retries and delays take no time)")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument("--logs", action="store_true", help="show each invocation's log output")
    run.add_argument("--log-level", choices=_LOG_LEVELS, default="warning",
                     help="eventsim's own logging (default: warning)")
    run.set_defaults(func=_run)

    serve = commands.add_parser(
        "serve", help="serve the AWS endpoint and console until interrupted",
        description="Serve the APIs of S3, SNS, SQS, DynamoDB, DynamoDB Streams, Kinesis, "
        "Lambda and CloudWatch Logs, and the console (/_eventsim/), on one port. "
        "Point boto3 or the AWS CLI at the printed endpoint. Stops on Ctrl-C or SIGTERM.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4566, help="port to bind (default: 4566)")
    serve.add_argument("--state", metavar="DIR", type=Path, default=None,
                       help="keep state in DIR/eventsim.db across restarts (default: in memory)")
    serve.add_argument("--load", metavar="FILE", type=Path, default=None,
                       help="create the buckets and functions of a scenario file (its steps "
                       "and expectations are ignored)")
    serve.add_argument("--template", "-t", metavar="FILE", type=Path, default=None,
                       help="create the resources and functions of an AWS SAM template and "
                       "wire their events (with --parameter-overrides and --stack-name as for "
                       "run)")
    serve.add_argument("--parameter-overrides", metavar="'KEY=VALUE ...'", action="append",
                       default=[], help="template parameters (repeatable)")
    serve.add_argument("--stack-name", default=None,
                       help="the template's ${AWS::StackName} (default: eventsim)")
    serve.add_argument("--runtime", choices=("process", "inline"), default="process",
                       help="where Python handlers run unless a function says otherwise: "
                            "their own processes, speaking the Lambda Runtime API (default), "
                            "or threads of the server")
    serve.add_argument("--clock", choices=("real", "virtual"), default="real",
                       help="virtual: time stands still until the console advances it or lets "
                            "it follow real time (default: real)")
    serve.add_argument("--token", default=os.environ.get("EVENTSIM_TOKEN") or None,
                       help="require this access token on every request (default: "
                            "$EVENTSIM_TOKEN, else none): SDKs send it as their access key "
                            "id, the console as ?token= once; use it when binding another "
                            "interface than 127.0.0.1")
    serve.add_argument("--allow-host", metavar="NAME", action="append", default=[],
                       help="also answer to this Host name (besides IP addresses, localhost "
                            "and the --host name; others are refused against DNS rebinding); "
                            "repeatable")
    serve.add_argument("--json", action="store_true",
                       help="once listening, print one JSON line (endpoint, console, version, "
                            "what --load created) instead of the text lines, for scripts")
    serve.add_argument("--permissions", choices=("warn", "enforce", "off"), default="warn",
                       help="functions' resource policies for S3 and SNS pushes: warn of what "
                            "AWS would refuse (default), enforce (refuse it as AWS does), or "
                            "off")
    serve.add_argument("--log-level", choices=_LOG_LEVELS, default="info",
                       help="logging level (default: info)")
    serve.set_defaults(func=_serve)

    from eventsim.commands import register

    register(commands)  # invoke, events generate, logs, state, schema
    return parser


# -- run ----------------------------------------------------------------------------------------


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The files to run: each file named, and each folder's ``*.yaml`` / ``*.yml`` sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise ConfigError(f"{path}: no scenario files (*.yaml, *.yml) in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def _run(args: argparse.Namespace) -> int:
    from eventsim.commands.common import Colour
    from eventsim.scenario import Scenario, ScenarioReport, load_scenario, run_scenario
    from eventsim.scenario.junit import junit_xml

    scenarios: list[Scenario] = []
    problems: list[str] = []
    if args.template is None and not args.paths:
        raise ConfigError("run: name a scenario file or folder, or --template FILE")
    if args.template is None and (args.parameter_overrides or args.stack_name):
        raise ConfigError("run: --parameter-overrides and --stack-name need --template")
    load: Callable[[Path], Scenario] = load_scenario
    if args.template is not None:
        from eventsim.scenario.sam import template_loader

        load, template_scenario = template_loader(args.template, args.parameter_overrides,
                                                  args.stack_name)
        if not args.paths:
            scenarios.append(template_scenario)
    for path in scenario_files(args.paths):
        try:
            scenarios.append(load(path))
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    several = len(scenarios) > 1

    paint, progress = Colour(sys.stdout), Colour(sys.stderr)

    async def run_all() -> list[ScenarioReport]:
        reports = []
        for number, scenario in enumerate(scenarios, start=1):
            report = await run_scenario(scenario, clock=args.clock)
            reports.append(report)
            if several:  # one line per scenario as it finishes, on stderr (stdout is the report)
                print(f"[{number}/{len(scenarios)}] {report.progress_line(progress)}",
                      file=sys.stderr, flush=True)
            if not args.json:
                print(report.render(logs=args.logs, paint=paint) + ("\n" if several else ""),
                      flush=True)
        return reports

    reports = asyncio.run(run_all())
    if args.json:
        data = [r.to_dict() for r in reports]
        print(json.dumps(data if several else data[0], indent=2))
    elif several:
        passed = sum(r.passed for r in reports)
        failed = [r.name for r in reports if not r.passed]
        print(paint(f"{passed} of {len(reports)} scenarios passed", "green" if not failed
                    else "red") + (f"; failed: {', '.join(failed)}" if failed else ""))
    if args.junit_xml is not None:
        try:
            args.junit_xml.parent.mkdir(parents=True, exist_ok=True)
            args.junit_xml.write_text(junit_xml(reports), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--junit-xml {args.junit_xml}: {exc}") from None
    return EXIT_OK if all(r.passed for r in reports) else EXIT_FAILED


# -- serve --------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    from eventsim.scenario import load_scenario

    scenario = load_scenario(args.load) if args.load is not None else None
    if args.template is not None:
        if scenario is not None:
            raise ConfigError("serve: give --load or --template, not both")
        from eventsim.scenario.sam import template_loader

        _, scenario = template_loader(args.template, args.parameter_overrides, args.stack_name)
        args.load = args.template
    db = ":memory:"
    if args.state is not None:
        try:
            args.state.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"--state {args.state}: {exc}") from None
        db = str(args.state / "eventsim.db")
    config = SimulatorConfig(db=db, default_runtime=args.runtime,
                             permissions=args.permissions, clock=args.clock)
    asyncio.run(_serve_until_stopped(config, args.host, args.port, scenario, args.load,
                                     as_json=args.json, token=args.token,
                                     allowed_hosts=tuple(args.allow_host)))
    return EXIT_OK


async def _serve_until_stopped(
    config: SimulatorConfig, host: str, port: int, scenario: object, load: Path | None,
    *, as_json: bool = False, token: str | None = None, allowed_hosts: tuple[str, ...] = (),
) -> None:
    from eventsim.scenario import Scenario, apply_resources
    from eventsim.server import Server

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: Ctrl-C only
            loop.add_signal_handler(signum, stop.set)
    try:
        server = Server(config, host=host, port=port, token=token,
                        allowed_hosts=allowed_hosts)
        try:
            await server.start()
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        try:
            loaded = None
            if isinstance(scenario, Scenario):
                await apply_resources(server.sim, scenario)
                loaded = {"file": str(load), "buckets": len(scenario.resources.buckets),
                          "functions": len(scenario.functions)}
                if not as_json:
                    print(f"loaded {loaded['buckets']} bucket(s) and {loaded['functions']} "
                          f"function(s) from {load}", flush=True)
            console = f"{server.url}/_eventsim/" + ("?token=<your token>" if token else "")
            if as_json:
                print(json.dumps({"endpoint": server.url, "console": console,
                                  "version": __version__, "loaded": loaded}), flush=True)
            else:
                print(f"eventsim {__version__} listening on {server.url}", flush=True)
                print(f"console: {console}", flush=True)
            await stop.wait()
            print("eventsim: stopping", file=sys.stderr, flush=True)
        finally:
            await server.aclose()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
