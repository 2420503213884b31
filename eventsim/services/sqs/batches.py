"""The rules every SQS batch request shares: 1 to 10 entries, distinct well-formed ids, and
per-entry failures reported as AWS reports them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from eventsim.errors import AwsError
from eventsim.services.sqs.errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
)

__all__ = ["MAX_ENTRIES", "apply_each", "check_batch", "failure"]

MAX_ENTRIES = 10
_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_batch(entries: Sequence[dict[str, Any]] | None, entry_shape: str) -> list[
        dict[str, Any]]:
    """Refuse the whole request as SQS does: no entries, more than ten, a malformed id, or an
    id used twice."""
    if not entries:
        raise EmptyBatchRequest(entry_shape)
    if len(entries) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(len(entries))
    seen: set[str] = set()
    for entry in entries:
        entry_id = str(entry.get("Id", ""))
        if not _ID.match(entry_id):
            raise InvalidBatchEntryId()
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(entry_id)
        seen.add(entry_id)
    return list(entries)


def failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    """A BatchResultErrorEntry for one entry that failed."""
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code,
            "Message": error.message}


def apply_each(entries: Sequence[dict[str, Any]],
               action: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """Run `action` on every entry: those it raised an AWS error for are Failed, the others
    Successful by their Id alone (DeleteMessageBatch, ChangeMessageVisibilityBatch)."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            action(entry)
        except AwsError as exc:
            failed.append(failure(entry["Id"], exc))
        else:
            successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}
