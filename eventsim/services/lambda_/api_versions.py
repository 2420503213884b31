"""Lambda's version and alias operations: PublishVersion, ListVersionsByFunction, and
CreateAlias / GetAlias / ListAliases / UpdateAlias / DeleteAlias, in AWS's shapes."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from eventsim.errors import InvalidParameterValueException, ValidationException
from eventsim.services.lambda_.aliases import Alias
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.errors import FunctionNotFound, PreconditionFailedException
from eventsim.services.lambda_.models import LATEST, FunctionConfig
from eventsim.services.lambda_.packages import remove_package, snapshot_code
from eventsim.services.lambda_.rules import name_and_qualifier
from eventsim.services.lambda_.shapes import decode_marker, encode_marker

__all__ = ["VersionsAndAliases", "alias_configuration"]

_ALIAS_NAME = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$")
_DEFAULT_MAX_ITEMS = 50


def alias_configuration(alias: Alias, revision_id: str | None = None) -> dict[str, Any]:
    """AWS's AliasConfiguration (RoutingConfig only when the alias routes)."""
    result: dict[str, Any] = {
        "AliasArn": alias.arn,
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
        "RevisionId": revision_id or alias.revision_id,
    }
    if alias.weights:
        result["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.weights)}
    return result


class VersionsAndAliases(LambdaAPIBase):
    """The version and alias operations of `LambdaAPI`."""

    async def publish_version(
        self, *, function_name: str, code_sha256: str | None = None,
        description: str | None = None, revision_id: str | None = None,
    ) -> dict[str, Any]:
        """PublishVersion: ``$LATEST``'s code and configuration as the next version, unless
        nothing changed since the last one (then that one, as AWS answers)."""
        name, _ = name_and_qualifier(function_name, None)
        latest = self.functions.resolve(name)
        await self._check_revision(latest, revision_id)
        version = await self._publish(latest, description, code_sha256)
        # A new version is created like a function (Pending in this answer); an unchanged
        # function answers the version it already has.
        made = int(version.version) > latest.last_published
        return await self._configuration(version, "create" if made else None)

    async def _publish(self, latest: FunctionConfig, description: str | None,
                       code_sha256: str | None = None) -> FunctionConfig:
        size, digest = await self._code_facts(latest, fresh=True)
        if code_sha256 is not None and code_sha256 != digest:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
                f"({digest}). Please try again with the CodeSHA256 in $LATEST.", Type="User")
        content = self._content(latest, digest)
        if latest.published_revision == content and latest.last_published:
            try:
                return self.functions.resolve(latest.name, str(latest.last_published))
            except FunctionNotFound:
                pass  # that version was deleted: publish a new one
        root = self._root()
        snapshot = await asyncio.to_thread(snapshot_code, root, latest.name, latest.code_dir)
        try:
            return await self.functions.publish_version(
                latest.name, code_dir=snapshot, code_size=size, code_sha256=digest,
                description=description, published_revision=content)
        except BaseException:
            await asyncio.to_thread(remove_package, root, str(snapshot))
            raise

    async def list_versions_by_function(
        self, *, function_name: str, marker: str | None = None, max_items: int | None = None,
    ) -> dict[str, Any]:
        """``$LATEST`` first, then the published versions in order, with qualified ARNs."""
        name, _ = name_and_qualifier(function_name, None)
        latest = self.functions.resolve(name)
        limit = _page_size(max_items)
        configs = [self.functions.resolve(latest.name, LATEST)] + [
            self.functions.resolve(latest.name, v.version)
            for v in self.functions.versions(latest.name)]
        start = 0
        if marker:
            after = decode_marker(marker)
            start = next((i + 1 for i, c in enumerate(configs) if c.version == after),
                         len(configs))
        page = configs[start:start + limit]
        result: dict[str, Any] = {"Versions": [await self._configuration(c) for c in page]}
        if start + limit < len(configs):
            result["NextMarker"] = encode_marker(page[-1].version)
        return result

    async def _remove_code(self, versions: list[FunctionConfig]) -> None:
        root = self.code_root or self._temporary
        if root is None:
            return
        for version in versions:
            await asyncio.to_thread(remove_package, root, version.code_dir)

    # -- aliases ---------------------------------------------------------------------------

    async def create_alias(
        self, *, function_name: str, name: str, function_version: str,
        description: str | None = None, routing_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        _check_alias_name(name)
        function, _ = name_and_qualifier(function_name, None)
        alias = await self.functions.create_alias(
            function, name, function_version=function_version, description=description or "",
            weights=(routing_config or {}).get("AdditionalVersionWeights") or {})
        return alias_configuration(alias)

    async def get_alias(self, *, function_name: str, name: str) -> dict[str, Any]:
        function, _ = name_and_qualifier(function_name, None)
        return alias_configuration(self.functions.get_alias(function, name))

    async def list_aliases(
        self, *, function_name: str, function_version: str | None = None,
        marker: str | None = None, max_items: int | None = None,
    ) -> dict[str, Any]:
        function, _ = name_and_qualifier(function_name, None)
        limit = _page_size(max_items)
        aliases = [a for a in self.functions.aliases(function)
                   if function_version is None or a.function_version == function_version]
        start = 0
        if marker:
            after = decode_marker(marker)
            start = next((i for i, a in enumerate(aliases) if a.name > after), len(aliases))
        page = aliases[start:start + limit]
        result: dict[str, Any] = {"Aliases": [alias_configuration(a) for a in page]}
        if start + limit < len(aliases):
            result["NextMarker"] = encode_marker(page[-1].name)
        return result

    async def update_alias(
        self, *, function_name: str, name: str, function_version: str | None = None,
        description: str | None = None, routing_config: dict[str, Any] | None = None,
        revision_id: str | None = None,
    ) -> dict[str, Any]:
        """UpdateAlias; an empty RoutingConfig (or AdditionalVersionWeights) stops routing."""
        function, _ = name_and_qualifier(function_name, None)
        current = self.functions.get_alias(function, name)
        if revision_id is not None and revision_id != current.revision_id:
            raise PreconditionFailedException()
        weights = None if routing_config is None else (
            routing_config.get("AdditionalVersionWeights") or {})
        alias = await self.functions.update_alias(
            function, name, function_version=function_version, description=description,
            weights=weights)
        return alias_configuration(alias)

    async def delete_alias(self, *, function_name: str, name: str) -> None:
        function, _ = name_and_qualifier(function_name, None)
        await self.functions.delete_alias(function, name)


def _check_alias_name(name: str) -> None:
    if not _ALIAS_NAME.match(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)")


def _page_size(max_items: int | None) -> int:
    limit = _DEFAULT_MAX_ITEMS if max_items is None else max_items
    if not 1 <= limit <= 10000:
        raise ValidationException(
            f"1 validation error detected: Value '{limit}' at 'maxItems' failed to satisfy "
            "constraint: Member must have value between 1 and 10000")
    return limit
