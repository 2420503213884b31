"""Lambda layers: published versions of shared content that functions add to their code.

Lambda extracts a function's layers into ``/opt``, in order (a later layer's files win), and
its runtimes look there after the function's own code: Python in ``python/`` and
``python/lib/pythonX.Y/site-packages/``, Node.js in ``nodejs/node_modules/``, a custom runtime
in ``bin/`` (and its ``bootstrap`` may come from a layer). Here a layer version is a directory
(a published zip unpacked, or a SAM ``ContentUri``), and the runtimes search the directories
of a function's layers in the same places and the same order (`search_paths`).

Versions are numbered from 1 per layer name and never reused; a deleted version stays usable
by the functions that already have it, as on AWS. Only this account's layers exist: a layer
ARN of another account (a public layer such as Powertools') cannot be fetched.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eventsim.errors import InvalidParameterValueException, ResourceNotFoundException
from eventsim.services.base import ServiceContext

__all__ = ["MAX_LAYERS", "LayerOperations", "LayerVersion", "search_paths"]

MAX_LAYERS = 5
"""Layers a function may have."""


@dataclass(frozen=True)
class LayerVersion:
    """One published version of a layer."""

    name: str
    version: int
    arn: str
    """The version's ARN: ``arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION``."""
    content_dir: str
    created_at: float
    description: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    code_size: int = 0
    code_sha256: str = ""

    @property
    def layer_arn(self) -> str:
        """The layer's ARN, without the version."""
        return self.arn.rpartition(":")[0]

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> LayerVersion:
        return cls(**json.loads(text))


def search_paths(layer_dirs: list[str], runtime: str) -> list[str]:
    """Where a runtime looks for code in a function's layers, first place first (the last
    layer first: its files are extracted last, over the others')."""
    paths: list[str] = []
    for directory in reversed(layer_dirs):
        root = Path(directory)
        if runtime.startswith("python"):
            version = runtime.removeprefix("python")
            paths += [str(root / "python" / "lib" / f"python{version}" / "site-packages"),
                      str(root / "python")]
        elif runtime.startswith("nodejs"):
            paths += [str(root / "nodejs" / f"node{runtime.removeprefix('nodejs')[:2]}"
                          / "node_modules"), str(root / "nodejs" / "node_modules")]
        else:
            paths.append(str(root / "bin"))
    return [p for p in paths if Path(p).is_dir()]


class LayerOperations:
    """Publishing, reading and deleting layer versions (a part of `LambdaService`)."""

    _ctx: ServiceContext

    _layers: dict[str, dict[int, LayerVersion]]
    _deleted_layers: set[tuple[str, int]]

    async def load_layers(self) -> None:
        """Read every layer version (called at start)."""
        rows = await self._ctx.db.read(lambda c: c.execute(
            "SELECT name, version, config, deleted FROM lambda_layer_versions "
            "ORDER BY name, version").fetchall())
        self._layers, self._deleted_layers = {}, set()
        for r in rows:
            self._layers.setdefault(r["name"], {})[r["version"]] = \
                LayerVersion.from_json(r["config"])
            if r["deleted"]:
                self._deleted_layers.add((r["name"], r["version"]))

    def layer_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._ctx.region}:{self._ctx.account_id}:layer:{name}"

    async def publish_layer_version(
        self, *, name: str, content_dir: str | Path, description: str = "",
        compatible_runtimes: list[str] | None = None,
        compatible_architectures: list[str] | None = None, license_info: str | None = None,
        code_size: int = 0, code_sha256: str = "",
    ) -> LayerVersion:
        """Publish a directory as the layer's next version."""
        resolved = await asyncio.to_thread(_existing_dir, Path(content_dir))
        number = max(self._layers.get(name, {}), default=0) + 1
        layer = LayerVersion(
            name=name, version=number, arn=f"{self.layer_arn(name)}:{number}",
            content_dir=resolved, created_at=self._ctx.clock.time(),
            description=description, compatible_runtimes=list(compatible_runtimes or []),
            compatible_architectures=list(compatible_architectures or []),
            license_info=license_info, code_size=code_size, code_sha256=code_sha256)
        await self._ctx.db.write(lambda c: c.execute(
            "INSERT INTO lambda_layer_versions (name, version, config) VALUES (?,?,?)",
            (name, number, layer.to_json())))
        self._layers.setdefault(name, {})[number] = layer
        return layer

    def layer_versions(self, name: str) -> list[LayerVersion]:
        """The layer's versions that are not deleted, newest first."""
        return [v for n, v in sorted(self._layers.get(name, {}).items(), reverse=True)
                if (name, n) not in self._deleted_layers]

    def layer_names(self) -> list[str]:
        """The layers that have a version that is not deleted, by name."""
        return sorted(name for name in self._layers if self.layer_versions(name))

    def layer_version(self, name: str, version: int) -> LayerVersion:
        """One version (ResourceNotFoundException if it does not exist or was deleted)."""
        layer = self._layers.get(name, {}).get(version)
        if layer is None or (name, version) in self._deleted_layers:
            raise ResourceNotFoundException(
                "The resource you requested does not exist.", Type="User")
        return layer

    def layer_size(self, arn: str) -> int:
        """The CodeSize of a layer version a function has (0 if it is not known)."""
        parts = arn.split(":")
        if len(parts) != 8 or not parts[7].isdigit():
            return 0
        layer = self._layers.get(parts[6], {}).get(int(parts[7]))
        return layer.code_size if layer is not None else 0

    async def delete_layer_version(self, name: str, version: int) -> None:
        """Delete a version (no error when there is none, as on AWS)."""
        if version not in self._layers.get(name, {}) or (name, version) in self._deleted_layers:
            return
        await self._ctx.db.write(lambda c: c.execute(
            "UPDATE lambda_layer_versions SET deleted = 1 WHERE name = ? AND version = ?",
            (name, version)))
        self._deleted_layers.add((name, version))

    def layer_dirs(self, arns: list[str]) -> list[str]:
        """The content directories of a function's layers, by their version ARNs, checked as
        CreateFunction checks them."""
        if len(arns) > MAX_LAYERS:
            raise InvalidParameterValueException(
                f"Cannot reference more than {MAX_LAYERS} layers.", Type="User")
        names: set[str] = set()
        dirs: list[str] = []
        for arn in arns:
            parts = arn.split(":")
            if len(parts) != 8 or parts[2] != "lambda" or parts[5] != "layer" \
                    or not parts[7].isdigit():
                raise InvalidParameterValueException(
                    f"Layer version arn {arn} is not a layer version ARN.", Type="User")
            account, name, version = parts[4], parts[6], int(parts[7])
            if account != self._ctx.account_id:
                raise InvalidParameterValueException(
                    f"eventsim cannot fetch layer {arn} of another account: publish its "
                    "content to eventsim (PublishLayerVersion), or install its packages "
                    "where the handler runs.", Type="User")
            if name in names:
                raise InvalidParameterValueException(
                    "Two different versions of the same layer are not allowed to be "
                    "referenced in the same function.", Type="User")
            names.add(name)
            layer = self._layers.get(name, {}).get(version)
            if layer is None:
                raise InvalidParameterValueException(
                    f"Layer version {arn} does not exist.", Type="User")
            dirs.append(layer.content_dir)
        return dirs


def _existing_dir(path: Path) -> str:
    if not path.is_dir():
        raise InvalidParameterValueException(
            f"Layer content directory {path} does not exist.", Type="User")
    return str(path.resolve())
