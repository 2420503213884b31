"""Lambda's layer operations: PublishLayerVersion (a zip), Get/List/DeleteLayerVersion(s),
GetLayerVersionByArn and ListLayers, over `LayerOperations`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from typing import Any

from eventsim.errors import (
    InvalidParameterValueException,
    NotImplementedOperation,
    ValidationException,
)
from eventsim.services.lambda_.api_base import LambdaAPIBase
from eventsim.services.lambda_.layers import LayerVersion
from eventsim.services.lambda_.packages import unpack_zip
from eventsim.services.lambda_.shapes import decode_marker, encode_marker, lambda_date

__all__ = ["Layers"]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,140}$")


class Layers(LambdaAPIBase):
    """Layers and their versions, in AWS's shapes."""

    async def publish_layer_version(
        self, *, layer_name: str, content: dict[str, Any], description: str | None = None,
        compatible_runtimes: list[str] | None = None, license_info: str | None = None,
        compatible_architectures: list[str] | None = None,
    ) -> dict[str, Any]:
        """PublishLayerVersion from ``Content.ZipFile``: the zip is unpacked under
        `code_root` as the version's content."""
        name = self._layer_name(layer_name)
        zipped = content.get("ZipFile")
        if zipped is None:
            given = ", ".join(sorted(content)) or "nothing"
            raise NotImplementedOperation(
                f"eventsim takes a layer's content as Content.ZipFile only (given: {given})")
        # Named after the layer and the zip's digest: the same content unpacks once.
        directory = await asyncio.to_thread(unpack_zip, self._root(), f"layer-{name}", zipped)
        layer = await self.functions.publish_layer_version(
            name=name, content_dir=directory, description=description or "",
            compatible_runtimes=compatible_runtimes,
            compatible_architectures=compatible_architectures, license_info=license_info,
            code_size=len(zipped),
            code_sha256=base64.b64encode(hashlib.sha256(zipped).digest()).decode("ascii"))
        return _version(layer, with_content=True)

    async def get_layer_version(self, *, layer_name: str, version_number: int) -> dict[str, Any]:
        layer = self.functions.layer_version(self._layer_name(layer_name), version_number)
        return _version(layer, with_content=True)

    async def get_layer_version_by_arn(self, *, arn: str) -> dict[str, Any]:
        parts = arn.split(":")
        if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
            raise ValidationException(
                f"1 validation error detected: Value '{arn}' at 'arn' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: "
                "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+")
        return await self.get_layer_version(layer_name=parts[6],
                                            version_number=int(parts[7]))

    async def list_layer_versions(
        self, *, layer_name: str, compatible_runtime: str | None = None,
        marker: str | None = None, max_items: int | None = None,
        compatible_architecture: str | None = None,
    ) -> dict[str, Any]:
        """ListLayerVersions: newest first, those compatible with what is named."""
        versions = [v for v in self.functions.layer_versions(self._layer_name(layer_name))
                    if _compatible(v, compatible_runtime, compatible_architecture)]
        page, next_marker = _page(versions, marker, max_items)
        result: dict[str, Any] = {"LayerVersions": [_version(v) for v in page]}
        if next_marker is not None:
            result["NextMarker"] = next_marker
        return result

    async def list_layers(
        self, *, compatible_runtime: str | None = None, marker: str | None = None,
        max_items: int | None = None, compatible_architecture: str | None = None,
    ) -> dict[str, Any]:
        """ListLayers: each layer with its newest compatible version."""
        layers = []
        for name in self.functions.layer_names():
            latest = next((v for v in self.functions.layer_versions(name)
                           if _compatible(v, compatible_runtime, compatible_architecture)),
                          None)
            if latest is not None:
                layers.append(latest)
        page, next_marker = _page(layers, marker, max_items)
        result: dict[str, Any] = {"Layers": [
            {"LayerName": v.name, "LayerArn": v.layer_arn,
             "LatestMatchingVersion": _version(v)} for v in page]}
        if next_marker is not None:
            result["NextMarker"] = next_marker
        return result

    async def delete_layer_version(self, *, layer_name: str, version_number: int) -> None:
        await self.functions.delete_layer_version(self._layer_name(layer_name), version_number)

    @staticmethod
    def _layer_name(given: str) -> str:
        """A layer named by its name or its ARN."""
        name = given.split(":layer:", 1)[1] if given.startswith("arn:") and ":layer:" in given \
            else given
        if not _NAME.match(name):
            raise ValidationException(
                f"1 validation error detected: Value '{given}' at 'layerName' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|"
                "[a-zA-Z0-9-_]+")
        return name


def _version(layer: LayerVersion, *, with_content: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "LayerVersionArn": layer.arn, "Version": layer.version,
        "Description": layer.description, "CreatedDate": lambda_date(layer.created_at),
        "CompatibleRuntimes": list(layer.compatible_runtimes),
        "CompatibleArchitectures": list(layer.compatible_architectures),
    }
    if layer.license_info is not None:
        item["LicenseInfo"] = layer.license_info
    if with_content:
        item["LayerArn"] = layer.layer_arn
        item["Content"] = {"Location": f"file://{layer.content_dir}",
                           "CodeSha256": layer.code_sha256, "CodeSize": layer.code_size}
    return item


def _compatible(layer: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
    # A layer that names no runtimes (or architectures) is listed for none of them, as AWS
    # filters: only a layer naming it matches a filter.
    return ((runtime is None or runtime in layer.compatible_runtimes)
            and (architecture is None or architecture in layer.compatible_architectures))


def _page(items: list[LayerVersion], marker: str | None,
          max_items: int | None) -> tuple[list[LayerVersion], str | None]:
    """A page of a listing and the NextMarker after it, as ListFunctions makes them."""
    offset = decode_marker(marker) if marker else "0"
    if not offset.isdigit():
        raise InvalidParameterValueException(f"Invalid marker: {marker}", Type="User")
    start, count = int(offset), max_items if max_items is not None else 50
    page = items[start:start + count]
    return page, (encode_marker(str(start + count)) if start + count < len(items) else None)
