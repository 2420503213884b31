"""What a scenario run did: its steps, the invocations they caused, and the expectations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from eventsim.scenario.expectations import ExpectationResult
from eventsim.services.lambda_.invocations import InvocationRecord

__all__ = ["InvocationSummary", "ScenarioReport", "StepResult"]

Paint = Callable[[str, str], str]
"""``paint(text, style)``: the text coloured in a style (``green``, ``red``...), or as it is."""


def _plain(text: str, _style: str) -> str:
    return text


@dataclass(frozen=True)
class StepResult:
    """One step as it ran."""

    index: int
    kind: str
    description: str
    """``put_object uploads/cats/cat.jpg (10287 bytes, image/jpeg)``."""
    ok: bool
    where: str
    outcome: str | None = None
    """What it returned, briefly (an invoke's status)."""
    error: str | None = None
    duration_ms: float = 0.0

    def render(self) -> str:
        tail = "ok" if self.ok else "FAILED"
        if self.outcome:
            tail = f"{tail}: {self.outcome}"
        line = f"{self.index + 1:>3}. {self.description} ... {tail}"
        if self.error:
            line += f"\n      {self.error}  [{self.where}]"
        return line


@dataclass(frozen=True)
class InvocationSummary:
    """One invocation (one attempt) the run made."""

    function: str
    status: str
    duration_ms: float
    trigger: str
    invocation_type: str
    attempt: int
    hop: int
    request_id: str
    trace_id: str
    error: str | None = None
    """``errorType: errorMessage`` when it failed."""
    logs: str = ""

    @classmethod
    def from_record(cls, record: InvocationRecord) -> InvocationSummary:
        error = None
        if record.error:
            error = f"{record.error.get('errorType')}: {record.error.get('errorMessage')}"
        return cls(
            function=record.function, status=record.status, duration_ms=record.duration_ms,
            trigger=record.trigger, invocation_type=record.invocation_type,
            attempt=record.attempt, hop=record.hop, request_id=record.request_id,
            trace_id=record.trace_id, error=error, logs=record.logs,
        )

    def render(self, width: int) -> str:
        retry = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        line = (f"  {self.function:<{width}}  {self.status:<12} {self.duration_ms:>8.1f} ms  "
                f"{self.trigger}{retry}")
        if self.error and self.status != "LoopDetected":
            line += f"\n  {'':<{width}}  {self.error}"
        return line


@dataclass
class ScenarioReport:
    """Everything a run did, and whether the scenario holds."""

    name: str
    source: str | None
    clock: str
    steps: list[StepResult] = field(default_factory=list)
    invocations: list[InvocationSummary] = field(default_factory=list)
    expectations: list[ExpectationResult] = field(default_factory=list)
    error: str | None = None
    """A failure of the run itself (the simulator did not settle)."""
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    """When the run started (wall clock, for reports)."""
    duration_s: float = 0.0
    """How long the run took (wall clock)."""

    @property
    def passed(self) -> bool:
        """Every step ran, the run settled and every expectation holds."""
        return (self.error is None and all(s.ok for s in self.steps)
                and all(e.ok for e in self.expectations))

    @property
    def loops(self) -> list[InvocationSummary]:
        """Invocations Lambda refused because a recursive loop was detected."""
        return [i for i in self.invocations if i.status == "LoopDetected"]

    def render(self, *, logs: bool = False, paint: Paint = _plain) -> str:
        """The readable report `eventsim run` prints; `logs` adds each invocation's output.
        `paint(text, style)` colours the verdicts (``Colour`` on a terminal)."""
        out = [f"scenario {self.name}" + (f" ({self.source})" if self.source else "")
               + f", {self.clock} clock", ""]
        out.append("steps")
        out.extend(s.render() for s in self.steps)
        if not self.steps:
            out.append("  (none)")
        out += ["", "invocations"]
        if self.invocations:
            width = max(len(i.function) for i in self.invocations)
            for inv in self.invocations:
                out.append(inv.render(width))
                if logs and inv.logs.strip():
                    pad = " " * width
                    out.extend(f"  {pad}  | {line}" for line in inv.logs.rstrip().splitlines())
        else:
            out.append("  (none)")
        out.extend(self._loop_lines())
        if self.error:
            out += ["", f"run failed: {self.error}"]
        out += ["", "expectations"]
        out.extend(f"  {e.render(paint)}" for e in self.expectations)
        if not self.expectations:
            out.append("  (none)")
        held = sum(e.ok for e in self.expectations)
        verdict = paint("PASSED", "green") if self.passed else paint("FAILED", "red")
        out += ["", f"{verdict}: {held} of {len(self.expectations)} expectations hold"
                + ("" if all(s.ok for s in self.steps) else "; a step failed")]
        return "\n".join(out)

    def progress_line(self, paint: Paint = _plain) -> str:
        """One line for a folder run's progress: ``PASSED thumbnail (scenarios/...) 3/3
        expectations, 0.4 s``."""
        verdict = paint("PASSED", "green") if self.passed else paint("FAILED", "red")
        held = sum(e.ok for e in self.expectations)
        where = f" ({self.source})" if self.source else ""
        extra = "" if all(s.ok for s in self.steps) and self.error is None else ", a step failed"
        return (f"{verdict} {self.name}{where} {held}/{len(self.expectations)} expectations"
                f"{extra}, {self.duration_s:.1f} s")

    def _loop_lines(self) -> list[str]:
        lines = []
        for stopped in self.loops:
            origin = next((i for i in self.invocations
                           if i.trace_id == stopped.trace_id and i.hop == 0), None)
            started = f", started by {origin.trigger}" if origin else ""
            lines += ["", f"Recursive loop detected: Lambda stopped invoking {stopped.function} "
                      f"after {stopped.hop} hops{started}. The event was dropped, as AWS does."]
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data (``eventsim run --json``)."""
        return {
            "name": self.name, "source": self.source, "clock": self.clock,
            "passed": self.passed, "error": self.error,
            "duration_s": round(self.duration_s, 3),
            "steps": [asdict(s) for s in self.steps],
            "invocations": [asdict(i) for i in self.invocations],
            "loops_detected": [i.function for i in self.loops],
            "expectations": [e.to_dict() for e in self.expectations],
        }
