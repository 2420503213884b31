"""What every part of the Lambda API shares: finding the function (and version or alias) a
request names, its RevisionId, its code's size and digest, and the FunctionConfiguration
shape."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from eventsim.errors import InvalidParameterValueException, ResourceNotFoundException
from eventsim.services.lambda_.errors import FunctionNotFound, PreconditionFailedException
from eventsim.services.lambda_.models import LATEST, FunctionConfig
from eventsim.services.lambda_.packages import code_facts
from eventsim.services.lambda_.rules import name_and_qualifier
from eventsim.services.lambda_.service import LambdaService
from eventsim.services.lambda_.shapes import function_configuration

__all__ = ["LambdaAPIBase"]

# Settings that are not the function's configuration: they move its RevisionId (AWS's does)
# but not what a published version would hold.
_NOT_PUBLISHED = ("policy", "tags", "maximum_retry_attempts", "maximum_event_age",
                  "on_success", "on_failure", "event_invoke_config_at",
                  "event_invoke_config_given", "reserved_concurrency", "last_published",
                  "published_revision", "invoked_qualifier")


class LambdaAPIBase:
    """The functions service, where zips are unpacked, and the helpers of every operation."""

    def __init__(self, functions: LambdaService, *, code_root: Path | None = None) -> None:
        self.functions = functions
        self.code_root = code_root
        """Where CreateFunction unpacks zips (and PublishVersion keeps the code of versions);
        None: a temporary directory, made when first needed and removed by `close` (for a
        simulator whose state is in memory)."""
        self._temporary: Path | None = None
        self._code: dict[str, tuple[str, int, str]] = {}
        """Function ARN -> (code directory, CodeSize, CodeSha256), measured once per directory."""

    def close(self) -> None:
        """Remove the temporary code directory, if one was made."""
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def _root(self) -> Path:
        if self.code_root is not None:
            return self.code_root
        if self._temporary is None:
            self._temporary = Path(tempfile.mkdtemp(prefix="eventsim-functions-"))
        return self._temporary

    async def _function(self, function_name: str, qualifier: str | None) -> FunctionConfig:
        """The configuration a request names: ``$LATEST``, a version, or an alias's version
        (`FunctionNotFound` with the qualified ARN otherwise)."""
        name, qualifier = name_and_qualifier(function_name, qualifier)
        return self.functions.resolve(name, qualifier)

    async def _existing(self, function_name: str, qualifier: str | None) -> FunctionConfig:
        try:
            return await self._function(function_name, qualifier)
        except FunctionNotFound:
            raise ResourceNotFoundException("The function doesn't exist.", Type="User") from None

    async def _check_revision(self, config: FunctionConfig, revision_id: str | None) -> None:
        if revision_id is not None and revision_id != self._revision(config):
            raise PreconditionFailedException()

    def _revision(self, config: FunctionConfig) -> str:
        """RevisionId: changes with every change of the configuration, code or policy (of
        ``$LATEST``, or of a version: its policy and asynchronous settings)."""
        modified = self.functions.last_modified(config)
        text = json.dumps({k: v for k, v in dataclasses.asdict(config).items()
                           if k not in ("last_published", "published_revision",
                                        "invoked_qualifier")}, separators=(",", ":"))
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{text}@{modified!r}"))

    def _content(self, config: FunctionConfig, code_sha256: str) -> str:
        """What a version published from ``$LATEST`` now would hold: its configuration and
        code, and when they last changed. Equal before and after a change of only the policy,
        tags or asynchronous settings (which a version does not take)."""
        data = {k: v for k, v in dataclasses.asdict(config).items() if k not in _NOT_PUBLISHED}
        data["code_sha256"] = code_sha256
        data["modified"] = self.functions.last_modified(config.name)
        return str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(data, sort_keys=True)))

    async def _configuration(
        self, config: FunctionConfig, phase: str | None = None
    ) -> dict[str, Any]:
        """FunctionConfiguration, with the ARN the caller named (qualified when it gave a
        qualifier, as AWS answers); `phase` as in `function_configuration`."""
        code_size, code_sha256 = await self._code_facts(config)
        result = function_configuration(
            config, code_size=code_size, code_sha256=code_sha256,
            modified=self.functions.last_modified(config),
            revision_id=self._revision(config), phase=phase,
        )
        result["FunctionArn"] = config.invoked_arn
        if config.layers:
            result["Layers"] = [{"Arn": arn, "CodeSize": self.functions.layer_size(arn)}
                                for arn in config.layers]
        return result

    async def _code_facts(self, config: FunctionConfig, *, fresh: bool = False
                          ) -> tuple[int, str]:
        """CodeSize and CodeSha256 (see `eventsim.services.lambda_.packages`); a version's
        were measured when it was published. `fresh` measures again (the files of a function
        defined on a directory may have changed under it)."""
        if config.version != LATEST and config.code_sha256 is not None:
            return config.code_size or 0, config.code_sha256
        cached = self._code.get(config.arn)
        if fresh or cached is None or cached[0] != config.code_dir:
            root = self.code_root or self._temporary
            size, digest = await asyncio.to_thread(code_facts, config.code_dir, root)
            cached = self._code[config.arn] = (config.code_dir, size, digest)
        return cached[1], cached[2]

    async def _latest(self, function_name: str) -> FunctionConfig:
        """``$LATEST`` of the function a request names, for operations that change it: a
        published version or an alias cannot be changed this way."""
        name, qualifier = name_and_qualifier(function_name, None)
        config = self.functions.resolve(name, qualifier)  # FunctionNotFound, qualified
        if qualifier not in (None, LATEST):
            raise InvalidParameterValueException(
                f"{config.invoked_arn} is a published version or an alias, which cannot be "
                "changed: name the function without a qualifier (its $LATEST), then "
                "PublishVersion.", Type="User")
        return self.functions.resolve(name)
