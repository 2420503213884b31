"""Checking ``trace`` expectations against the causal graphs the simulator recorded.

Each distinct trace id among the run's invocations is loaded once through `Simulator.trace`
(the one reader of traces). A trace matches when its origin is the expectation's ``from``,
each ``chain`` step follows from the one before, and its depth is as asked; the expectation
counts matching traces. A failure describes the nearest miss: which origins there were, or
how far along the chain the best trace got and what came next instead.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from eventsim.scenario.expectations import ExpectationResult
from eventsim.scenario.model import TraceExpectation, TraceOrigin, TraceOutcome
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.simulator import Simulator
from eventsim.traces import Trace, TraceNode

__all__ = ["check_trace", "matches_origin", "matches_outcome", "matches_step"]


def short_name(resource: str) -> str:
    """What a scenario calls a resource: ``thumbnails/cat.jpg`` for an S3 object ARN,
    ``orders`` for a topic, queue, table, stream or function ARN."""
    if resource.startswith("arn:aws:s3:::"):
        return resource.removeprefix("arn:aws:s3:::")
    if not resource.startswith("arn:"):
        return resource
    tail = resource.split(":", 5)[-1]
    for prefix in ("table/", "stream/", "function:"):
        if tail.startswith(prefix):
            return tail.removeprefix(prefix).split("/", 1)[0]
    return tail


def matches_origin(origin: TraceOrigin, node: TraceNode) -> bool:
    """Whether an origin node (its label is the event's trigger) is the one described."""
    kind, _, subject = node.label.partition(" ")
    if origin.s3 is not None:
        if not kind.startswith("s3:"):
            return False
        event = origin.s3.event
        if event is not None and not fnmatch.fnmatchcase(kind, "s3:" + event.removeprefix("s3:")):
            return False
        return fnmatch.fnmatchcase(subject, f"{origin.s3.bucket}/{origin.s3.key}")
    if origin.invoke is not None:
        return kind == "lambda:Invoke" and subject == short_name(origin.invoke)
    if origin.topic is not None:
        return kind.startswith("sns:") and short_name(subject) == short_name(origin.topic)
    for prefix, name in (("sqs", origin.queue), ("kinesis", origin.stream),
                         ("dynamodb", origin.table)):
        if name is not None:
            return kind == f"{prefix}:{short_name(name)}"
    return False


def matches_step(step: str, node: TraceNode) -> bool:
    """Whether a node is the chain step: a function's invocation, or a handler's write."""
    if ":" not in step:
        return node.kind == "invocation" and node.function == step
    if node.kind != "write":
        return False
    operation, _, target = step.partition(" ")
    kind = node.label.partition(" ")[0]
    if not fnmatch.fnmatchcase(kind, operation):
        return False
    if not target:
        return True
    resource = node.resource or ""
    return (fnmatch.fnmatchcase(short_name(resource), target)
            or fnmatch.fnmatchcase(resource, target))


def matches_outcome(outcome: TraceOutcome, node: TraceNode) -> bool:
    """Whether an outcome node is where the expectation says the event ended."""
    if node.kind != "outcome":
        return False
    if outcome.condition is not None and node.status != outcome.condition:
        return False
    if outcome.destination is None:
        return True
    resource = node.resource or ""
    return (fnmatch.fnmatchcase(short_name(resource), short_name(outcome.destination))
            or fnmatch.fnmatchcase(resource, outcome.destination))


def _descendants(trace: Trace, starts: Sequence[TraceNode]) -> list[TraceNode]:
    seen = {n.id for n in starts}
    queue = list(starts)
    out: list[TraceNode] = []
    while queue:
        node = queue.pop(0)
        for child in trace.children(node.id):
            if child.id not in seen:
                seen.add(child.id)
                out.append(child)
                queue.append(child)
    return out


@dataclass
class _Walk:
    """How far one trace got along the expectation."""

    trace: Trace
    origins: list[TraceNode]
    reached: int
    """Chain steps found in order (one more than the chain when the outcome was found too)."""
    after: list[TraceNode]
    """Where the last found step (or the origin) was, for 'found instead' messages."""

    @property
    def depth(self) -> int:
        return self.trace.depth


def _walk(trace: Trace, exp: TraceExpectation) -> _Walk:
    origins = [n for n in trace.nodes if n.kind == "origin"]
    if exp.origin is not None:
        origins = [n for n in origins if matches_origin(exp.origin, n)]
    frontier = origins
    for index, step in enumerate(exp.chain):
        found = [n for n in _descendants(trace, frontier) if matches_step(step, n)]
        if not found:
            return _Walk(trace, origins, index, frontier)
        frontier = found
    if exp.outcome is not None:
        ended = [n for n in _descendants(trace, frontier) if matches_outcome(exp.outcome, n)]
        if not ended:
            return _Walk(trace, origins, len(exp.chain), frontier)
        frontier = ended
        return _Walk(trace, origins, len(exp.chain) + 1, frontier)
    return _Walk(trace, origins, len(exp.chain), frontier)


def _steps(exp: TraceExpectation) -> int:
    """What a walk must reach: the chain, and the outcome when one is asked for."""
    return len(exp.chain) + (exp.outcome is not None)


def _depth_ok(exp: TraceExpectation, depth: int) -> bool:
    if exp.depth is not None:
        return depth == exp.depth
    return exp.max_depth is None or depth <= exp.max_depth


def _describe_node(node: TraceNode) -> str:
    if node.kind == "invocation":
        return f"{node.function} ({node.status})"
    return node.label


def _next_of(trace: Trace, nodes: Sequence[TraceNode]) -> str:
    following = [_describe_node(n) for n in _descendants(trace, nodes)
                 if n.kind in ("invocation", "write")]
    following = list(dict.fromkeys(following))
    if not following:
        return "nothing followed"
    shown = ", ".join(following[:4]) + (", ..." if len(following) > 4 else "")
    return f"it went on to {shown}"


def _miss(exp: TraceExpectation, walks: list[_Walk]) -> str:
    """Why the nearest trace did not match."""
    started = [w for w in walks if w.origins]
    if not started:
        labels = list(dict.fromkeys(n.label for w in walks for n in w.trace.nodes
                                    if n.kind == "origin"))
        shown = "; ".join(labels[:5]) + ("; ..." if len(labels) > 5 else "")
        assert exp.origin is not None
        return f"no trace started from {exp.origin.describe()} (traces started from: " \
               f"{shown or 'nothing'})"
    best = max(started, key=lambda w: w.reached)
    origin = best.origins[0].label
    if best.reached < len(exp.chain):
        step = exp.chain[best.reached]
        got = (f"reached {exp.chain[best.reached - 1]} but not {step}" if best.reached
               else f"never reached {step}")
        return f"the trace from {origin} {got}: {_next_of(best.trace, best.after)}"
    if best.reached < _steps(exp):
        assert exp.outcome is not None
        ended = list(dict.fromkeys(n.label for n in _descendants(best.trace, best.after)
                                   if n.kind == "outcome"))
        instead = f"it ended {'; '.join(ended)}" if ended else "no event of it ended " \
            "at a destination or was dropped"
        return f"the trace from {origin} did not end {exp.outcome.describe()}: {instead}"
    wanted = f"depth {exp.depth}" if exp.depth is not None else f"max_depth {exp.max_depth}"
    return f"the trace from {origin} is {best.depth} invocations deep, expected {wanted}"


def _criteria(exp: TraceExpectation) -> str:
    parts = []
    if exp.chain:
        parts.append("chain " + " -> ".join(exp.chain))
    if exp.depth is not None:
        parts.append(f"depth {exp.depth}")
    if exp.max_depth is not None:
        parts.append(f"max_depth {exp.max_depth}")
    if exp.outcome is not None:
        parts.append(f"outcome {exp.outcome.describe()}")
    return ", ".join(parts) or "any"


async def check_trace(sim: Simulator, exp: TraceExpectation,
                      records: Sequence[InvocationRecord], where: str) -> ExpectationResult:
    """Count the traces that match; on a miss, say what the nearest trace did instead."""
    walks = []
    for trace_id in dict.fromkeys(r.trace_id for r in records):
        walks.append(_walk(await sim.trace(trace_id), exp))
    matching = [w for w in walks
                if w.origins and w.reached == _steps(exp) and _depth_ok(exp, w.depth)]
    subject = "trace" + (f" from {exp.origin.describe()}" if exp.origin else "")
    n = len(matching)
    if exp.count is not None:
        ok, wanted, least = n == exp.count, f"{exp.count}", exp.count
    else:
        least = 1 if exp.min_count is None else exp.min_count
        ok, wanted = n >= least, f"at least {least}"
    criteria = _criteria(exp)
    if exp.count is not None or exp.min_count is not None:
        criteria += f", {'count' if exp.count is not None else 'min_count'} " \
                    f"{exp.count if exp.count is not None else exp.min_count}"
    found = f"{n} of {len(walks)} trace{'' if len(walks) == 1 else 's'}"
    if matching:
        found += f", depth {'/'.join(str(d) for d in sorted({w.depth for w in matching}))}"
    problem = None
    number = exp.count if exp.count is not None else least
    if not ok:
        problem = f"expected {wanted} matching trace{'' if number == 1 else 's'}, found {n}"
        if n < number:
            problem += f": {_miss(exp, walks)}" if walks else ": there were no invocations"
    return ExpectationResult(kind="trace", subject=subject, criteria=criteria, found=found,
                             ok=ok, where=where, problem=problem)
