"""Model registry use cases: register, promote, archive, delete, list, lineage, export, gc.

Each use case is one database transaction with its audit event inside it. Version bumps lock the
model row (PostgreSQL ``FOR UPDATE``; SQLite serialises writers with ``BEGIN IMMEDIATE``), so
concurrent ``--bump patch`` registrations get distinct versions. Promotion to production archives
the previous production version in the same transaction.

Every write takes ``dry_run``: the whole transaction runs (validation, version derivation, the
promotion gate, the archival of the previous production version, the audit entries), is flushed
so constraint errors surface as on commit, and is rolled back. A dry-run upload hashes and
verifies the bytes and stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from polaris.artifacts import repo as blob_repo
from polaris.core.actors import Actor, Role, require_role
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.core.semver import BumpPart, Version
from polaris.models import history_repo
from polaris.models import repo as version_repo
from polaris.models._base import RegistryBase, finish
from polaris.models.artifacts import ArtifactOps, GcReport
from polaris.models.repo import get_version_json, list_versions_json
from polaris.models.rules import (
    ArtifactFile,
    ModelVersion,
    Stage,
    StageChange,
    VersionQuery,
    check_model_files,
    check_model_name,
    check_mutable,
    compute_model_id,
    lineage_chain,
    version_to_dict,
)
from polaris.models.stages import StageOps
from polaris.store.session import DuplicateRow

__all__ = ["GcReport", "Registration", "RegistryService"]

#: Blobs younger than this are never collected: their registration may still be on its way.
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Registration:
    """What a caller gives to register a version (every seed 4.1.2 field the caller owns)."""

    name: str
    version: str | None = None
    bump: BumpPart | None = None
    pre: str | None = None
    model_path: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    training_data_hash: str = ""
    dependencies: Sequence[str] = ()
    description: str = ""
    tags: Sequence[str] = ()
    parent_version: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    """File name -> sha256 of a blob already uploaded."""


class VersionOps(RegistryBase):
    """Registering, editing, deleting and reading model versions."""

    # -- registration -------------------------------------------------------------------------

    def register(
        self,
        reg: Registration,
        *,
        actor: Actor,
        dry_run: bool = False,
        staged_blobs: Mapping[str, int] | None = None,
    ) -> ModelVersion:
        """Register a version; explicit or bumped from the latest. 409 if it exists.

        ``staged_blobs`` (sha256 -> size, dry runs only) are blobs a dry-run upload verified
        just before: they count as uploaded for this transaction, which is then rolled back.
        """
        require_role(actor.role, Role.DEVELOPER, "registering model versions")
        if staged_blobs and not dry_run:
            raise InvalidInput(
                "staged blobs are only accepted by a dry run",
                location=Location(field="staged"),
                hint="upload the files first (PUT /api/v1/blobs/SHA256)",
            )
        name = check_model_name(reg.name)
        if (reg.version is None) == (reg.bump is None):
            raise InvalidInput(
                "give exactly one of a version and a bump part",
                location=Location(field="version"),
                hint="--version 1.2.0 or --bump patch",
            )
        explicit = None if reg.version is None else Version.parse(reg.version)
        parent = None if reg.parent_version is None else Version.parse(reg.parent_version)
        metrics = _check_metrics(reg.metrics)
        tags = tuple(dict.fromkeys(t.strip() for t in reg.tags if t.strip()))
        now = self.clock()
        try:
            with self.db.write() as s:
                for sha, size in (staged_blobs or {}).items():
                    if not _HEX64.match(sha) or size < 0:
                        raise InvalidInput(
                            f"invalid staged blob {sha!r} ({size} bytes)",
                            location=Location(field="staged"),
                            hint="SHA256:SIZE, 64 lowercase hex digits and a byte count",
                        )
                    blob_repo.add_blob(s, sha, size, now)
                files = self._resolve_files(s, reg.files)
                check_model_files(files)
                if not files and not reg.model_path:
                    raise InvalidInput(
                        "a version needs uploaded files or a model_path",
                        location=Location(field="model_path"),
                        hint="upload the model files, or give the URI where the model lives",
                    )
                pk = version_repo.lock_model(s, name, now)
                if explicit is not None:
                    version = explicit
                else:
                    latest = version_repo.latest_version(s, pk) or Version(0, 0, 0)
                    assert reg.bump is not None  # noqa: S101 - checked above
                    version = latest.bump(reg.bump, pre=reg.pre)
                if parent is not None and not history_repo.version_exists(s, pk, parent):
                    raise NotFound(
                        f"parent version {name} {parent} not found",
                        location=Location(field="parent_version"),
                    )
                mv = ModelVersion(
                    model_name=name,
                    version=version,
                    stage=Stage.DEVELOPMENT,
                    created_at=now,
                    created_by=actor.name,
                    model_path=reg.model_path or f"polaris://models/{name}/{version}",
                    metrics=metrics,
                    hyperparameters=dict(reg.hyperparameters),
                    training_data_hash=reg.training_data_hash,
                    dependencies=tuple(reg.dependencies),
                    description=reg.description,
                    tags=tags,
                    parent_version=parent,
                    model_id=compute_model_id(
                        model_name=name,
                        version=version,
                        files=files,
                        training_data_hash=reg.training_data_hash,
                        hyperparameters=reg.hyperparameters,
                        dependencies=reg.dependencies,
                    ),
                    files=tuple(files),
                    stage_changed_at=now,
                )
                version_repo.insert_version(s, pk, mv)
                history_repo.add_stage_event(
                    s,
                    pk,
                    StageChange(
                        name, version, None, Stage.DEVELOPMENT, now, actor.name, "registered"
                    ),
                )
                self._audit(s, actor, "register", f"{name}:{version}", None, version_to_dict(mv))
                finish(s, dry_run)
        except DuplicateRow:
            # A concurrent registration of the same version won the race.
            raise Conflict(
                f"{name} {reg.version or 'version'} was registered concurrently",
                location=Location(field="version"),
                hint="retry with --bump, or pick another version",
            ) from None
        return mv

    def _resolve_files(self, s: Any, files: Mapping[str, str]) -> list[ArtifactFile]:
        out: list[ArtifactFile] = []
        for fname, sha in sorted(files.items()):
            size = blob_repo.blob_exists(s, sha)
            if size is None:
                raise InvalidInput(
                    f"artifact {fname!r} ({sha}) has not been uploaded",
                    location=Location(field="files"),
                    hint="upload the file first (PUT /api/v1/blobs/SHA256)",
                )
            out.append(ArtifactFile(name=fname, sha256=sha, size=size))
        return out

    def update(
        self,
        name: str,
        version: str,
        *,
        actor: Actor,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        metrics: Mapping[str, float] | None = None,
        dry_run: bool = False,
    ) -> ModelVersion:
        """Edit a development version's description, tags or metrics."""
        require_role(actor.role, Role.DEVELOPER, "editing model versions")
        v = Version.parse(version)
        with self.db.write() as s:
            version_repo.lock_model(s, name, self.clock())
            cur = version_repo.get_version(s, name, v)
            check_mutable(cur, "edit")
            new = replace(
                cur,
                description=cur.description if description is None else description,
                tags=cur.tags if tags is None else tuple(dict.fromkeys(tags)),
                metrics=cur.metrics if metrics is None else _check_metrics(metrics),
            )
            version_repo.update_version_content(s, new)
            self._audit(
                s, actor, "update", f"{name}:{v}", version_to_dict(cur), version_to_dict(new)
            )
            finish(s, dry_run)
        return new

    def delete(
        self, name: str, version: str, *, actor: Actor, dry_run: bool = False
    ) -> ModelVersion:
        """Delete a development version."""
        require_role(actor.role, Role.DEVELOPER, "deleting model versions")
        v = Version.parse(version)
        with self.db.write() as s:
            version_repo.lock_model(s, name, self.clock())
            cur = version_repo.get_version(s, name, v)
            check_mutable(cur, "delete")
            version_repo.delete_version(s, name, v)
            self._audit(s, actor, "delete", f"{name}:{v}", version_to_dict(cur), None)
            finish(s, dry_run)
        return cur

    # -- reads --------------------------------------------------------------------------------

    def get(self, name: str, version: str) -> ModelVersion:
        """One version."""
        with self.db.read() as s:
            return version_repo.get_version(s, name, Version.parse(version))

    def search(self, query: VersionQuery) -> tuple[list[ModelVersion], int | None]:
        """A page of versions and the position of the next page."""
        with self.db.read() as s:
            return version_repo.list_versions(s, query)

    # The HTTP API's hot reads: the same answers as ``version_to_dict(get(...))`` and ``search``,
    # built from raw rows by one precompiled statement (see version_repo).

    def get_json(self, name: str, version: str) -> dict[str, Any]:
        """One version in its JSON form (``version_to_dict``)."""
        v = Version.parse(version)
        with self.db.driver() as conn:
            found: dict[str, Any] = get_version_json(conn, self.db.engine.dialect, name, v)
            return found

    def search_json(self, query: VersionQuery) -> tuple[list[dict[str, Any]], int | None]:
        """A page of versions in JSON form and the position of the next page."""
        with self.db.driver() as conn:
            return list_versions_json(conn, self.db.engine.dialect, query)

    def models(self, name: str | None = None) -> list[version_repo.ModelSummary]:
        """Models with their latest version per stage."""
        with self.db.read() as s:
            found = version_repo.list_models(s, name=name)
        if name is not None and not found:
            raise NotFound(f"model {name} not found", location=Location(field="name"))
        return found

    def lineage(self, name: str, version: str) -> list[ModelVersion]:
        """The version and its ancestors, newest first."""
        with self.db.read() as s:
            start = version_repo.get_version(s, name, Version.parse(version))
            return lineage_chain(start, _LazyVersions(s, name))


class _LazyVersions(Mapping[Version, ModelVersion]):
    """Versions of one model fetched on demand (lineage walks touch a handful)."""

    def __init__(self, s: Any, name: str) -> None:
        self._s = s
        self._name = name

    def __getitem__(self, key: Version) -> ModelVersion:
        try:
            return version_repo.get_version(self._s, self._name, key)
        except NotFound:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[Version]:  # pragma: no cover - never iterated
        return iter(())

    def __len__(self) -> int:  # pragma: no cover - never sized
        return 0


def _check_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, val in metrics.items():
        if isinstance(val, bool) or not isinstance(val, int | float):
            raise InvalidInput(
                f"metric {k!r} must be a number, got {val!r}",
                location=Location(field=f"metrics.{k}"),
            )
        out[str(k)] = float(val)
    return out


class RegistryService(VersionOps, StageOps, ArtifactOps):
    """The model registry over one database and one artifact store, by use case: versions
    (:class:`VersionOps`), stages (:class:`~polaris.models.stages.StageOps`), artifacts,
    export and retention (:class:`~polaris.models.artifacts.ArtifactOps`)."""
