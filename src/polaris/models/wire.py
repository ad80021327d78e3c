"""The wire forms of the registry (pydantic): request bodies, and the responses they declare."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from polaris.models.rules import Stage

__all__ = [
    "ChangeList",
    "FileOut",
    "GateResultOut",
    "LineageOut",
    "ModelList",
    "ModelSummaryOut",
    "ProductionOut",
    "PromoteIn",
    "RegisterIn",
    "ReleaseIn",
    "ReleasePinIn",
    "StageChangeOut",
    "StageMoveOut",
    "UpdateIn",
    "VersionOut",
    "VersionPage",
]


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


# -- responses -------------------------------------------------------------------------------
# The routes answer with the records' JSON forms (``version_to_dict`` and the SQL fast path for
# hot reads); these models declare those forms in the OpenAPI document, and
# ``tests/models/test_wire.py`` checks that every answer has exactly their fields.


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileOut(_Out):
    """One artifact file of a version."""

    name: str
    sha256: str
    size: int


class VersionOut(_Out):
    """A model version (seed 4.1.2)."""

    model_id: str
    model_name: str
    version: str
    model_version_name: str = Field(
        description="The seed 4.1.1 model version string, e.g. rag-search-v1.3.2",
        examples=["rag-search-v1.3.2"],
    )
    stage: Stage
    created_at: str
    created_by: str
    model_path: str | None
    metrics: dict[str, float]
    hyperparameters: dict[str, Any]
    training_data_hash: str
    dependencies: list[str]
    description: str
    tags: list[str]
    parent_version: str | None
    files: list[FileOut]
    stage_changed_at: str | None
    dry_run: bool | None = None
    """Present (true) on the answer of a dry run: nothing was stored."""


class GateResultOut(_Out):
    """One promotion threshold and how the version did."""

    threshold: str
    metric: str
    op: str
    value: float
    actual: float | None
    passed: bool
    shortfall: float


class StageChangeOut(_Out):
    """One stage move."""

    model_name: str
    version: str
    from_stage: Stage | None
    to_stage: Stage
    at: str
    actor: str
    reason: str
    gate_results: list[GateResultOut]
    validation: dict[str, Any]
    approved_by: str | None
    rollback_to: str | None


class VersionPage(_Out):
    """A page of versions; ``next_cursor`` fetches the next one."""

    items: list[VersionOut]
    next_cursor: str | None


class StageMoveOut(_Out):
    """A stage move: the version as it is now and every move recorded (archivals too)."""

    version: VersionOut
    changes: list[StageChangeOut]
    dry_run: bool | None = None


class ChangeList(_Out):
    """Stage moves, oldest first."""

    items: list[StageChangeOut]


class LineageOut(_Out):
    """A version and its ancestors, newest first."""

    items: list[VersionOut]


class ProductionOut(_Out):
    """Which version was in production at a time."""

    name: str
    at: str
    version: str | None


class ModelSummaryOut(_Out):
    """A model: its version count, latest version and latest version per stage."""

    name: str
    versions: int
    latest: str | None
    stages: dict[str, str]


class ModelList(_Out):
    """Every model."""

    items: list[ModelSummaryOut]
