"""What a stream batch's invocation says: success, a partial failure, or a whole failure.

ReportBatchItemFailures (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
"Reporting batch item failures", and AWS-validated LocalStack snapshots): ``null``, ``""``,
``[]``, ``{}``, ``{"batchItemFailures": []}`` and ``{"batchItemFailures": null}`` are full
success; valid identifiers (sequence numbers of the batch) fail the batch from the lowest of
them on; an identifier that is empty, null, missing or not in the batch, or an object without
``batchItemFailures`` but with other keys, fails the whole batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eventsim.services.lambda_.invocations import InvocationRecord

__all__ = ["Outcome", "judge"]


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    failed_from: int | None = None
    """Index in the batch of the lowest failed item (a partial failure), else None."""
    function_error: str | None = None
    """``Unhandled`` when the function failed; None for a failing batchItemFailures answer."""
    failed: frozenset[int] = frozenset()
    """Indexes of every item reported failed (SQS retries exactly those)."""


_SUCCESS = Outcome(True)
_WHOLE = Outcome(False, None, None)


def judge(record: InvocationRecord, identifiers: list[str], reports_items: bool) -> Outcome:
    """The outcome of one invocation of a batch whose items have these identifiers (sequence
    numbers in order for streams, message ids for SQS)."""
    if record.status != "Success":
        return Outcome(False, None, "Unhandled")
    if not reports_items:
        return _SUCCESS
    try:
        answer = json.loads(record.result) if record.result else None
    except ValueError:
        return _SUCCESS  # not JSON at all: nothing reports a failure
    if answer is None or answer == "" or answer == [] or answer == {}:
        return _SUCCESS
    if not isinstance(answer, dict):
        return _SUCCESS
    if "batchItemFailures" not in answer:
        return _WHOLE
    failures = answer["batchItemFailures"]
    if failures is None or failures == []:
        return _SUCCESS
    if not isinstance(failures, list):
        return _WHOLE
    index = {identifier: i for i, identifier in enumerate(identifiers)}
    failed: set[int] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in index:
            return _WHOLE
        failed.add(index[identifier])
    return Outcome(False, min(failed), None, frozenset(failed))
