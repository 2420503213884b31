"""AddPermission and RemovePermission: statements of a topic's access policy, by label.

A topic starts with SNS's default policy (`models._default_policy`); AddPermission appends
a statement to it as SNS writes one (the label as ``Sid``, ``Allow``, the accounts' root
principals, the actions prefixed ``SNS:``, the topic's ARN) and RemovePermission takes the
statement of a label out. The policy is kept in the topic's ``Policy`` attribute and answered
by GetTopicAttributes; eventsim does not enforce it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from eventsim.services.base import ServiceContext, allow_statement
from eventsim.services.sns.checks import check_topic_arn
from eventsim.services.sns.errors import InvalidParameter
from eventsim.services.sns.models import default_policy, load_topic

__all__ = ["TopicPermissionOperations"]

ACTIONS = frozenset({
    "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
    "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive",
})
"""The actions a topic's policy may grant."""


class TopicPermissionOperations:
    """A topic's policy statements (a part of `SNSService`)."""

    _ctx: ServiceContext

    async def add_permission(
        self, *, topic_arn: str, label: str, aws_account_id: list[str], action_name: list[str],
    ) -> dict[str, Any]:
        """AddPermission: let the accounts call the actions on the topic."""
        check_topic_arn(topic_arn)
        if any(action not in ACTIONS for action in action_name):
            raise InvalidParameter("Policy statement action out of service scope!")

        def change(policy: dict[str, Any]) -> None:
            if any(s.get("Sid") == label for s in policy["Statement"]):
                raise InvalidParameter("Statement already exists")
            policy["Statement"].append(
                allow_statement(label, aws_account_id, action_name, "SNS", topic_arn))

        await self._change_policy(topic_arn, change)
        return {}

    async def remove_permission(self, *, topic_arn: str, label: str) -> dict[str, Any]:
        """RemovePermission: the statement of that label goes (none is no error)."""
        check_topic_arn(topic_arn)

        def change(policy: dict[str, Any]) -> None:
            policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != label]

        await self._change_policy(topic_arn, change)
        return {}

    async def _change_policy(
        self, topic_arn: str, change: Callable[[dict[str, Any]], None],
    ) -> None:
        account = self._ctx.account_id

        def unit(conn: sqlite3.Connection) -> None:
            topic = load_topic(conn, topic_arn)
            text = topic.attributes.get("Policy")
            policy = json.loads(text) if text else default_policy(topic_arn, account)
            statements = policy.get("Statement") or []
            policy["Statement"] = [statements] if isinstance(statements, dict) \
                else list(statements)
            change(policy)
            topic.attributes["Policy"] = json.dumps(policy)
            conn.execute("UPDATE sns_topics SET attributes = ? WHERE arn = ?",
                         (json.dumps(topic.attributes), topic_arn))

        await self._ctx.db.write(unit)
