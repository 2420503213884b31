"""Whether an event source may push to a function, as `SimulatorConfig.permissions` says.

On AWS, S3 and SNS invoke a function only when its resource-based policy lets their service
principal do so for the bucket or topic (the ``aws lambda add-permission`` that SAM and
CloudFormation templates write as ``AWS::Lambda::Permission``). eventsim checks the same
policy (`eventsim.services.lambda_.policy`) and then, by mode:

- ``off``: lets everything through, says nothing;
- ``warn`` (the default): lets it through, and says once per function, principal and source
  which AddPermission call AWS would need (the ``eventsim`` logger, and `warnings`);
- ``enforce``: refuses it as AWS would (the caller turns that into AWS's error or a failed
  delivery), and says the same.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass
from typing import Literal

from eventsim.services.lambda_.arns import split_ref
from eventsim.services.lambda_.errors import AliasNotFound, FunctionNotFound
from eventsim.services.lambda_.policy import INVOKE, invocation_allowed
from eventsim.services.lambda_.service import LambdaService

__all__ = ["InvokePermissions", "PermissionMode", "PermissionWarning"]

LOG = logging.getLogger(__name__)

PermissionMode = Literal["off", "warn", "enforce"]

_VERDICTS_REMEMBERED = 4096


@dataclass(frozen=True)
class PermissionWarning:
    """A push that the function's policy does not allow: what AWS would need."""

    function_arn: str
    principal: str
    source_arn: str
    refused: bool
    """True when eventsim refused it (``enforce``); False when it let it through (``warn``)."""
    add_permission: str
    """The AWS CLI call that would allow it."""
    message: str


class InvokePermissions:
    """Checks pushes against functions' resource policies; remembers what it warned of."""

    def __init__(self, functions: LambdaService, mode: PermissionMode, account_id: str) -> None:
        self._functions = functions
        self.mode: PermissionMode = mode
        self._account_id = account_id
        self.warnings: list[PermissionWarning] = []
        """Every push the policies did not allow, once per function, principal and source."""
        self._seen: set[tuple[str, str, str, bool]] = set()
        self._verdicts: dict[tuple[str, str, str, str], tuple[object, bool]] = {}
        """Each push's last verdict with the statements it was reached on: every event asks
        again (S3 and SNS check at each delivery), and a policy is replaced, never changed
        in place, so the same statements give the same answer."""

    def allowed(self, function_arn: str, principal: str, source_arn: str,
                source_account: str | None = None) -> bool:
        """Whether service `principal` may invoke `function_arn` (qualified or not) for
        `source_arn`; False only in ``enforce`` mode. A function that does not exist is
        allowed here: whether it exists is the caller's own check."""
        if self.mode == "off":
            return True
        try:
            config = self._functions.resolve(function_arn)
        except (FunctionNotFound, AliasNotFound):
            return True
        account = source_account or self._account_id
        key = (function_arn, principal, source_arn, account)
        known = self._verdicts.get(key)
        if known is not None and known[0] is config.policy:
            allowed = known[1]
        else:
            allowed = invocation_allowed(config.policy, principal=principal,
                                         source_arn=source_arn, source_account=account)
            if len(self._verdicts) >= _VERDICTS_REMEMBERED:
                self._verdicts.clear()
            self._verdicts[key] = (config.policy, allowed)
        if allowed:
            return True
        refused = self.mode == "enforce"
        self._warn(config.invoked_arn, principal, source_arn, refused)
        return not refused

    def _warn(self, function_arn: str, principal: str, source_arn: str, refused: bool) -> None:
        key = (function_arn, principal, source_arn, refused)
        if key in self._seen:
            return
        self._seen.add(key)
        name, qualifier = split_ref(function_arn)
        service = principal.split(".")[0]
        source = source_arn.rsplit(":", 1)[-1].replace("/", "-")
        command = ["aws", "lambda", "add-permission", "--function-name", name]
        if qualifier is not None:
            command += ["--qualifier", qualifier]
        command += ["--statement-id", f"{service}-{source}"[:100], "--action", INVOKE,
                    "--principal", principal, "--source-arn", source_arn]
        if service == "s3":
            command += ["--source-account", self._account_id]
        call = shlex.join(command)
        outcome = "refused it, as AWS would" if refused else \
            "let it through (permissions: warn); AWS would refuse it"
        message = (f"{principal} may not invoke {function_arn} for {source_arn}: no statement "
                   f"of the function's resource policy allows it, and eventsim {outcome}. "
                   f"On AWS it needs: {call}")
        self.warnings.append(PermissionWarning(
            function_arn=function_arn, principal=principal, source_arn=source_arn,
            refused=refused, add_permission=call, message=message))
        LOG.warning("%s", message)
