"""How recorded things look in the console's JSON (shared by the API and the live feed)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from eventsim.console.jsonable import iso
from eventsim.services.lambda_.invocations import InvocationRecord

__all__ = ["full_record", "service_of", "summary", "summary_of"]


def service_of(trigger: str) -> str:
    """The service of a trigger or write kind: ``s3`` for ``s3:ObjectCreated:Put ...``."""
    head = trigger.split(" ", 1)[0]
    return head.split(":", 1)[0] if ":" in head else "lambda"


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """An invocation summary (`InvocationLog.summaries` row), times in ISO."""
    return {**row, "started_at": iso(row["started_at"]), "service": service_of(row["trigger"])}


def _decoded(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def full_record(record: InvocationRecord) -> dict[str, Any]:
    """Everything recorded of one attempt: event and result decoded, logs as text."""
    data = dataclasses.asdict(record)
    data["started_at"] = iso(record.started_at)
    data["service"] = service_of(record.trigger)
    data["event"] = _decoded(data.pop("payload"))
    data["result"] = _decoded(record.result)
    data["error_type"] = (record.error or {}).get("errorType")
    return data


def summary_of(r: InvocationRecord) -> dict[str, Any]:
    """The summary of a full record (what `summary` makes of a summaries row)."""
    return summary({"seq": r.seq, "request_id": r.request_id, "function": r.function,
                    "invocation_type": r.invocation_type, "attempt": r.attempt,
                    "started_at": r.started_at, "duration_ms": r.duration_ms,
                    "status": r.status, "trigger": r.trigger, "trace_id": r.trace_id,
                    "hop": r.hop, "error_type": (r.error or {}).get("errorType")})
