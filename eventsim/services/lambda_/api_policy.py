"""Lambda's resource policy operations: AddPermission, RemovePermission and GetPolicy."""

from __future__ import annotations

import json
from typing import Any

from eventsim.errors import ResourceConflictException, ResourceNotFoundException
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.shapes import statement

__all__ = ["ResourcePolicy"]


class ResourcePolicy(LambdaAPIBase):
    """The resource policy of a function, version or alias."""

    async def add_permission(
        self,
        *,
        function_name: str,
        statement_id: str,
        action: str,
        principal: str,
        source_arn: str | None = None,
        source_account: str | None = None,
        qualifier: str | None = None,
        revision_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a statement to the resource policy of the function, or of the version or alias
        `qualifier` names. Sources that push events (S3, SNS) are checked against it, as
        `SimulatorConfig.permissions` says."""
        config = await self._function(function_name, qualifier)
        await self._check_revision(config, revision_id)
        if any(s["Sid"] == statement_id for s in config.policy):
            raise ResourceConflictException(
                f"The statement id ({statement_id}) provided already exists. Please provide a "
                "new statement id, or remove the existing statement.", Type="User",
            )
        made = statement(statement_id=statement_id, action=action, principal=principal,
                         resource=config.invoked_arn, source_arn=source_arn,
                         source_account=source_account)
        await self.functions.set_policy(config.name, [*config.policy, made],
                                        config.invoked_qualifier)
        return {"Statement": json.dumps(made, separators=(",", ":"))}

    async def remove_permission(
        self, *, function_name: str, statement_id: str, qualifier: str | None = None,
        revision_id: str | None = None,
    ) -> None:
        config = await self._function(function_name, qualifier)
        await self._check_revision(config, revision_id)
        kept = [s for s in config.policy if s["Sid"] != statement_id]
        if len(kept) == len(config.policy):
            raise ResourceNotFoundException(
                f"Statement {statement_id} is not found in resource policy.", Type="User")
        await self.functions.set_policy(config.name, kept, config.invoked_qualifier)

    async def get_policy(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        config = await self._function(function_name, qualifier)
        if not config.policy:
            raise ResourceNotFoundException("The resource you requested does not exist.",
                                            Type="User")
        document = {"Version": "2012-10-17", "Id": "default", "Statement": config.policy}
        return {"Policy": json.dumps(document, separators=(",", ":")),
                "RevisionId": self._revision(config)}
