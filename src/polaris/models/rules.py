"""Model versions and their stages: the pure rules of the model registry (seed 4.1-4.2).

A :class:`ModelVersion` carries every field of seed 4.1.2 plus ``model_id``, a digest of its
content that does not change when the version moves between stages. Stages are pointers:
:func:`plan_stage_change` decides whether a move is allowed and what it records, and the store
keeps every move, so "what was in production on date D" has an answer.

Stage rules (seed 4.2.1)::

    development --> staging --> production --> archived
         |             |                           |
         +------------>+-------> archived <--------+   archived --> staging | production (rollback)

- development versions are mutable and deletable; the content of any other version is frozen;
- staging needs recorded validation results (metric gate results or named checks);
- production needs an approval record and a rollback plan (the version to fall back to) once the
  model has had a production version; one production version per model, the previous one is
  archived in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from polaris.core.errors import CheckFailed, Conflict, InvalidInput, Location
from polaris.core.semver import Version
from polaris.models.gates import GateResult, Threshold, evaluate_gates

__all__ = [
    "GENERATED_FILES",
    "MODEL_NAME_PATTERN",
    "ArtifactFile",
    "ModelVersion",
    "PromotionGateFailed",
    "Stage",
    "StageChange",
    "StageChangeRequest",
    "StageRuleViolation",
    "VersionQuery",
    "change_to_dict",
    "check_artifact_name",
    "check_model_files",
    "check_model_name",
    "check_mutable",
    "compute_model_id",
    "lineage_chain",
    "model_card",
    "plan_stage_change",
    "production_at",
    "version_to_dict",
]

#: Files the export package always carries, generated from the record (seed 4.1.3).
GENERATED_FILES: Final[tuple[str, ...]] = ("metadata.json", "requirements.txt", "MODEL_CARD.md")

#: What a model name may look like: lowercase letters, digits and inner ``.``, ``_``, ``-``; at
#: most 100 characters. The one rule, for the registry and for model version strings (4.1.1).
MODEL_NAME_PATTERN: Final = "[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?"
_NAME_RE: Final = re.compile(f"^{MODEL_NAME_PATTERN}$")


class Stage(StrEnum):
    """Where a model version is in its lifecycle."""

    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"


#: Allowed moves; anything else is a :class:`StageRuleViolation`.
_ALLOWED: Final[dict[Stage, frozenset[Stage]]] = {
    Stage.DEVELOPMENT: frozenset({Stage.STAGING, Stage.ARCHIVED}),
    Stage.STAGING: frozenset({Stage.PRODUCTION, Stage.ARCHIVED}),
    Stage.PRODUCTION: frozenset({Stage.ARCHIVED}),
    Stage.ARCHIVED: frozenset({Stage.STAGING, Stage.PRODUCTION}),
}


class StageRuleViolation(Conflict):
    """A stage move, edit or deletion that the lifecycle rules forbid."""

    slug = "stage-rule"


class PromotionGateFailed(CheckFailed):
    """A promotion whose metric thresholds are not met."""

    slug = "promotion-gate-failed"

    def __init__(self, message: str, *, results: Sequence[GateResult], hint: str | None = None):
        self.results = tuple(results)
        super().__init__(message, location=Location(field="criteria"), hint=hint)


@dataclass(frozen=True, slots=True)
class ArtifactFile:
    """One file of a model version, stored content-addressed."""

    name: str
    """Relative path inside the model package (``model.pkl``, ``weights/layer1.bin``)."""
    sha256: str
    """Hex digest of the content; the key in the artifact store."""
    size: int
    """Size in bytes."""


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """A registered model version: every field of seed 4.1.2 plus ``model_id`` and its files."""

    model_name: str
    version: Version
    stage: Stage
    created_at: datetime
    created_by: str
    model_path: str
    """Where the model lives: ``polaris://models/NAME/VERSION`` for uploaded files, else a URI."""
    metrics: dict[str, float]
    hyperparameters: dict[str, Any]
    training_data_hash: str
    dependencies: tuple[str, ...]
    description: str
    tags: tuple[str, ...]
    parent_version: Version | None
    model_id: str
    """Digest of the content (name, version, files, data hash, parameters); stable across stages."""
    files: tuple[ArtifactFile, ...] = ()
    stage_changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StageChangeRequest:
    """What a caller asks for when moving a version to another stage."""

    target: Stage
    actor: str
    reason: str = ""
    criteria: tuple[Threshold, ...] = ()
    validation: dict[str, Any] = field(default_factory=dict)
    """Named validation results (``{"integration-tests": "passed"}``), recorded with the move."""
    approved_by: str | None = None
    """Who approved a production promotion (an approver-role identity)."""
    rollback_to: Version | None = None
    """The version to fall back to if this production version misbehaves."""


@dataclass(frozen=True, slots=True)
class StageChange:
    """One recorded move of one version between stages."""

    model_name: str
    version: Version
    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    actor: str
    reason: str = ""
    gate_results: tuple[GateResult, ...] = ()
    validation: dict[str, Any] = field(default_factory=dict)
    approved_by: str | None = None
    rollback_to: Version | None = None


@dataclass(frozen=True, slots=True)
class VersionQuery:
    """Filters and a page window over model versions (newest registration first)."""

    name: str | None = None
    stage: Stage | None = None
    tag: str | None = None
    metrics: tuple[Threshold, ...] = ()
    limit: int = 50
    after: int | None = None
    """Opaque keyset position: versions registered before this position."""


def check_model_name(name: str) -> str:
    """Return ``name`` if it is a valid model name, else raise :class:`InvalidInput`.

    >>> check_model_name("rag-search")
    'rag-search'
    """
    if not _NAME_RE.match(name):
        raise InvalidInput(
            f"invalid model name {name!r}",
            location=Location(field="name"),
            hint="use 1-100 lowercase letters, digits, '.', '_' or '-', starting and ending "
            "with a letter or digit",
        )
    return name


def check_artifact_name(name: str) -> str:
    """Return ``name`` if it is a safe relative file name inside a model package.

    Rejects empty names, NUL, backslashes, absolute paths, drive letters and ``..`` or ``.``
    segments, so no artifact can be written or extracted outside its package.

    >>> check_artifact_name("weights/model.bin")
    'weights/model.bin'
    """

    def bad(why: str) -> InvalidInput:
        return InvalidInput(
            f"unsafe artifact file name {name!r}: {why}",
            location=Location(field="files"),
            hint="use a relative path with '/' separators and no '..'",
        )

    if not name or len(name) > 255:
        raise bad("must be 1-255 characters")
    if "\x00" in name:
        raise bad("contains NUL")
    if "\\" in name:
        raise bad("contains a backslash")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise bad("is absolute")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise bad("has an empty, '.' or '..' segment")
    if any(ord(c) < 32 for c in name):
        raise bad("contains a control character")
    return name


def check_model_files(files: Sequence[ArtifactFile]) -> None:
    """Check the files of a model package (seed 4.1.3): safe, unique names and a model file.

    ``metadata.json``, ``requirements.txt`` and ``MODEL_CARD.md`` are generated from the record on
    export, so uploading them is refused; at least one other file (the model) is required.
    """
    seen: set[str] = set()
    for f in files:
        check_artifact_name(f.name)
        if f.name in seen:
            raise InvalidInput(
                f"duplicate artifact file {f.name!r}", location=Location(field="files")
            )
        if f.name in GENERATED_FILES:
            raise InvalidInput(
                f"{f.name!r} is generated from the version record",
                location=Location(field="files"),
                hint="put its content in the metadata, dependencies or description instead",
            )
        if not re.fullmatch(r"[0-9a-f]{64}", f.sha256):
            raise InvalidInput(
                f"{f.name!r}: sha256 must be 64 lowercase hex digits",
                location=Location(field="files"),
            )
        seen.add(f.name)


def compute_model_id(
    *,
    model_name: str,
    version: Version,
    files: Sequence[ArtifactFile],
    training_data_hash: str,
    hyperparameters: Mapping[str, Any],
    dependencies: Sequence[str],
) -> str:
    """A 16-hex-digit digest of a version's content; the same content gives the same id."""
    content = {
        "name": model_name,
        "version": str(version),
        "files": sorted((f.name, f.sha256) for f in files),
        "training_data_hash": training_data_hash,
        "hyperparameters": hyperparameters,
        "dependencies": list(dependencies),
    }
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def plan_stage_change(
    current: ModelVersion,
    request: StageChangeRequest,
    *,
    now: datetime,
    has_had_production: bool,
    known_versions: frozenset[Version],
) -> StageChange:
    """Decide whether ``current`` may move to ``request.target``; return the move to record.

    :param has_had_production: whether any version of this model was ever in production.
    :param known_versions: every registered version of the model (for the rollback plan).
    :raises StageRuleViolation: the move is not allowed or a required record is missing.
    :raises PromotionGateFailed: a metric threshold is not met; the message names each metric
        and by how much it missed.
    """
    src, dst = current.stage, request.target
    where = f"{current.model_name} {current.version}"
    if src == dst:
        raise StageRuleViolation(f"{where} is already in {dst}", location=Location(field="stage"))
    if dst not in _ALLOWED[src]:
        allowed = ", ".join(sorted(_ALLOWED[src])) or "nothing"
        raise StageRuleViolation(
            f"{where}: cannot move from {src} to {dst}",
            location=Location(field="stage"),
            hint=f"from {src} a version may move to: {allowed}",
        )
    results = evaluate_gates(request.criteria, current.metrics)
    failed = [r for r in results if not r.passed]
    if failed:
        detail = "; ".join(r.explain() for r in failed)
        raise PromotionGateFailed(
            f"{where}: promotion to {dst} failed its gate: {detail}",
            results=results,
            hint="improve the model or change the thresholds with the approvers",
        )
    if dst == Stage.STAGING and not results and not request.validation:
        raise StageRuleViolation(
            f"{where}: staging needs recorded validation results",
            location=Location(field="validation"),
            hint="pass metric thresholds (accuracy>=0.92) or named validation results",
        )
    rollback_to = request.rollback_to
    if dst == Stage.PRODUCTION:
        if not request.approved_by:
            raise StageRuleViolation(
                f"{where}: production needs an approval record",
                location=Location(field="approved_by"),
                hint="an approver must promote it or be named as approver",
            )
        if rollback_to is None and has_had_production:
            raise StageRuleViolation(
                f"{where}: production needs a rollback plan",
                location=Location(field="rollback_to"),
                hint="name the version to fall back to (usually the current production one)",
            )
        if rollback_to is not None:
            if rollback_to == current.version:
                raise StageRuleViolation(
                    f"{where}: cannot roll back to itself", location=Location(field="rollback_to")
                )
            if rollback_to not in known_versions:
                raise StageRuleViolation(
                    f"{where}: rollback target {rollback_to} is not a version of this model",
                    location=Location(field="rollback_to"),
                )
    return StageChange(
        model_name=current.model_name,
        version=current.version,
        from_stage=src,
        to_stage=dst,
        at=now,
        actor=request.actor,
        reason=request.reason,
        gate_results=results,
        validation=dict(request.validation),
        approved_by=request.approved_by if dst == Stage.PRODUCTION else None,
        rollback_to=rollback_to if dst == Stage.PRODUCTION else None,
    )


def check_mutable(current: ModelVersion, action: str) -> None:
    """Raise :class:`StageRuleViolation` unless ``current`` is in development."""
    if current.stage != Stage.DEVELOPMENT:
        raise StageRuleViolation(
            f"{current.model_name} {current.version} is in {current.stage}: cannot {action} it",
            location=Location(field="stage"),
            hint="only development versions are mutable; register a new version instead",
        )


def version_to_dict(mv: ModelVersion) -> dict[str, Any]:
    """The JSON form of a version, shared by the HTTP API, the CLI and ``metadata.json``."""
    return {
        "model_id": mv.model_id,
        "model_name": mv.model_name,
        "version": str(mv.version),
        "model_version_name": f"{mv.model_name}-v{mv.version}",
        "stage": str(mv.stage),
        "created_at": mv.created_at.isoformat(),
        "created_by": mv.created_by,
        "model_path": mv.model_path,
        "metrics": dict(mv.metrics),
        "hyperparameters": dict(mv.hyperparameters),
        "training_data_hash": mv.training_data_hash,
        "dependencies": list(mv.dependencies),
        "description": mv.description,
        "tags": list(mv.tags),
        "parent_version": None if mv.parent_version is None else str(mv.parent_version),
        "files": [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in mv.files],
        "stage_changed_at": None
        if mv.stage_changed_at is None
        else mv.stage_changed_at.isoformat(),
    }


def change_to_dict(ch: StageChange) -> dict[str, Any]:
    """The JSON form of a stage move."""
    return {
        "model_name": ch.model_name,
        "version": str(ch.version),
        "from_stage": None if ch.from_stage is None else str(ch.from_stage),
        "to_stage": str(ch.to_stage),
        "at": ch.at.isoformat(),
        "actor": ch.actor,
        "reason": ch.reason,
        "gate_results": [r.to_dict() for r in ch.gate_results],
        "validation": dict(ch.validation),
        "approved_by": ch.approved_by,
        "rollback_to": None if ch.rollback_to is None else str(ch.rollback_to),
    }


def model_card(mv: ModelVersion, history: Sequence[StageChange] = ()) -> str:
    """``MODEL_CARD.md`` generated from the record."""
    lines = [
        f"# {mv.model_name} {mv.version}",
        "",
        mv.description or "_No description._",
        "",
        "| Field | Value |",
        "|---|---|",
        f"| Model id | `{mv.model_id}` |",
        f"| Stage | {mv.stage} |",
        f"| Created | {mv.created_at.isoformat()} by {mv.created_by} |",
        f"| Parent version | {mv.parent_version or '-'} |",
        f"| Training data hash | `{mv.training_data_hash or '-'}` |",
        f"| Tags | {', '.join(mv.tags) or '-'} |",
        "",
        "## Metrics",
        "",
    ]
    lines += [f"- {k}: {v:g}" for k, v in sorted(mv.metrics.items())] or ["_None recorded._"]
    lines += ["", "## Hyperparameters", ""]
    lines += [f"- {k}: {v}" for k, v in sorted(mv.hyperparameters.items())] or ["_None._"]
    lines += ["", "## Dependencies", ""]
    lines += [f"- {d}" for d in mv.dependencies] or ["_None._"]
    lines += ["", "## Files", ""]
    lines += [f"- `{f.name}` ({f.size} bytes, sha256 `{f.sha256}`)" for f in mv.files]
    if history:
        lines += ["", "## Stage history", ""]
        for ch in history:
            lines.append(
                f"- {ch.at.isoformat()}: {ch.from_stage or '-'} -> {ch.to_stage} by {ch.actor}"
                + (f" ({ch.reason})" if ch.reason else "")
            )
    return "\n".join(lines) + "\n"


def production_at(history: Sequence[StageChange], at: datetime) -> Version | None:
    """Which version of a model was in production at ``at``, from its ordered stage history.

    >>> production_at([], datetime(2025, 1, 1)) is None
    True
    """
    current: Version | None = None
    for ch in history:
        if ch.at > at:
            break
        if ch.to_stage == Stage.PRODUCTION:
            current = ch.version
        elif ch.from_stage == Stage.PRODUCTION and ch.version == current:
            current = None
    return current


def lineage_chain(
    start: ModelVersion, lookup: Mapping[Version, ModelVersion]
) -> list[ModelVersion]:
    """``start`` and its ancestors by ``parent_version``, newest first; stops at a gap or cycle."""
    chain = [start]
    seen = {start.version}
    cur = start
    while cur.parent_version is not None and cur.parent_version not in seen:
        parent = lookup.get(cur.parent_version)
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.version)
        cur = parent
    return chain
