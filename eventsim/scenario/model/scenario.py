"""The scenario root: the four parts, and where in its file each part was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
)

from eventsim.scenario.model._base import _FUNCTION_NAME, _Model
from eventsim.scenario.model.expectations import Expectation
from eventsim.scenario.model.functions import FunctionSpec
from eventsim.scenario.model.resources import Resources
from eventsim.scenario.model.steps import Step


class Scenario(_Model):
    """A whole scenario file."""

    name: str
    description: str | None = None
    clock: Literal["real", "virtual"] = "real"
    variables: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")], Any] = Field(
        default_factory=dict)
    """Values for ``${name}`` references elsewhere in the file (already substituted when
    loaded; see `eventsim.scenario.variables`)."""
    resources: Resources = Field(default_factory=Resources)
    functions: dict[Annotated[str, Field(pattern=_FUNCTION_NAME)], FunctionSpec] = Field(
        default_factory=dict
    )
    steps: list[Step] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)

    _source: str | None = PrivateAttr(default=None)
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str | None:
        """The file it was loaded from, as the user named it (None when built in code)."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """The directory relative paths are resolved against first."""
        return self._base_dir

    def attach_source(
        self, source: str, base_dir: Path, lines: dict[tuple[str | int, ...], int]
    ) -> None:
        """Remember where the scenario came from (the loader calls this)."""
        self._source = source
        self._base_dir = base_dir
        self._lines = lines

    def resolve_path(self, path: str) -> Path:
        """A path the file names: relative to `base_dir` if it exists there, else to the cwd."""
        return resolve_path(path, self._base_dir)

    def where(self, *path: str | int) -> str:
        """``file:line`` of the deepest part of `path` the file has, for messages."""
        source = self._source or f"<scenario {self.name}>"
        line = line_of(self._lines, path)
        return f"{source}:{line}" if line else source


def resolve_path(path: str, base_dir: Path) -> Path:
    """Resolve a path named in a scenario file.

    Relative paths are tried against the scenario file's directory first, then against the
    current directory (so the repository's ``scenarios/`` can say ``fixtures/...``). When it
    exists in neither, the scenario-relative path is returned, for the error message.
    """
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    near = base_dir / candidate
    if near.exists():
        return near.resolve()
    here = Path.cwd() / candidate
    if here.exists():
        return here.resolve()
    return near


def line_of(lines: dict[tuple[str | int, ...], int], path: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of `path` that the file has."""
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return lines.get(())
