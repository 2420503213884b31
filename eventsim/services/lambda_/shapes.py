"""What Lambda's API answers, built from a `FunctionConfig`: the FunctionConfiguration and
FunctionEventInvokeConfig shapes, Lambda's date text and ListFunctions' markers."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from eventsim.errors import InvalidParameterValueException
from eventsim.services.lambda_.models import LATEST, FunctionConfig

__all__ = [
    "LATEST",
    "decode_marker",
    "encode_marker",
    "event_invoke_config",
    "function_configuration",
    "lambda_date",
    "statement",
]


CREATING = "The function is being created."


def function_configuration(
    config: FunctionConfig, *, code_size: int, code_sha256: str, modified: float,
    revision_id: str, phase: str | None = None,
) -> dict[str, Any]:
    """AWS's FunctionConfiguration of a function.

    `phase` is for the answer of the call that made the change, as AWS answers it while the
    change is still being applied: ``"create"`` (CreateFunction, PublishVersion: State
    ``Pending``, no LastUpdateStatus yet) or ``"update"`` (UpdateFunctionCode and
    UpdateFunctionConfiguration: LastUpdateStatus ``InProgress``). eventsim applies a change
    at once, so every later read finds the function ``Active`` and its last update
    ``Successful``: SDK waiters (``function_active_v2``, ``function_updated_v2``) return on
    their first poll."""
    result: dict[str, Any] = {
        "FunctionName": config.name,
        "FunctionArn": config.arn,
        "Runtime": config.runtime,
        "Handler": config.handler,
        "CodeSize": code_size,
        "Description": config.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory_size,
        "LastModified": lambda_date(modified),
        "CodeSha256": code_sha256,
        "Version": config.version,
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": revision_id,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{config.name}"},
    }
    if phase == "create":
        result.update(State="Pending", StateReason=CREATING, StateReasonCode="Creating")
        del result["LastUpdateStatus"]
    elif phase == "update":
        result.update(LastUpdateStatus="InProgress", LastUpdateStatusReason=CREATING,
                      LastUpdateStatusReasonCode="Creating")
    if config.role is not None:
        result["Role"] = config.role
    if config.environment:
        result["Environment"] = {"Variables": dict(config.environment)}
    if config.dead_letter_target is not None:
        result["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
    return result


def event_invoke_config(config: FunctionConfig) -> dict[str, Any]:
    """AWS's FunctionEventInvokeConfig of a function that has one."""
    assert config.event_invoke_config_at is not None
    given = config.event_invoke_config_given
    return {
        "LastModified": dt.datetime.fromtimestamp(config.event_invoke_config_at, tz=dt.UTC),
        "FunctionArn": f"{config.arn}:{config.invoked_qualifier or LATEST}",
        # Only the settings the configuration gave, as AWS reports them.
        "MaximumRetryAttempts": (config.maximum_retry_attempts
                                 if "maximum_retry_attempts" in given else None),
        "MaximumEventAgeInSeconds": (config.maximum_event_age
                                     if "maximum_event_age" in given else None),
        "DestinationConfig": {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {},
        },
    }


def lambda_date(epoch: float) -> str:
    """Lambda's LastModified text: ``2024-05-17T12:30:45.123+0000``."""
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def encode_marker(name: str) -> str:
    """ListFunctions' NextMarker after the function `name`."""
    return base64.urlsafe_b64encode(name.encode()).decode("ascii")


def decode_marker(marker: str) -> str:
    """The function name a marker continues after."""
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterValueException("Invalid marker: " + marker, Type="User") from None


def statement(
    *, statement_id: str, action: str, principal: str, resource: str,
    source_arn: str | None = None, source_account: str | None = None,
) -> dict[str, Any]:
    """A resource policy statement as AddPermission writes it: an account id becomes its root
    ARN, a service name stays a ``Service`` principal, conditions for SourceArn/SourceAccount."""
    if principal == "*":
        who: Any = "*"
    elif principal.isdigit() and len(principal) == 12:
        who = {"AWS": f"arn:aws:iam::{principal}:root"}
    elif principal.startswith("arn:"):
        who = {"AWS": principal}
    else:
        who = {"Service": principal}
    made: dict[str, Any] = {"Sid": statement_id, "Effect": "Allow", "Principal": who,
                            "Action": action, "Resource": resource}
    condition: dict[str, Any] = {}
    if source_account is not None:
        condition["StringEquals"] = {"AWS:SourceAccount": source_account}
    if source_arn is not None:
        condition["ArnLike"] = {"AWS:SourceArn": source_arn}
    if condition:
        made["Condition"] = condition
    return made
