"""The STS service (botocore ``sts``): GetCallerIdentity.

Code that builds ARNs asks STS for its account (``sts.get_caller_identity()["Account"]``),
in handlers and in test set-up alike. eventsim has one account and does not check
credentials, so every caller is the account's one user, as the principal of the events it
causes is (``AWS:AIDAEVENTSIMUSER``). Issuing credentials (AssumeRole, GetSessionToken...) is
not implemented: NotImplemented.
"""

from __future__ import annotations

from typing import Any

from eventsim.services.base import ServiceContext

__all__ = ["USER_ID", "StsService"]

USER_ID = "AIDAEVENTSIMUSER"
"""The caller's unique id: the principal id S3 events name for writes made by users."""


class StsService:
    """GetCallerIdentity for eventsim's one account."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def get_caller_identity(self) -> dict[str, Any]:
        """The account's user: its id, the account, its ARN."""
        account = self._ctx.account_id
        return {"UserId": USER_ID, "Account": account,
                "Arn": f"arn:aws:iam::{account}:user/eventsim"}
