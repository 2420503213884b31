"""The rules Lambda applies to what a request names and sets: how a function is named (name,
``name:qualifier``, partial and full ARNs), the execution role's form, environment variables,
asynchronous destinations, and what every configuration keeps (`check_configuration`: runtime,
handler, timeout, memory). Each raises AWS's error with AWS's message."""

from __future__ import annotations

import json
import re
from typing import Any

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.lambda_.models import FunctionConfig

__all__ = [
    "check_configuration",
    "check_role",
    "check_tags",
    "check_variables",
    "dead_letter_arn",
    "destinations",
    "name_and_qualifier",
]

# The runtimes an inline or process environment can run today.
_PYTHON_RUNTIMES = {
    "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
}
# These run in process environments only (eventsim's Node.js bootstrap; the function's own
# bootstrap executable).
_PROCESS_RUNTIMES = {"nodejs18.x", "nodejs20.x", "nodejs22.x", "provided.al2", "provided.al2023"}
_ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
_RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
"""Variables Lambda sets itself and refuses in a function's Environment."""
_MAX_VARIABLES_SIZE = 4096
_MAX_TAGS = 50
_DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events", "s3")


def name_and_qualifier(function_name: str, qualifier: str | None) -> tuple[str, str | None]:
    """Name and qualifier from any form AWS accepts: ``name``, ``name:qualifier``,
    ``account:function:name[:qualifier]``, a full ARN; `qualifier` must agree."""
    parts = function_name.split(":")
    if function_name.startswith("arn:") and len(parts) >= 7 and parts[5] == "function":
        name, derived = parts[6], (parts[7] if len(parts) > 7 else None)
    elif len(parts) >= 3 and parts[1] == "function":
        name, derived = parts[2], (parts[3] if len(parts) > 3 else None)
    else:
        name, derived = parts[0], (parts[1] if len(parts) > 1 else None)
    if derived is not None and qualifier is not None and derived != qualifier:
        raise InvalidParameterValueException(
            "The derived qualifier from the function name does not match the specified "
            "qualifier.", Type="User",
        )
    return name, qualifier if qualifier is not None else derived


def check_role(role: str) -> None:
    """An execution role ARN of the form AWS accepts (eventsim checks no permissions)."""
    if not _ROLE.match(role):
        raise ValidationException(
            f"1 validation error detected: Value '{role}' at 'role' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        )


def check_variables(variables: dict[str, str]) -> None:
    """No reserved keys, and at most 4 KB in all."""
    reserved = sorted(k for k in variables if k in _RESERVED_VARIABLES)
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided contains reserved keys that are currently "
            f"not supported for modification. Reserved keys used in this request: "
            f"{', '.join(reserved)}", Type="User",
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > _MAX_VARIABLES_SIZE:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided exceeded the 4KB limit. String measured: "
            f"{measured}", Type="User",
        )


def check_tags(tags: dict[str, str]) -> None:
    """At most 50 tags; keys of 1-128 characters not starting ``aws:``, values up to 256."""
    if len(tags) > _MAX_TAGS:
        raise InvalidParameterValueException(
            f"Number of tags exceeds resource tag limit of {_MAX_TAGS}.", Type="User")
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            raise InvalidParameterValueException(
                f"Tag keys prefixed with 'aws:' are reserved: {key}", Type="User")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameterValueException(
                "Tag keys must be 1 to 128 characters and values at most 256 characters.",
                Type="User",
            )


def dead_letter_arn(config: dict[str, Any] | None) -> str | None:
    """The queue or topic of a DeadLetterConfig (SQS or SNS only); None for none or ``""``."""
    arn = (config or {}).get("TargetArn") or None
    if arn is not None:
        parts = arn.split(":")
        if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ("sqs", "sns"):
            raise InvalidParameterValueException(
                f"The dead-letter target {arn} is invalid: it must be an SQS queue or SNS "
                "topic ARN.", Type="User",
            )
    return str(arn) if arn is not None else None


def destinations(config: dict[str, Any]) -> tuple[str | None, str | None]:
    """The OnSuccess and OnFailure destination ARNs of a DestinationConfig."""
    on_success = (config.get("OnSuccess") or {}).get("Destination")
    on_failure = (config.get("OnFailure") or {}).get("Destination")
    for arn in (on_success, on_failure):
        if arn is not None and not _valid_destination(arn):
            success = f"OnSuccess(destination={on_success})" if on_success else "null"
            failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
            raise InvalidParameterValueException(
                f"The provided destination config DestinationConfig(onSuccess={success}, "
                f"onFailure={failure}) is invalid.", Type="User",
            )
    return on_success, on_failure


def _valid_destination(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and parts[2] in _DESTINATION_SERVICES


def check_configuration(config: FunctionConfig) -> None:
    """The rules every configuration keeps, on creation and on every update."""
    runtime, handler = config.runtime, config.handler
    if runtime not in _PYTHON_RUNTIMES and runtime not in _PROCESS_RUNTIMES:
        raise InvalidParameterValueException(
            f"Value {runtime} at 'runtime' is not supported by eventsim yet; "
            f"supported: {', '.join(sorted(_PYTHON_RUNTIMES | _PROCESS_RUNTIMES))}"
        )
    if "." not in handler and not runtime.startswith("provided"):
        raise InvalidParameterValueException(
            f"Handler '{handler}' must be of the form module.function"
        )
    for member, value, low, high in (("timeout", config.timeout, 1, 900),
                                     ("memorySize", config.memory_size, 128, 10240)):
        if not low <= value <= high:
            bound = (f"greater than or equal to {low}" if value < low
                     else f"less than or equal to {high}")
            raise ValidationException(
                f"1 validation error detected: Value '{value}' at '{member}' failed to "
                f"satisfy constraint: Member must have value {bound}"
            )
    if not 0 <= config.maximum_retry_attempts <= 2:
        raise InvalidParameterValueException("MaximumRetryAttempts must be between 0 and 2.")
    if not 60 <= config.maximum_event_age <= 21600:
        raise InvalidParameterValueException(
            "MaximumEventAgeInSeconds must be between 60 and 21600."
        )
    if config.recursive_loop not in ("Allow", "Terminate"):
        raise ValidationException(
            f"1 validation error detected: Value '{config.recursive_loop}' at 'recursiveLoop' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[Allow, Terminate]"
        )
