"""Request bodies (pydantic), one model per direction; responses are the core records' JSON."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from polaris.models.rules import Stage

__all__ = ["PromoteIn", "RegisterIn", "ReleaseIn", "ReleasePinIn", "UpdateIn"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(_In):
    """Register a model version: an explicit ``version`` or a ``bump`` part."""

    version: str | None = None
    bump: Literal["major", "minor", "patch", "prerelease", "release"] | None = None
    pre: str | None = None
    model_path: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    training_data_hash: str = ""
    dependencies: list[str] = Field(default_factory=list)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    parent_version: str | None = None
    files: dict[str, str] = Field(default_factory=dict, description="file name -> sha256")


class UpdateIn(_In):
    """Edit a development version."""

    description: str | None = None
    tags: list[str] | None = None
    metrics: dict[str, float] | None = None


class PromoteIn(_In):
    """Move a version to another stage."""

    stage: Stage
    reason: str = ""
    criteria: list[str] = Field(default_factory=list, examples=[["accuracy>=0.92"]])
    validation: dict[str, Any] = Field(default_factory=dict)
    rollback_to: str | None = None


class ReleasePinIn(_In):
    """One pinned component version."""

    name: str
    kind: str = "service"
    version: str


class ReleaseIn(_In):
    """A platform release."""

    version: str
    notes: str = ""
    components: list[ReleasePinIn]
