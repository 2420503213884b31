"""Simulator settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "SimulatorConfig"]

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"


class SimulatorConfig(BaseModel):
    """How a simulator is built. Immutable once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    db: str = ":memory:"
    """SQLite database file, or ``:memory:``."""
    region: str = DEFAULT_REGION
    account_id: str = Field(default=DEFAULT_ACCOUNT, pattern=r"^\d{12}$")
    clock: Literal["real", "virtual"] = "real"
    handler_threads: int = Field(default=32, ge=1)
    """Worker threads for inline handlers: the most inline invocations running at once."""
    default_runtime: Literal["inline", "process"] = "inline"
    permissions: Literal["off", "warn", "enforce"] = "warn"
    """Functions' resource policies for S3 and SNS pushes: ``enforce`` refuses what AWS would
    refuse, ``warn`` lets it through and says which AddPermission AWS would need, ``off``
    lets everything through silently."""
    settle_timeout: float = Field(default=60.0, gt=0)
    """Real seconds `settle()` waits before giving up and saying what is still busy."""
