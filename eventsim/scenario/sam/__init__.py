"""AWS SAM templates as scenarios: ``eventsim run --template template.yaml [scenario.yaml]``.

    loaded = load_template("template.yaml", parameters={"Stage": "dev"})
    for warning in loaded.warnings:
        print(warning)                          # file:line: property: what eventsim ignores
    report = await run_scenario(loaded.scenario)            # the template alone
    report = await run_scenario(loaded.with_scenario("checks.yaml"))

``reader`` reads YAML with CloudFormation's tags and lines, ``parameters`` applies
``Parameters``, ``intrinsics`` resolves ``!Ref``, ``!GetAtt``, ``!Sub`` and the rest,
``template`` indexes resources and ``Globals``, ``types`` says what each resource type gives
and honours, ``build`` turns it all into scenario data and ``scenario`` into a `Scenario`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eventsim.config import SimulatorConfig
from eventsim.scenario.loader import load_scenario
from eventsim.scenario.model import Scenario
from eventsim.scenario.sam.build import Built, build
from eventsim.scenario.sam.parameters import parse_overrides
from eventsim.scenario.sam.scenario import scenario_of_template, with_template
from eventsim.scenario.sam.template import Template

__all__ = ["DEFAULT_STACK_NAME", "LoadedTemplate", "load_template", "parse_overrides",
           "template_loader"]

DEFAULT_STACK_NAME = "eventsim"


@dataclass
class LoadedTemplate:
    """A template read, resolved and validated."""

    template: Template
    built: Built
    scenario: Scenario
    """The template alone: its resources and functions, no steps."""

    @property
    def warnings(self) -> list[str]:
        """What the template says that eventsim ignores (``file:line: path: why``)."""
        return self.template.warnings

    def summary(self) -> str:
        """``template.yaml: 1 bucket, 2 queues, 3 functions, 3 events`` (what was built)."""
        res = self.scenario.resources
        counts = [(len(res.buckets), "bucket"), (len(res.topics), "topic"),
                  (len(res.queues), "queue"), (len(res.tables), "table"),
                  (len(res.streams), "stream"), (len(self.scenario.functions), "function"),
                  (sum(len(f.events) for f in self.scenario.functions.values()), "event")]
        parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
        return f"{self.template.source}: {', '.join(parts) or 'nothing to build'}"

    def with_scenario(self, path: str | Path) -> Scenario:
        """A scenario file's steps and expectations over the template's resources."""
        return load_scenario(path, prepare=with_template(self.built, str(path)))


def load_template(
    path: str | Path,
    *,
    parameters: dict[str, str] | None = None,
    stack_name: str = DEFAULT_STACK_NAME,
    config: SimulatorConfig | None = None,
) -> LoadedTemplate:
    """Read a SAM template. ``${AWS::Region}`` and ``${AWS::AccountId}`` are `config`'s
    (default: the simulator's defaults). Raises `ConfigError` naming file, line and field."""
    config = config or SimulatorConfig()
    template = Template.load(path, parameters=parameters, region=config.region,
                             account_id=config.account_id, stack_name=stack_name)
    built = build(template)
    return LoadedTemplate(template, built, scenario_of_template(template, built))


def _stderr(message: str) -> None:
    print(f"eventsim: warning: {message}", file=sys.stderr, flush=True)


def template_loader(
    path: Path,
    overrides: Sequence[str] = (),
    stack_name: str | None = None,
    warn: Callable[[str], None] = _stderr,
) -> tuple[Callable[[Path], Scenario], Scenario]:
    """For ``eventsim run --template``: a scenario-file loader that puts each file over the
    template, and the template alone. Warnings go to `warn` (default: stderr)."""
    loaded = load_template(path, parameters=parse_overrides(overrides),
                           stack_name=stack_name or DEFAULT_STACK_NAME)
    for warning in loaded.warnings:
        warn(warning)
    print(f"eventsim: {loaded.summary()}", file=sys.stderr, flush=True)
    return loaded.with_scenario, loaded.scenario
