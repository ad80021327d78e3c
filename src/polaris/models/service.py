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

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from polaris.artifacts import repo as blob_repo
from polaris.artifacts.store import ArtifactStore
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.core.semver import BumpPart, Version
from polaris.models import history_repo
from polaris.models import repo as version_repo
from polaris.models.gates import ARCHIVED_RETENTION, DEVELOPMENT_RETENTION, Threshold
from polaris.models.repo import get_version_json, list_versions_json
from polaris.models.rules import (
    GENERATED_FILES,
    ArtifactFile,
    ModelVersion,
    Stage,
    StageChange,
    StageChangeRequest,
    VersionQuery,
    change_to_dict,
    check_model_files,
    check_model_name,
    check_mutable,
    compute_model_id,
    lineage_chain,
    model_card,
    plan_stage_change,
    production_at,
    version_to_dict,
)
from polaris.store.session import Database, DuplicateRow

__all__ = ["GcReport", "Registration", "RegistryService"]

#: Blobs younger than this are never collected: their registration may still be on its way.
_BLOB_GRACE = timedelta(hours=1)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


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


@dataclass(frozen=True, slots=True)
class GcReport:
    """What ``gc`` removed (or would remove, on a dry run)."""

    dry_run: bool
    versions: list[dict[str, str]]
    blobs: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"dry_run": self.dry_run, "versions": self.versions, "blobs": self.blobs}


class RegistryService:
    """The model registry and platform releases over one database and one artifact store."""

    def __init__(
        self, db: Database, artifacts: ArtifactStore, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.db = db
        self.artifacts = artifacts
        self.clock = clock

    # -- artifacts ----------------------------------------------------------------------------

    def upload_blob(
        self,
        stream: BinaryIO,
        *,
        actor: Actor,
        expected_sha256: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Store and record one verified blob; idempotent for the same content.

        A dry run hashes and verifies the bytes and stores nothing (no file, no row).
        """
        require_role(actor.role, Role.DEVELOPER, "uploading artifacts")
        if dry_run:
            sha, size = _hash_stream(stream, expected_sha256)
            return {"sha256": sha, "size": size, "dry_run": True}
        sha, size = self.artifacts.put(stream, expected_sha256=expected_sha256)
        with self.db.write() as s:
            blob_repo.add_blob(s, sha, size, self.clock())
        return {"sha256": sha, "size": size}

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
                _finish(s, dry_run)
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
            _finish(s, dry_run)
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
            _finish(s, dry_run)
        return cur

    # -- stages -------------------------------------------------------------------------------

    def promote(
        self,
        name: str,
        version: str,
        target: Stage,
        *,
        actor: Actor,
        reason: str = "",
        criteria: Sequence[Threshold] = (),
        validation: Mapping[str, Any] | None = None,
        rollback_to: str | None = None,
        dry_run: bool = False,
    ) -> tuple[ModelVersion, list[StageChange]]:
        """Move a version to ``target``; return it and every move recorded (archivals too)."""
        need = Role.APPROVER if target == Stage.PRODUCTION else Role.DEVELOPER
        require_role(actor.role, need, f"moving a version to {target}")
        v = Version.parse(version)
        rb = None if rollback_to is None else Version.parse(rollback_to)
        now = self.clock()
        with self.db.write() as s:
            pk = version_repo.lock_model(s, name, now)
            cur = version_repo.get_version(s, name, v)
            request = StageChangeRequest(
                target=target,
                actor=actor.name,
                reason=reason,
                criteria=tuple(criteria),
                validation=dict(validation or {}),
                approved_by=actor.name if target == Stage.PRODUCTION else None,
                rollback_to=rb,
            )
            change = plan_stage_change(
                cur,
                request,
                now=now,
                has_had_production=history_repo.had_production(s, pk),
                # Only the rollback target needs checking: no need to load every version.
                known_versions=frozenset(
                    () if rb is None or not history_repo.version_exists(s, pk, rb) else (rb,)
                ),
            )
            changes: list[StageChange] = []
            if target == Stage.PRODUCTION:
                prev = version_repo.production_version(s, pk)
                if prev is not None:
                    demote = StageChange(
                        name,
                        prev,
                        Stage.PRODUCTION,
                        Stage.ARCHIVED,
                        now,
                        actor.name,
                        f"replaced in production by {v}",
                    )
                    version_repo.set_stage(s, name, prev, Stage.ARCHIVED, now)
                    history_repo.add_stage_event(s, pk, demote)
                    self._audit(
                        s,
                        actor,
                        "stage",
                        f"{name}:{prev}",
                        {"stage": "production"},
                        change_to_dict(demote),
                    )
                    changes.append(demote)
            version_repo.set_stage(s, name, v, target, now)
            history_repo.add_stage_event(s, pk, change)
            self._audit(
                s, actor, "stage", f"{name}:{v}", {"stage": str(cur.stage)}, change_to_dict(change)
            )
            changes.append(change)
            updated = replace(cur, stage=target, stage_changed_at=now)
            _finish(s, dry_run)
        return updated, changes

    def history(self, name: str, version: str | None = None) -> list[StageChange]:
        """Every stage move of a model (or of one version), oldest first."""
        with self.db.read() as s:
            return history_repo.stage_history(
                s, name, version=None if version is None else Version.parse(version)
            )

    def production_at(self, name: str, at: datetime) -> Version | None:
        """The version that was in production at ``at`` (None if none was)."""
        with self.db.read() as s:
            return production_at(history_repo.stage_history(s, name, until=at), at)

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

    # -- files and export ---------------------------------------------------------------------

    def file(self, name: str, version: str, filename: str) -> tuple[ArtifactFile, Iterator[bytes]]:
        """One file of a version and its verified chunks."""
        mv = self.get(name, version)
        for f in mv.files:
            if f.name == filename:
                # Verified before the response starts: a corrupted file is an error, not a
                # truncated download.
                self.artifacts.verify(f.sha256)
                return f, self.artifacts.iter_chunks(f.sha256)
        raise NotFound(
            f"{name} {version} has no file {filename!r}", location=Location(field="filename")
        )

    def export(self, name: str, version: str, dest: BinaryIO) -> ModelVersion:
        """Write the tar.gz package of seed 4.1.3: files, metadata.json, requirements.txt, card."""
        mv, write = self.open_export(name, version)
        write(dest)
        return mv

    def open_export(
        self, name: str, version: str
    ) -> tuple[ModelVersion, Callable[[BinaryIO], None]]:
        """Check that the package can be built; the version and the function that streams it.

        The tarball is written as a stream (``w|gz``), each file read chunk by chunk from the
        artifact store and verified on the way: nothing holds a whole artifact or the tarball.
        """
        mv = self.get(name, version)
        if not mv.files:
            raise Conflict(
                f"{name} {version} has no uploaded files to package",
                location=Location(field="files"),
                hint=f"its model lives at {mv.model_path}",
            )
        history = self.history(name, version)
        top = f"{name}-{mv.version}"
        generated = {
            "metadata.json": json.dumps(version_to_dict(mv), indent=2, sort_keys=True) + "\n",
            "requirements.txt": "".join(f"{d}\n" for d in mv.dependencies),
            "MODEL_CARD.md": model_card(mv, history),
        }
        assert set(generated) == set(GENERATED_FILES)  # noqa: S101 - seed 4.1.3 required files
        mtime = mv.created_at.timestamp()

        def write(dest: BinaryIO) -> None:
            with tarfile.open(fileobj=dest, mode="w|gz") as tar:
                for f in mv.files:
                    chunks = _ChunkReader(self.artifacts.iter_verified(f.sha256))
                    _add(tar, f"{top}/{f.name}", chunks, f.size, mtime)
                for fname, text in generated.items():
                    data = text.encode()
                    _add(tar, f"{top}/{fname}", io.BytesIO(data), len(data), mtime)

        return mv, write

    # -- retention ----------------------------------------------------------------------------

    def gc(self, *, actor: Actor, dry_run: bool) -> GcReport:
        """Remove versions past retention (dev 30 days, archived 2 years) and orphan blobs."""
        require_role(actor.role, Role.ADMIN, "garbage collection")
        now = self.clock()
        with self.db.write() as s:
            expired = version_repo.expired_versions(
                s,
                development_before=now - DEVELOPMENT_RETENTION,
                archived_before=now - ARCHIVED_RETENTION,
            )
            report = [{"name": n, "version": str(v), "stage": str(st)} for n, v, st in expired]
            if not dry_run:
                for n, v, _st in expired:
                    before = version_to_dict(version_repo.get_version(s, n, v))
                    version_repo.delete_version(s, n, v)
                    self._audit(s, actor, "gc", f"{n}:{v}", before, None)
                s.flush()
            blobs = blob_repo.unreferenced_blobs(s, created_before=now - _BLOB_GRACE)
            if dry_run:
                s.rollback()
                return GcReport(True, report, blobs)
            blob_repo.delete_blob_rows(s, blobs)
        for sha in blobs:  # after commit: a crash here leaves only unreferenced files
            self.artifacts.delete(sha)
        # Temporary files of uploads killed mid-write, old enough not to be an upload in flight.
        self.artifacts.sweep_temp(now - _BLOB_GRACE)
        return GcReport(False, report, blobs)

    def _audit(
        self,
        s: Any,
        actor: Actor,
        action: str,
        key: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        audit_repo.add_audit(
            s,
            at=self.clock(),
            actor=actor.name,
            action=action,
            entity="model_version",
            key=key,
            before=before,
            after=after,
        )


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


def _finish(s: Any, dry_run: bool) -> None:
    """End a write: flush (constraint errors surface as on commit); roll back a dry run."""
    s.flush()
    if dry_run:
        s.rollback()


def _hash_stream(stream: BinaryIO, expected_sha256: str | None) -> tuple[str, int]:
    """``(sha256, size)`` of a stream, checked against ``expected_sha256`` like a real upload."""
    if expected_sha256 is not None and not _HEX64.match(expected_sha256):
        raise InvalidInput(
            f"invalid sha256 {expected_sha256!r}",
            location=Location(field="sha256"),
            hint="64 lowercase hex digits",
        )
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    sha = digest.hexdigest()
    if expected_sha256 is not None and sha != expected_sha256:
        raise InvalidInput(
            f"uploaded bytes hash to {sha}, not {expected_sha256}",
            location=Location(field="sha256"),
            hint="the upload was truncated or altered; upload it again",
        )
    return sha, size


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks (what ``tarfile.addfile`` reads)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._buf = nxt
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _add(tar: tarfile.TarFile, name: str, fileobj: Any, size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BufferedReader(fileobj) if isinstance(fileobj, _ChunkReader) else fileobj)


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
