"""``functions:``: each one in the vocabulary of SAM's ``AWS::Serverless::Function``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
)

from eventsim.scenario.model._base import _HANDLER, CfnString, LogicalName, _Model
from eventsim.scenario.model.events import EventSpec, OnFailureSpec


class EnvironmentSpec(_Model):
    variables: dict[str, CfnString] = Field(default_factory=dict, alias="Variables")



class AsyncDestinationConfig(_Model):
    on_success: OnFailureSpec | None = Field(default=None, alias="OnSuccess")
    on_failure: OnFailureSpec | None = Field(default=None, alias="OnFailure")



class EventInvokeConfig(_Model):
    """Asynchronous invocation settings (SAM's ``EventInvokeConfig``)."""

    maximum_retry_attempts: int = Field(default=2, ge=0, le=2, alias="MaximumRetryAttempts")
    maximum_event_age_in_seconds: int = Field(
        default=21600, ge=60, le=21600, alias="MaximumEventAgeInSeconds"
    )
    destination_config: AsyncDestinationConfig | None = Field(default=None,
                                                              alias="DestinationConfig")



class DeadLetterQueueSpec(_Model):
    """SAM's ``DeadLetterQueue``: where an asynchronous event goes after its last retry."""

    type: Literal["SQS", "SNS"] = Field(alias="Type")
    target_arn: LogicalName = Field(alias="TargetArn")
    """An ARN, or a queue (``SQS``) or topic (``SNS``) of ``resources`` by name."""


class FunctionSpec(_Model):
    """A function, in the vocabulary of SAM's ``AWS::Serverless::Function``."""

    runtime: str = Field(default="python3.12", alias="Runtime")
    handler: str = Field(alias="Handler", pattern=_HANDLER)
    """``module.function``; the module may be dotted or a path (``handlers/thumbnail.handler``)."""
    code_uri: str = Field(alias="CodeUri")
    """The code directory: relative to the scenario file's directory, else to the current one."""
    timeout: int = Field(default=3, ge=1, le=900, alias="Timeout")
    memory_size: int = Field(default=128, ge=128, le=10240, alias="MemorySize")
    environment: EnvironmentSpec = Field(default_factory=EnvironmentSpec, alias="Environment")
    reserved_concurrent_executions: int | None = Field(
        default=None, ge=0, alias="ReservedConcurrentExecutions"
    )
    event_invoke_config: EventInvokeConfig = Field(
        default_factory=EventInvokeConfig, alias="EventInvokeConfig"
    )
    dead_letter_queue: DeadLetterQueueSpec | None = Field(default=None, alias="DeadLetterQueue")
    recursive_loop: Literal["Allow", "Terminate"] = Field(default="Terminate",
                                                         alias="RecursiveLoop")
    layers: list[str] = Field(default_factory=list, alias="Layers", max_length=5)
    """Layers of ``resources.layers`` by name, or layer version ARNs, in order."""
    """``Allow`` lets a chain that has looped 16 times keep invoking the function."""
    events: dict[str, EventSpec] = Field(default_factory=dict, alias="Events")


def handler_module_path(handler: str) -> str:
    """``handlers/thumbnail.handler`` → ``handlers/thumbnail`` (module as a relative path)."""
    module = handler.rsplit(".", 1)[0]
    return re.sub(r"[./]", "/", module)
