"""AddPermission and RemovePermission: statements of a queue's access policy, by label.

Each AddPermission appends one statement to the queue's ``Policy`` attribute (made when the
queue has none), as SQS writes it: its label as ``Sid``, ``Allow``, the accounts' root
principals, the actions prefixed ``SQS:`` and the queue's ARN. eventsim keeps the policy and
answers it through GetQueueAttributes; it does not enforce it (every request is allowed).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from eventsim.services.base import allow_statement
from eventsim.services.sqs.catalog import Catalog
from eventsim.services.sqs.errors import InvalidParameterValue, MissingParameter, SqsError
from eventsim.services.sqs.queues import Queue

__all__ = ["PermissionOperations"]

ACTIONS = frozenset({
    "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage",
})
"""The actions a queue's owner may share (the others only the owner may call)."""
MAX_ACTIONS = 7


class OverLimit(SqsError):
    """A limit of the queue reached (the AWS SDK for Go's ErrCodeOverLimit; 403, as moto
    answers it)."""

    code = "OverLimit"
    query_code = "OverLimit"
    status_code = 403


class PermissionOperations(Catalog):
    """A queue's policy statements (a part of `SqsService`)."""

    async def add_permission(
        self, *, queue_url: str, label: str, aws_account_ids: list[str], actions: list[str],
    ) -> dict[str, Any]:
        """AddPermission: let the accounts call the actions on the queue."""
        if not actions:
            raise MissingParameter("Actions")
        if not aws_account_ids:
            raise InvalidParameterValue(
                "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.")
        if len(actions) > MAX_ACTIONS:
            raise OverLimit(f"{len(actions)} Actions were found, maximum allowed is "
                            f"{MAX_ACTIONS}.")
        for action in actions:
            if action not in ACTIONS:
                raise InvalidParameterValue(
                    f"Value SQS:{action} for parameter ActionName is invalid. Reason: Only the "
                    "queue owner is allowed to invoke this action.")

        def change(queue: Queue) -> Queue:
            policy = _policy(queue)
            if any(s.get("Sid") == label for s in policy["Statement"]):
                raise InvalidParameterValue(
                    f"Value {label} for parameter Label is invalid. Reason: Already exists.")
            policy["Statement"].append(
                allow_statement(label, aws_account_ids, actions, "SQS", queue.arn))
            return self._with_policy(queue, policy)

        await self._update_queue(queue_url, change)
        return {}

    async def remove_permission(self, *, queue_url: str, label: str) -> dict[str, Any]:
        """RemovePermission: the statement of that label goes."""
        def change(queue: Queue) -> Queue:
            policy = _policy(queue)
            kept = [s for s in policy["Statement"] if s.get("Sid") != label]
            if len(kept) == len(policy["Statement"]):
                raise InvalidParameterValue(
                    f"Value {label} for parameter Label is invalid. Reason: can't find label "
                    "on existing policy.")
            return self._with_policy(queue, {**policy, "Statement": kept})

        await self._update_queue(queue_url, change)
        return {}

    def _with_policy(self, queue: Queue, policy: dict[str, Any]) -> Queue:
        attributes = dict(queue.attributes)
        if policy["Statement"]:
            attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        else:
            attributes.pop("Policy", None)  # as SQS drops a policy left without statements
        return replace(queue, attributes=attributes, modified_at=self._ctx.clock.time())


def _policy(queue: Queue) -> dict[str, Any]:
    """The queue's policy as a document with a Statement list (a new one if it has none)."""
    text = queue.attributes.get("Policy")
    document: dict[str, Any] = json.loads(text) if text else {}
    if not isinstance(document, dict):
        document = {}
    document.setdefault("Version", "2012-10-17")
    document.setdefault("Id", f"{queue.arn}/SQSDefaultPolicy")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    document["Statement"] = list(statements or [])
    return document
