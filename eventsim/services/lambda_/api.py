"""Lambda's API as AWS names it, for the gateway: one method per operation, AWS's output shapes.

`LambdaService` keeps the Python-friendly API (``create_function(name=..., code_dir=...)``) and
is the one implementation; `LambdaAPI` only translates: it reads the function's name and
qualifier the ways AWS accepts them (name, ``name:qualifier``, partial and full ARNs), calls
the service, and shapes what comes back as botocore's parser would (``FunctionConfiguration``,
Invoke's status code, headers and raw payload).

Operations of other objects can be exposed through the same endpoint (the event source mapping
service): `LambdaAPI(functions, mappings=...)` forwards the operation names listed in
`MAPPING_OPERATIONS` to it, so the gateway's dispatcher finds them as methods of this object.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from pathlib import Path
from typing import Any, Literal, cast

from eventsim.errors import (
    InvalidParameterValueException,
    NotImplementedOperation,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
    ValidationException,
)
from eventsim.services.lambda_.api_versions import VersionsAndAliases
from eventsim.services.lambda_.errors import (
    FunctionAlreadyExists,
    FunctionNotFound,
    InvalidRequestContentException,
)
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.packages import remove_package, unpack_zip
from eventsim.services.lambda_.rules import (
    check_role,
    check_tags,
    check_variables,
    dead_letter_arn,
    destinations,
    name_and_qualifier,
)
from eventsim.services.lambda_.service import LambdaService
from eventsim.services.lambda_.shapes import (
    LATEST,
    decode_marker,
    encode_marker,
    event_invoke_config,
    statement,
)

__all__ = ["MAPPING_OPERATIONS", "LambdaAPI"]

MAPPING_OPERATIONS = frozenset({
    "create_event_source_mapping",
    "delete_event_source_mapping",
    "get_event_source_mapping",
    "list_event_source_mappings",
    "update_event_source_mapping",
})
"""The operations forwarded to the `mappings` object, when it has them."""

_LOG_TAIL_BYTES = 4096
_MAX_CLIENT_CONTEXT = 3583
_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")
_DEFAULT_MAX_ITEMS = 50
# AWS's default quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
_TOTAL_CODE_SIZE = 80 * 1024**3
_CODE_SIZE_UNZIPPED = 250 * 1024**2
_CODE_SIZE_ZIPPED = 50 * 1024**2
_CONCURRENT_EXECUTIONS = 1000
_MIN_UNRESERVED = 100


class LambdaAPI(VersionsAndAliases):
    """The Lambda operations the gateway dispatches to, implemented by `LambdaService`."""

    def __init__(
        self,
        functions: LambdaService,
        mappings: object | None = None,
        *,
        code_root: Path | None = None,
    ) -> None:
        super().__init__(functions, code_root=code_root)
        self.mappings = mappings

    def __getattr__(self, name: str) -> Any:
        # Only the listed operations are forwarded, so the dispatcher never finds anything
        # else of the mappings object by accident.
        if name in MAPPING_OPERATIONS and self.mappings is not None:
            return getattr(self.mappings, name)
        raise AttributeError(name)

    # -- functions -------------------------------------------------------------------------

    async def create_function(
        self,
        *,
        function_name: str,
        role: str,
        code: dict[str, Any],
        runtime: str | None = None,
        handler: str | None = None,
        description: str | None = None,
        timeout: int | None = None,
        memory_size: int | None = None,
        publish: bool | None = None,
        package_type: str | None = None,
        environment: dict[str, Any] | None = None,
        architectures: list[str] | None = None,
        tags: dict[str, str] | None = None,
        dead_letter_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """CreateFunction with a zip (``Code.ZipFile``) of a Python function: the zip is
        unpacked under `code_root` and the function defined on that directory."""
        check_role(role)
        if package_type not in (None, "Zip"):
            raise NotImplementedOperation("eventsim runs Zip packages only, not container images")
        if architectures not in (None, ["x86_64"]):
            raise NotImplementedOperation("eventsim reports the x86_64 architecture only")
        if runtime is None or handler is None:
            raise InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages.", Type="User",
            )
        zipped = code.get("ZipFile")
        if zipped is None:
            given = ", ".join(sorted(code)) or "nothing"
            raise NotImplementedOperation(
                f"eventsim takes a function's code as Code.ZipFile only (given: {given})"
            )
        variables = {str(k): str(v) for k, v in
                     ((environment or {}).get("Variables") or {}).items()}
        check_variables(variables)
        check_tags(tags or {})
        dead_letter_target = dead_letter_arn(dead_letter_config)
        if self.functions.exists(function_name):
            raise FunctionAlreadyExists(function_name)  # before unpacking anything
        code_dir = await asyncio.to_thread(unpack_zip, self._root(), function_name, zipped)
        try:
            config = await self.functions.create_function(
                name=function_name, handler=handler, code_dir=code_dir, runtime=runtime,
                timeout=3 if timeout is None else timeout,
                memory_size=128 if memory_size is None else memory_size,
                environment=variables, role=role, description=description or "",
                tags=tags, dead_letter_target=dead_letter_target,
            )
        except BaseException:
            await asyncio.to_thread(remove_package, self._root(), str(code_dir))
            raise
        if publish:
            # Publish=True answers with the new version's configuration, as AWS does.
            return await self._configuration(await self._publish(config, None), "create")
        return await self._configuration(config, "create")

    async def update_function_configuration(
        self,
        *,
        function_name: str,
        role: str | None = None,
        handler: str | None = None,
        description: str | None = None,
        timeout: int | None = None,
        memory_size: int | None = None,
        environment: dict[str, Any] | None = None,
        runtime: str | None = None,
        dead_letter_config: dict[str, Any] | None = None,
        revision_id: str | None = None,
    ) -> dict[str, Any]:
        """Changes ``$LATEST`` only: published versions are immutable."""
        config = await self._latest(function_name)
        await self._check_revision(config, revision_id)
        changes: dict[str, Any] = {}
        if role is not None:
            check_role(role)
            changes["role"] = role
        if environment is not None:
            variables = {str(k): str(v)
                         for k, v in (environment.get("Variables") or {}).items()}
            check_variables(variables)
            changes["environment"] = variables
        if dead_letter_config is not None:
            # An empty TargetArn removes the dead-letter queue.
            changes["dead_letter_target"] = dead_letter_arn(dead_letter_config)
        for field, value in (("handler", handler), ("description", description),
                             ("timeout", timeout), ("memory_size", memory_size),
                             ("runtime", runtime)):
            if value is not None:
                changes[field] = value
        config = await self.functions.update_function(config.name, **changes)
        return await self._configuration(config, "update")

    async def update_function_code(
        self,
        *,
        function_name: str,
        zip_file: bytes | None = None,
        architectures: list[str] | None = None,
        publish: bool | None = None,
        dry_run: bool | None = None,
        revision_id: str | None = None,
    ) -> dict[str, Any]:
        """UpdateFunctionCode with a zip: unpacked beside the others, the old one removed."""
        config = await self._latest(function_name)
        await self._check_revision(config, revision_id)
        if architectures not in (None, ["x86_64"]):
            raise NotImplementedOperation("eventsim reports the x86_64 architecture only")
        if zip_file is None:
            raise InvalidParameterValueException(
                "Please provide a source for function code.", Type="User"
            )
        if dry_run:
            return await self._configuration(config)
        root = self._root()
        code_dir = await asyncio.to_thread(unpack_zip, root, config.name, zip_file)
        old = config.code_dir
        try:
            config = await self.functions.update_function(config.name, code_dir=code_dir)
        except BaseException:
            if str(code_dir) != old:
                await asyncio.to_thread(remove_package, root, str(code_dir))
            raise
        if old != config.code_dir:
            await asyncio.to_thread(remove_package, root, old)
        if publish:
            return await self._configuration(await self._publish(config, None), "create")
        return await self._configuration(config, "update")

    async def put_function_concurrency(
        self, *, function_name: str, reserved_concurrent_executions: int
    ) -> dict[str, Any]:
        config = await self._latest(function_name)
        others = sum(f.reserved_concurrency or 0 for f in await self.functions.list_functions()
                     if f.name != config.name)
        if reserved_concurrent_executions < 0:
            raise ValidationException(
                f"1 validation error detected: Value '{reserved_concurrent_executions}' at "
                "'reservedConcurrentExecutions' failed to satisfy constraint: Member must have "
                "value greater than or equal to 0"
            )
        if _CONCURRENT_EXECUTIONS - others - reserved_concurrent_executions < _MIN_UNRESERVED:
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{_MIN_UNRESERVED}].",
                Type="User",
            )
        await self.functions.update_function(
            config.name, reserved_concurrency=reserved_concurrent_executions)
        return {"ReservedConcurrentExecutions": reserved_concurrent_executions}

    async def get_function_concurrency(self, *, function_name: str) -> dict[str, Any]:
        config = await self._latest(function_name)
        return {"ReservedConcurrentExecutions": config.reserved_concurrency}

    async def delete_function_concurrency(self, *, function_name: str) -> None:
        config = await self._latest(function_name)
        await self.functions.update_function(config.name, reserved_concurrency=None)

    async def get_function(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        config = await self._function(function_name, qualifier)
        result: dict[str, Any] = {"Configuration": await self._configuration(config)}
        tags = self.functions.resolve(config.name).tags  # tags are the function's
        if tags:
            result["Tags"] = dict(tags)
        if config.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": config.reserved_concurrency}
        return result

    async def get_function_configuration(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        return await self._configuration(await self._function(function_name, qualifier))

    async def list_functions(
        self, *, function_version: str | None = None, marker: str | None = None,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        if function_version is not None and function_version != "ALL":
            raise ValidationException(
                f"1 validation error detected: Value '{function_version}' at 'functionVersion' "
                "failed to satisfy constraint: Member must satisfy enum value set: [ALL]"
            )
        limit = _DEFAULT_MAX_ITEMS if max_items is None else max_items
        if not 1 <= limit <= 10000:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'maxItems' failed to satisfy "
                "constraint: Member must have value between 1 and 10000"
            )
        functions = await self.functions.list_functions()
        if function_version == "ALL":
            # Every published version after its function's $LATEST, all by qualified ARN.
            functions = [entry for f in functions for entry in (
                [self.functions.resolve(f.name, LATEST)]
                + [self.functions.resolve(f.name, v.version)
                   for v in self.functions.versions(f.name)])]
        keys = [_listing_key(f) for f in functions]
        start = 0
        if marker:
            after = decode_marker(marker)
            start = next((i for i, key in enumerate(keys) if key > _marker_key(after)),
                         len(functions))
        page = functions[start : start + limit]
        result: dict[str, Any] = {
            "Functions": [await self._configuration(config) for config in page],
        }
        if start + limit < len(functions):
            last = page[-1]
            result["NextMarker"] = encode_marker(
                last.name if function_version is None else f"{last.name}:{last.version}")
        return result

    async def delete_function(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        """DeleteFunction: the function with its versions and aliases, or (with a version
        number as qualifier) that version only."""
        name, qualifier = name_and_qualifier(function_name, qualifier)
        if qualifier == LATEST:
            raise InvalidParameterValueException(
                "$LATEST version cannot be deleted without deleting the function.", Type="User"
            )
        if qualifier is not None:
            self.functions.resolve(name, qualifier)  # FunctionNotFound, as AWS answers
            if not qualifier.isdigit():
                raise InvalidParameterValueException(
                    "Deletion of aliases is not supported.", Type="User")
            await self._remove_code([await self.functions.delete_version(name, qualifier)])
            return {"StatusCode": 204}
        config = self.functions.resolve(name)
        await self._remove_code(await self.functions.delete_function(config.name))
        self._code.pop(config.arn, None)
        root = self.code_root or self._temporary
        if root is not None:
            await asyncio.to_thread(remove_package, root, config.code_dir)
        return {"StatusCode": 204}

    async def get_account_settings(self) -> dict[str, Any]:
        functions = await self.functions.list_functions()
        sizes = [(await self._code_facts(config))[0] for config in functions]
        reserved = sum(f.reserved_concurrency or 0 for f in functions)
        return {
            "AccountLimit": {
                "TotalCodeSize": _TOTAL_CODE_SIZE,
                "CodeSizeUnzipped": _CODE_SIZE_UNZIPPED,
                "CodeSizeZipped": _CODE_SIZE_ZIPPED,
                "ConcurrentExecutions": _CONCURRENT_EXECUTIONS,
                "UnreservedConcurrentExecutions": _CONCURRENT_EXECUTIONS - reserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(sizes), "FunctionCount": len(functions)},
        }

    # -- tags ------------------------------------------------------------------------------

    async def tag_resource(self, *, resource: str, tags: dict[str, str]) -> None:
        config = await self._tagged(resource)
        check_tags({**config.tags, **tags})
        await self.functions.set_tags(config.name, {**config.tags, **tags})

    async def untag_resource(self, *, resource: str, tag_keys: list[str]) -> None:
        config = await self._tagged(resource)
        await self.functions.set_tags(
            config.name, {k: v for k, v in config.tags.items() if k not in tag_keys})

    async def list_tags(self, *, resource: str) -> dict[str, Any]:
        return {"Tags": dict((await self._tagged(resource)).tags)}

    # -- resource policy ---------------------------------------------------------------------

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

    # -- invoking --------------------------------------------------------------------------

    async def invoke(
        self,
        *,
        function_name: str,
        invocation_type: str | None = None,
        log_type: str | None = None,
        payload: bytes | None = None,
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        kind = invocation_type or "RequestResponse"
        if kind not in _INVOCATION_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{kind}' at 'invocationType' failed to "
                "satisfy constraint: Member must satisfy enum value set: "
                "[Event, RequestResponse, DryRun]"
            )
        if log_type is not None and log_type not in _LOG_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{log_type}' at 'logType' failed to "
                "satisfy constraint: Member must satisfy enum value set: [None, Tail]"
            )
        context = _client_context(client_context) if client_context is not None else None
        config = await self._function(function_name, qualifier)
        record = await self.functions.invoke(
            config.ref, payload or None,
            invocation_type=cast(Literal["RequestResponse", "Event", "DryRun"], kind),
            client_context=context,
        )
        if kind == "Event":
            return {"StatusCode": 202, "Payload": b""}
        if kind == "DryRun" or record is None:
            return {"StatusCode": 204, "Payload": b""}
        if record.status == "Throttled":
            raise TooManyRequestsException(
                "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
                Type="User",
            )
        result: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": record.version}
        if record.status == "Success":
            result["Payload"] = (record.result or "null").encode()
        else:
            result["FunctionError"] = "Unhandled"
            result["Payload"] = _json_bytes(record.error or {})
        if log_type == "Tail":
            tail = record.logs.encode()[-_LOG_TAIL_BYTES:]
            result["LogResult"] = base64.b64encode(tail).decode("ascii")
        return result

    async def invoke_async(self, *, function_name: str, invoke_args: bytes) -> dict[str, Any]:
        """The deprecated InvokeAsync: an Event invocation answered 202."""
        config = await self._function(function_name, None)
        await self.functions.invoke(config.ref, invoke_args or None, invocation_type="Event")
        return {"Status": 202}

    # -- asynchronous invocation settings --------------------------------------------------

    async def put_function_event_invoke_config(
        self,
        *,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if (maximum_retry_attempts is None and maximum_event_age_in_seconds is None
                and destination_config is None):
            raise InvalidParameterValueException(
                "You must specify at least one of error handling or destination setting.",
                Type="User",
            )
        config = await self._existing(function_name, qualifier)
        on_success, on_failure = destinations(destination_config or {})
        config = await self.functions.set_event_invoke_config(
            config.name, qualifier=config.invoked_qualifier,
            maximum_retry_attempts=maximum_retry_attempts,
            maximum_event_age=maximum_event_age_in_seconds, on_success=on_success,
            on_failure=on_failure,
        )
        return event_invoke_config(config)

    async def update_function_event_invoke_config(
        self,
        *,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if (maximum_retry_attempts is None and maximum_event_age_in_seconds is None
                and destination_config is None):
            raise InvalidParameterValueException(
                "You must specify at least one of error handling or destination setting.",
                Type="User",
            )
        config = await self._existing(function_name, qualifier)
        if config.event_invoke_config_at is None:
            raise _no_event_invoke_config(config)
        on_success, on_failure = config.on_success, config.on_failure
        if destination_config is not None:
            given_success, given_failure = destinations(destination_config)
            if "OnSuccess" in destination_config:
                on_success = given_success
            if "OnFailure" in destination_config:
                on_failure = given_failure
        given = config.event_invoke_config_given
        config = await self.functions.set_event_invoke_config(
            config.name, qualifier=config.invoked_qualifier,
            maximum_retry_attempts=(
                config.maximum_retry_attempts
                if maximum_retry_attempts is None and "maximum_retry_attempts" in given
                else maximum_retry_attempts),
            maximum_event_age=(
                config.maximum_event_age
                if maximum_event_age_in_seconds is None and "maximum_event_age" in given
                else maximum_event_age_in_seconds),
            on_success=on_success, on_failure=on_failure,
        )
        return event_invoke_config(config)

    async def get_function_event_invoke_config(
        self, *, function_name: str, qualifier: str | None = None
    ) -> dict[str, Any]:
        config = await self._configured(function_name, qualifier)
        return event_invoke_config(config)

    async def list_function_event_invoke_configs(
        self, *, function_name: str, marker: str | None = None, max_items: int | None = None,
    ) -> dict[str, Any]:
        config = await self._existing(function_name, None)
        qualifiers = [v.version for v in self.functions.versions(config.name)] + [
            a.name for a in self.functions.aliases(config.name)]
        qualified = [config] + [self.functions.resolve(config.name, q) for q in qualifiers]
        configs = [c for c in qualified if c.event_invoke_config_at is not None]
        return {"FunctionEventInvokeConfigs": [event_invoke_config(c) for c in configs]}

    async def delete_function_event_invoke_config(
        self, *, function_name: str, qualifier: str | None = None
    ) -> None:
        config = await self._configured(function_name, qualifier)
        await self.functions.delete_event_invoke_config(config.name, config.invoked_qualifier)

    # -- helpers ---------------------------------------------------------------------------

    async def _tagged(self, resource: str) -> FunctionConfig:
        """The function a tagging request names: by its unqualified ARN only, as AWS takes it."""
        parts = resource.split(":")
        if not (resource.startswith("arn:") and len(parts) >= 7):
            raise ValidationException(
                f"1 validation error detected: Value '{resource}' at 'resource' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
                "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|"
                "event-source-mapping:[0-9a-fA-F-]{36})"
            )
        if parts[5] != "function":
            raise NotImplementedOperation(
                f"eventsim tags functions only, not {parts[5]} resources, yet")
        if len(parts) > 7:
            raise InvalidParameterValueException(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN.", Type="User",
            )
        return await self.functions.get_function(parts[6])

    async def _latest(self, function_name: str) -> FunctionConfig:
        """``$LATEST`` of the function a request names, for operations that change it."""
        name, _ = name_and_qualifier(function_name, None)
        return self.functions.resolve(name)

    async def _configured(self, function_name: str, qualifier: str | None) -> FunctionConfig:
        name, qualifier = name_and_qualifier(function_name, qualifier)
        try:
            config: FunctionConfig | None = self.functions.resolve(name, qualifier)
        except FunctionNotFound:
            config = None
        if config is None or config.event_invoke_config_at is None:
            arn = f"{self.functions.arn(name)}:{qualifier or LATEST}"
            raise ResourceNotFoundException(
                f"The function {arn} doesn't have an EventInvokeConfig", Type="User"
            )
        return config

def _listing_key(config: FunctionConfig) -> tuple[str, int]:
    """Where a function (or one of its versions) sits in ListFunctions' order."""
    return config.name, -1 if config.version == LATEST else int(config.version)


def _marker_key(marker: str) -> tuple[str, int]:
    """The listing key a NextMarker continues after (``name``, or ``name:version``)."""
    name, _, version = marker.partition(":")
    if version and version != LATEST:
        return name, int(version) if version.isdigit() else -1
    # A plain name continues after every entry of that function.
    return (name, -1) if version else (name, 1 << 62)


def _client_context(text: str) -> dict[str, Any]:
    """X-Amz-Client-Context: base64 JSON of at most 3,583 bytes (AWS's limit)."""
    if len(text) > _MAX_CLIENT_CONTEXT:
        raise InvalidRequestContentException(
            f"Client context must be at most {_MAX_CLIENT_CONTEXT} bytes, base64-encoded.")
    try:
        value = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, dict):
        raise InvalidRequestContentException(
            "Client context must be a base64-encoded JSON object.")
    return value


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def _no_event_invoke_config(config: FunctionConfig) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"The function {config.arn}:{config.invoked_qualifier or LATEST} doesn't have an "
        "EventInvokeConfig", Type="User"
    )


