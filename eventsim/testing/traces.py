"""Assertions on the causal trace of a workflow (`eventsim.traces`): which functions ran along
it, how deep the chain went, what handlers wrote. A failure prints the whole trace as a tree.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.simulator import Simulator
from eventsim.traces import Trace, TraceNode

__all__ = ["TraceStart", "check_trace", "find_trace", "render_trace"]

TraceStart = InvocationRecord | str
"""An invocation (its record or request id) on the trace, or the trace id itself."""


async def find_trace(sim: Simulator, start: TraceStart) -> Trace:
    """The trace `start` belongs to; AssertionError when there is none."""
    if isinstance(start, InvocationRecord):
        return await sim.trace(start.trace_id)
    trace = await sim.trace_of(start)
    if trace is None:
        trace = await sim.trace(start)
        if not trace.nodes:
            raise AssertionError(f"no invocation and no trace has the id {start!r}")
    return trace


def render_trace(trace: Trace) -> str:
    """The trace as an indented tree, causes above their effects."""
    targets = {e.target for e in trace.edges}
    lines: list[str] = [f"trace {trace.trace_id}" + (" (truncated)" if trace.truncated else "")]
    shown: set[str] = set()

    def show(node: TraceNode, depth: int) -> None:
        if node.id in shown:
            return
        shown.add(node.id)
        status = f" [{node.status}]" if node.status else ""
        took = f" {node.duration_ms:.0f} ms" if node.duration_ms is not None else ""
        lines.append(f"{'  ' * (depth + 1)}{node.kind} {node.label}{status}{took}")
        for child in trace.children(node.id):
            show(child, depth + 1)

    for node in trace.nodes:
        if node.id not in targets:
            show(node, 0)
    for node in trace.nodes:  # anything in a cycle that has no root
        show(node, 0)
    return "\n".join(lines)


async def check_trace(
    sim: Simulator,
    start: TraceStart,
    *,
    functions: Sequence[str] | None = None,
    depth: int | None = None,
    writes: Sequence[str] | None = None,
    statuses: dict[str, str] | None = None,
) -> Trace:
    """The trace of `start`, checked: `functions` are the functions invoked along it in the
    order of their first invocation; `depth` the longest chain of invocations; every entry of
    `writes` is part of some write a handler made (``s3:PutObject``,
    ``arn:aws:s3:::thumbnails/cat.jpg``, a bucket name); `statuses` maps a function to the
    status of its last invocation on the trace. Raises AssertionError naming each difference,
    with the trace drawn below."""
    trace = await find_trace(sim, start)
    problems: list[str] = []
    if functions is not None and trace.functions != list(functions):
        problems.append(f"expected functions {list(functions)}, found {trace.functions}")
    if depth is not None and trace.depth != depth:
        problems.append(f"expected a chain {depth} invocations deep, found {trace.depth}")
    if writes is not None:
        made = [n.label for n in trace.nodes if n.kind == "write"]
        for wanted in writes:
            if not any(wanted in label for label in made):
                problems.append(f"expected a write matching {wanted!r}, found "
                                f"{made or 'no writes'}")
    if statuses is not None:
        for function, status in statuses.items():
            runs = [n for n in trace.invocations if n.function == function]
            found = runs[-1].status if runs else "not invoked"
            if found != status:
                problems.append(f"expected {function} to end {status}, found {found}")
    if problems:
        raise AssertionError("\n".join(problems) + "\n" + render_trace(trace))
    return trace
