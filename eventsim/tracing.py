"""Causality: which write caused which invocation, and how deep a chain has gone.

Lambda hands every invocation an X-Ray trace header (``_X_AMZN_TRACE_ID``), and botocore
forwards it on every call the handler makes as ``X-Amzn-Trace-Id``. eventsim gives each
invocation a header of the form::

    Root=1-<8 hex time>-<24 hex>;Parent=<16 hex span>;Sampled=0;Lineage=1:<8 hex>:<hop>

so a write arriving with that header is linked to the invocation that made it (``Parent``) and
knows how many invocations are upstream of it (``Lineage``'s last field, which is also what
AWS's recursive loop detection counts). The gateway puts the parsed header into
`current_trace` for the duration of a request; services read it when they record the events a
write produces.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _js
from typing import NamedTuple

from eventsim.ids import random_hex

__all__ = [
    "MAX_HOPS",
    "Cause",
    "RequestIds",
    "TraceHeader",
    "current_request",
    "current_trace",
    "format_trace_header",
    "new_span_id",
    "new_trace_id",
]

MAX_HOPS = 16
"""AWS stops a recursive loop once a chain has invoked a function about 16 times."""


def new_trace_id(epoch_seconds: float) -> str:
    """An X-Ray trace id: ``1-<epoch hex>-<96 random bits hex>``."""
    return f"1-{int(epoch_seconds):08x}-{random_hex(24)}"


def new_span_id() -> str:
    """An X-Ray segment id: 16 hex digits."""
    return random_hex(16)


@dataclass(frozen=True)
class TraceHeader:
    """A parsed ``X-Amzn-Trace-Id`` / ``_X_AMZN_TRACE_ID`` value."""

    root: str
    parent: str | None = None
    hop: int = 0
    lineage_tag: str = "00000000"

    @classmethod
    def parse(cls, value: str | None) -> TraceHeader | None:
        """Parse a header; None when it is absent or has no Root."""
        if not value:
            return None
        fields: dict[str, str] = {}
        for part in value.split(";"):
            name, sep, val = part.strip().partition("=")
            if sep:
                fields[name.strip()] = val.strip()
        root = fields.get("Root")
        if not root:
            return None
        hop, tag = 0, "00000000"
        lineage = fields.get("Lineage")
        if lineage:
            pieces = lineage.split(":")
            try:
                hop = int(pieces[-1])
            except ValueError:
                hop = 0
            if len(pieces) >= 2:
                tag = pieces[-2]
        return cls(root=root, parent=fields.get("Parent"), hop=hop, lineage_tag=tag)

    def format(self) -> str:
        """The header value handed to a handler."""
        return format_trace_header(self.root, self.parent, self.hop, self.lineage_tag)


def format_trace_header(root: str, parent: str | None, hop: int, lineage_tag: str) -> str:
    """`TraceHeader.format` without making a `TraceHeader`: every invocation formats one, and
    building the frozen dataclass only to format it cost more than the formatting."""
    if parent:
        return f"Root={root};Parent={parent};Sampled=0;Lineage=1:{lineage_tag}:{hop}"
    return f"Root={root};Sampled=0;Lineage=1:{lineage_tag}:{hop}"


current_trace: ContextVar[TraceHeader | None] = ContextVar("eventsim_current_trace", default=None)
"""The trace header of the request being served, if it carried one (set by the gateway)."""


class RequestIds(NamedTuple):
    """The ids a service answered a request with (S3's ``x-amz-request-id`` and
    ``x-amz-id-2``). S3 puts the same pair in the ``responseElements`` of the events the request
    caused, so that an event can be matched with its request. (A named tuple: one is made per
    request, and a frozen dataclass cost about 40% more to make.)"""

    request_id: str
    host_id: str | None = None


current_request: ContextVar[RequestIds | None] = ContextVar("eventsim_current_request",
                                                             default=None)
"""The ids of the request being served through the gateway (set by the gateway)."""


@dataclass(slots=True)
class Cause:
    """Why an event exists: stored with every outbox row, queued event and invocation.

    Treat as immutable. Not frozen only because one is made for every write and event, and a
    frozen dataclass costs several times as much to make (each field goes through
    ``object.__setattr__``); the same reason as `eventsim.store.queue.QueuedEvent`.
    """

    trace_id: str
    """X-Ray Root shared by every step of one workflow."""
    source: str
    """What happened, for people: ``s3:ObjectCreated:Put uploads/cat.jpg``."""
    parent_span: str | None = None
    """The invocation whose write produced this event, if a handler made it."""
    hop: int = 0
    """How many function invocations are upstream of this event."""

    @classmethod
    def for_write(cls, source: str, now: float) -> Cause:
        """The cause of an event produced by a write happening now.

        Inside a traced request (a handler's boto3 call) the event continues that trace one
        hop further down; otherwise it starts a new trace.
        """
        header = current_trace.get()
        # Positional, in the fields' order: one is made per write.
        if header is None:
            return cls(new_trace_id(now), source)
        return cls(header.root, source, header.parent, header.hop)

    def to_json(self) -> str:
        # Hot path (one per event): written out, several times faster than json.dumps.
        parent = "null" if self.parent_span is None else _js(self.parent_span)
        return (f'{{"trace_id":{_js(self.trace_id)},"source":{_js(self.source)},'
                f'"parent_span":{parent},"hop":{int(self.hop)}}}')

    @classmethod
    def from_json(cls, text: str) -> Cause:
        return cls(**json.loads(text))
