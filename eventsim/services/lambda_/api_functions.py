"""Lambda's function operations: CreateFunction, UpdateFunctionConfiguration,
UpdateFunctionCode, GetFunction, GetFunctionConfiguration, ListFunctions and DeleteFunction, in
AWS's shapes. A function's code arrives as a zip, unpacked under the API's code root."""

from __future__ import annotations

import asyncio
from typing import Any

from eventsim.errors import (
    InvalidParameterValueException,
    NotImplementedOperation,
    ValidationException,
)
from eventsim.services.lambda_.api_versions import VersionsAndAliases
from eventsim.services.lambda_.errors import FunctionAlreadyExists
from eventsim.services.lambda_.models import FunctionConfig
from eventsim.services.lambda_.packages import remove_package, unpack_zip
from eventsim.services.lambda_.rules import (
    check_role,
    check_tags,
    check_variables,
    dead_letter_arn,
    name_and_qualifier,
)
from eventsim.services.lambda_.shapes import LATEST, decode_marker, encode_marker

__all__ = ["FunctionLifecycle"]

_DEFAULT_MAX_ITEMS = 50


class FunctionLifecycle(VersionsAndAliases):
    """The operations that create, change, read, list and delete functions (publishing, when
    asked, through `VersionsAndAliases`)."""

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
        layers: list[str] | None = None,
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
                tags=tags, dead_letter_target=dead_letter_target, layers=layers,
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
        layers: list[str] | None = None,
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
                             ("runtime", runtime), ("layers", layers)):
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
