"""The context object a Python handler receives, as AWS's runtime builds it.

Field for field, method for method, this is ``awslambdaric.lambda_context.LambdaContext``
(aws/aws-lambda-python-runtime-interface-client), including its quirks:

- `LambdaContext.memory_limit_in_mb` is a string (awslambdaric reads it from an environment
  variable);
- `LambdaContext.identity` is always an object, whose two fields are None outside Cognito;
- `LambdaContext.client_context` is None unless the invoker sent one; its ``client`` is an
  object too, and a ``w3c`` entry is taken out of it and offered through `LambdaContext.w3c`;
- ``repr()`` prints the same ``LambdaContext([aws_request_id=...,...])`` text.

Build one with `LambdaContext.from_request` (what the inline runtime does) or call the
constructor, whose arguments all have defaults, in a unit test.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventsim.runtime.base import InvokeRequest

__all__ = [
    "W3C_ALLOWED_FIELDS",
    "Client",
    "ClientContext",
    "CognitoIdentity",
    "LambdaContext",
    "new_log_stream_name",
]

W3C_ALLOWED_FIELDS = ("traceparent", "tracestate", "baggage")
"""The W3C trace-context fields `LambdaContext.w3c` may return (awslambdaric's allowlist)."""

_DEFAULT_ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"


def new_log_stream_name(version: str = "$LATEST", now: float | None = None) -> str:
    """A log stream name as Lambda gives each execution environment:
    ``YYYY/MM/DD/[<version>]<32 hex>``."""
    day = time.strftime("%Y/%m/%d", time.gmtime(time.time() if now is None else now))
    return f"{day}/[{version}]{uuid.uuid4().hex}"


class CognitoIdentity:
    """The Amazon Cognito identity that authorised the request (mobile SDK invokes only)."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(
        self, cognito_identity_id: str | None = None, cognito_identity_pool_id: str | None = None
    ) -> None:
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client:
    """``client_context.client``: the mobile application that made the call."""

    __slots__ = (
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    )

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        values = values or {}
        self.installation_id: Any = values.get("installation_id")
        self.app_title: Any = values.get("app_title")
        self.app_version_name: Any = values.get("app_version_name")
        self.app_version_code: Any = values.get("app_version_code")
        self.app_package_name: Any = values.get("app_package_name")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"installation_id={self.installation_id},"
            f"app_title={self.app_title},"
            f"app_version_name={self.app_version_name},"
            f"app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}"
            "])"
        )


class ClientContext:
    """Client context a caller passed with a synchronous invoke (``X-Amz-Client-Context``)."""

    __slots__ = ("client", "custom", "env")

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        values = values or {}
        client = values.get("client")
        # awslambdaric turns a present "client" (even an empty one) into a Client object.
        self.client: Any = Client(client) if isinstance(client, Mapping) else client
        self.custom: Any = values.get("custom")
        self.env: Any = values.get("env")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}([custom={self.custom},env={self.env},client={self.client}])"
        )


class LambdaContext:
    """What Lambda tells a handler about its invocation, function and environment."""

    aws_request_id: str
    """The invocation's request id (a UUID)."""
    log_group_name: str
    """``/aws/lambda/<function name>``."""
    log_stream_name: str
    """``YYYY/MM/DD/[$LATEST]<32 hex>``, one per execution environment."""
    function_name: str
    memory_limit_in_mb: str
    """A string, as on AWS (``"128"``)."""
    function_version: str
    invoked_function_arn: str
    client_context: ClientContext | None
    identity: CognitoIdentity
    tenant_id: str | None

    def __init__(
        self,
        *,
        aws_request_id: str | None = None,
        function_name: str = "test",
        function_version: str = "$LATEST",
        invoked_function_arn: str | None = None,
        memory_limit_in_mb: str | int = "128",
        log_group_name: str | None = None,
        log_stream_name: str | None = None,
        deadline_ms: int | None = None,
        client_context: Mapping[str, Any] | None = None,
        cognito_identity: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
        log_sink: Callable[[str], object] | None = None,
    ) -> None:
        """Every argument has a default, so ``LambdaContext()`` is a usable fake.

        ``deadline_ms`` is the epoch millisecond the invocation times out at (default: three
        seconds from now, Lambda's default timeout). ``cognito_identity`` uses the wire keys
        ``cognitoIdentityId`` / ``cognitoIdentityPoolId``. ``log_sink`` receives what
        `log` writes (default: ``sys.stdout``).
        """
        self.aws_request_id = aws_request_id or str(uuid.uuid4())
        self.log_group_name = log_group_name or f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name or new_log_stream_name(function_version)
        self.function_name = function_name
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn or _DEFAULT_ARN.format(function_name)
        self.tenant_id = tenant_id
        context = dict(client_context) if client_context is not None else None
        self._w3c_fields = _extract_w3c(context)
        self.client_context = ClientContext(context) if context is not None else None
        self.identity = CognitoIdentity()
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = (
            deadline_ms if deadline_ms is not None else int(time.time() * 1000) + 3000
        )
        self._log_sink = log_sink

    @classmethod
    def from_request(
        cls, request: InvokeRequest, *, log_sink: Callable[[str], object] | None = None
    ) -> LambdaContext:
        """The context for one invocation.

        Names come from the invocation's environment (``AWS_LAMBDA_*``), as awslambdaric reads
        them, falling back to the function's configuration.
        """
        function, env = request.function, request.environment
        name = env.get("AWS_LAMBDA_FUNCTION_NAME", function.name)
        version = env.get("AWS_LAMBDA_FUNCTION_VERSION", function.version)
        tenant_id = getattr(request, "tenant_id", None)
        stream = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        if request.client_context is None and request.identity is None and stream:
            # Every asynchronous invocation: what the constructor makes of these arguments,
            # set directly (one is made per invocation, in the handler's thread).
            context = cls.__new__(cls)
            context.aws_request_id = request.request_id or str(uuid.uuid4())
            context.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME") or f"/aws/lambda/{name}"
            context.log_stream_name = stream
            context.function_name = name
            context.memory_limit_in_mb = str(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                     str(function.memory_size)))
            context.function_version = version
            context.invoked_function_arn = (request.invoked_function_arn or function.arn
                                            or _DEFAULT_ARN.format(name))
            context.tenant_id = tenant_id
            context._w3c_fields = _NO_W3C
            context.client_context = None
            context.identity = CognitoIdentity()
            context._epoch_deadline_time_in_ms = request.deadline_ms
            context._log_sink = log_sink
            return context
        return cls(
            aws_request_id=request.request_id,
            function_name=name,
            function_version=version,
            invoked_function_arn=request.invoked_function_arn or function.arn,
            memory_limit_in_mb=env.get(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(function.memory_size)
            ),
            log_group_name=env.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}"),
            log_stream_name=env.get("AWS_LAMBDA_LOG_STREAM_NAME") or new_log_stream_name(version),
            deadline_ms=request.deadline_ms,
            client_context=request.client_context,
            cognito_identity=request.identity,
            tenant_id=tenant_id,
            log_sink=log_sink,
        )

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out; never negative."""
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def w3c(self) -> dict[str, str]:
        """The W3C trace context (``traceparent``, ``tracestate``, ``baggage``) the caller sent
        in its client context, if any."""
        return dict(self._w3c_fields)

    def log(self, msg: object) -> None:
        """Write ``str(msg)`` to the invocation's log, without adding a newline."""
        if self._log_sink is not None:
            self._log_sink(str(msg))
        else:
            sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


_NO_W3C: dict[str, str] = {}
"""The W3C fields of a context without a client context (shared: `LambdaContext.w3c` copies)."""


def _extract_w3c(client_context: dict[str, Any] | None) -> dict[str, str]:
    """Take ``w3c`` out of a (copied) client context; keep its allowlisted string fields."""
    if client_context is None or "w3c" not in client_context:
        return {}
    raw = client_context.pop("w3c")
    if not isinstance(raw, dict):
        return {}
    return {key: value for key in W3C_ALLOWED_FIELDS if isinstance(value := raw.get(key), str)}
