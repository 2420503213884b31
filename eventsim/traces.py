"""The causal trace of a workflow, read back from what the engine recorded.

Every invocation carries its trace id (X-Ray Root), its own span and the span of the
invocation whose write caused it; writes that handlers make through the gateway are recorded
against their invoking span (``trace_events``); asynchronous events that ended at a
destination or were dropped are recorded as outcomes. This module joins the three into one
graph, the single reader that the console, the scenario expectations and the pytest helpers
share::

    origin (s3:ObjectCreated:Put uploads/cat.jpg)
      -> invocation make-thumbnail (Success, 41 ms)
        -> write s3:PutObject arn:aws:s3:::thumbnails/cat.jpg
          -> invocation index-thumbnail ...

A retried asynchronous event shows each attempt as its own node, joined by ``retry`` edges.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from eventsim.services.lambda_.invocations import AsyncOutcome, InvocationLog, InvocationRecord

__all__ = ["Trace", "TraceEdge", "TraceNode", "load_trace", "load_trace_of"]

NodeKind = Literal["origin", "invocation", "write", "outcome"]
EdgeKind = Literal["caused", "wrote", "retry", "outcome"]

DEFAULT_MAX_NODES = 2000
"""A trace bigger than this is cut (``Trace.truncated``): a fan-out of thousands of
invocations is still shown, but no reader loads an unbounded graph."""


@dataclass(frozen=True, slots=True)
class TraceNode:
    """One step of a workflow."""

    id: str
    kind: NodeKind
    service: str
    """The AWS service the step belongs to: ``s3``, ``sns``, ``lambda`` ..."""
    label: str
    """For people: the trigger, the function name, the write, or the outcome."""
    at: float
    """Clock time at which the step happened (an invocation's start)."""
    duration_ms: float | None = None
    init_ms: float | None = None
    """An invocation's cold-start init phase, which ran before its duration began."""
    status: str | None = None
    """An invocation's status (Success, Error, Timeout ...) or an outcome's condition."""
    function: str | None = None
    request_id: str | None = None
    attempt: int | None = None
    resource: str | None = None
    """The ARN a write touched, or the destination an outcome went to."""
    hop: int = 0
    """Invocations upstream of this step (what AWS's loop detection counts)."""


@dataclass(frozen=True, slots=True)
class TraceEdge:
    """Cause -> effect."""

    source: str
    target: str
    kind: EdgeKind = "caused"


@dataclass(frozen=True)
class Trace:
    """The causal graph of one trace id, nodes in the order they happened."""

    trace_id: str
    nodes: list[TraceNode]
    edges: list[TraceEdge]
    truncated: bool = False
    _by_id: dict[str, TraceNode] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((n.id, n) for n in self.nodes)

    def node(self, node_id: str) -> TraceNode:
        return self._by_id[node_id]

    @property
    def invocations(self) -> list[TraceNode]:
        return [n for n in self.nodes if n.kind == "invocation"]

    @property
    def functions(self) -> list[str]:
        """Functions invoked along the trace, in the order of their first invocation."""
        return list(dict.fromkeys(n.function for n in self.invocations if n.function))

    @property
    def depth(self) -> int:
        """The longest chain of invocations (1 for a single invocation, 0 for none)."""
        return max((n.hop + 1 for n in self.invocations), default=0)

    def children(self, node_id: str) -> Iterator[TraceNode]:
        for edge in self.edges:
            if edge.source == node_id:
                yield self._by_id[edge.target]

    def parents(self, node_id: str) -> Iterator[TraceNode]:
        for edge in self.edges:
            if edge.target == node_id:
                yield self._by_id[edge.source]

    def path_to(self, node_id: str) -> list[TraceNode]:
        """The chain from an origin to this node (first cause first), following the first
        parent at each step."""
        path = [self._by_id[node_id]]
        seen = {node_id}
        while True:
            parent = next(self.parents(path[-1].id), None)
            if parent is None or parent.id in seen:
                return path[::-1]
            seen.add(parent.id)
            path.append(parent)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for the console and reports."""
        return {
            "trace_id": self.trace_id,
            "truncated": self.truncated,
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [{"from": e.source, "to": e.target, "kind": e.kind} for e in self.edges],
        }


async def load_trace(
    log: InvocationLog, trace_id: str, *, max_nodes: int = DEFAULT_MAX_NODES
) -> Trace:
    """The trace with this id (an empty trace if nothing was recorded under it)."""
    records = await log.list(trace_id=trace_id, limit=max_nodes + 1)
    truncated = len(records) > max_nodes
    records = records[:max_nodes]
    writes = await log.trace_writes(trace_id)
    outcomes = await log.outcomes_of(r.request_id for r in records)
    return _build(trace_id, records, writes, outcomes, truncated)


async def load_trace_of(
    log: InvocationLog, request_id: str, *, max_nodes: int = DEFAULT_MAX_NODES
) -> Trace | None:
    """The trace an invocation belongs to; None for an unknown request id."""
    attempts = await log.get(request_id)
    if not attempts:
        return None
    return await load_trace(log, attempts[0].trace_id, max_nodes=max_nodes)


def _service(label: str) -> str:
    return label.split(":", 1)[0] if ":" in label else "lambda"


def _invocation_id(r: InvocationRecord) -> str:
    return f"invocation:{r.request_id}:{r.attempt}"


def _build(
    trace_id: str,
    records: list[InvocationRecord],
    writes: list[dict[str, Any]],
    outcomes: list[AsyncOutcome],
    truncated: bool,
) -> Trace:
    nodes: list[TraceNode] = []
    edges: list[TraceEdge] = []
    by_span: dict[str, TraceNode] = {}
    writes_by_span: dict[str, list[TraceNode]] = {}
    hop_of_span = {r.span_id: r.hop for r in records}

    for index, row in enumerate(writes):
        span = row["span_id"]
        write = TraceNode(
            id=f"write:{index}", kind="write", service=_service(row["kind"]),
            label=f"{row['kind']} {row['resource']}", at=row["created_at"],
            resource=row["resource"], hop=hop_of_span.get(span, 0) + 1,
        )
        writes_by_span.setdefault(span, []).append(write)

    # Records are stored as invocations finish, and on a virtual clock many start at the
    # same instant, so neither order is causal: know every span first, then draw the edges.
    # Sorting by hop puts a cause before its effect whatever the clock says.
    ordered = sorted(records, key=lambda r: (r.started_at, r.hop, r.attempt, r.seq))
    for r in ordered:
        node = TraceNode(
            id=_invocation_id(r), kind="invocation", service="lambda", label=r.function,
            at=r.started_at, duration_ms=r.duration_ms, init_ms=r.init_duration_ms,
            status=r.status, function=r.function, request_id=r.request_id, attempt=r.attempt,
            hop=r.hop,
        )
        nodes.append(node)
        by_span[r.span_id] = node

    origins: dict[str, TraceNode] = {}
    previous_attempt: dict[str, TraceNode] = {}
    last_of_request: dict[str, TraceNode] = {}
    for r, node in zip(ordered, nodes, strict=True):
        retried = previous_attempt.get(r.request_id)
        if retried is not None:
            edges.append(TraceEdge(retried.id, node.id, "retry"))
        elif r.parent_span is not None and r.parent_span in by_span:
            cause = _write_matching(writes_by_span.get(r.parent_span, []), r.trigger)
            edges.append(TraceEdge(cause.id if cause else by_span[r.parent_span].id, node.id))
        else:
            origin = origins.get(r.trigger)
            if origin is None:
                origin = TraceNode(id=f"origin:{len(origins)}", kind="origin",
                                   service=_service(r.trigger), label=r.trigger, at=r.started_at)
                origins[r.trigger] = origin
            edges.append(TraceEdge(origin.id, node.id))
        previous_attempt[r.request_id] = node
        last_of_request[r.request_id] = node

    for span, span_writes in writes_by_span.items():
        owner = by_span.get(span)
        for write in span_writes:
            nodes.append(write)
            if owner is not None:
                edges.append(TraceEdge(owner.id, write.id, "wrote"))

    for index, o in enumerate(outcomes):
        last = last_of_request.get(o.request_id)
        node = TraceNode(
            id=f"outcome:{index}", kind="outcome", service="lambda",
            label=o.condition + (f" -> {o.destination}" if o.destination else ""),
            at=o.created_at, status=o.condition, function=o.function,
            request_id=o.request_id, resource=o.destination,
            hop=last.hop if last is not None else 0,
        )
        nodes.append(node)
        if last is not None:
            edges.append(TraceEdge(last.id, node.id, "outcome"))

    nodes.extend(origins.values())
    # A write counts one invocation more upstream than the one that made it, yet comes
    # before the invocations it causes: place it half a hop earlier.
    nodes.sort(key=lambda n: (n.at, n.hop - (0.5 if n.kind == "write" else 0.0),
                              _KIND_ORDER[n.kind]))
    return Trace(trace_id=trace_id, nodes=nodes, edges=edges, truncated=truncated)


_KIND_ORDER: dict[str, int] = {"origin": 0, "invocation": 1, "write": 2, "outcome": 3}


def _write_matching(candidates: list[TraceNode], trigger: str) -> TraceNode | None:
    """The write among an invocation's writes that produced an event with this trigger.

    A trigger names what happened and where (``s3:ObjectCreated:Put thumbnails/cat.jpg``,
    ``sqs:orders 3 messages``); a write names the ARN it touched. Matching the trigger's
    subject against the end of the ARN finds the write; when several writes match (the same
    key written twice), the last one before the event is as good as any.
    """
    subject = trigger.partition(" ")[2].split(" ", 1)[0]
    found = None
    if subject:
        for w in candidates:
            if w.resource is not None and (w.resource == subject
                                           or w.resource.endswith((f"/{subject}",
                                                                   f":{subject}"))):
                found = w
    if found is None and len(candidates) == 1:
        # One write, one event caused by it: through a topic to a queue, say, the names
        # differ, but nothing else could have caused it.
        found = candidates[0]
    return found
