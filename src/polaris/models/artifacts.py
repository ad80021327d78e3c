"""Artifacts of model versions: blob uploads, verified downloads, the export package, retention.

Blobs are content-addressed (sha256) in the artifact store; a version names its files by blob.
The export package (seed 4.1.3) streams: nothing holds a whole artifact or the tarball.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from polaris.artifacts import repo as blob_repo
from polaris.artifacts.store import ChunkStream
from polaris.core.actors import Actor, Role, require_role
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.models import repo as version_repo
from polaris.models._base import RegistryBase
from polaris.models.gates import ARCHIVED_RETENTION, DEVELOPMENT_RETENTION
from polaris.models.rules import (
    GENERATED_FILES,
    ArtifactFile,
    ModelVersion,
    model_card,
    version_to_dict,
)

__all__ = ["ArtifactOps", "GcReport"]

#: Blobs younger than this are never collected: their registration may still be on its way.
_BLOB_GRACE = timedelta(hours=1)
_CHUNK = 1 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class GcReport:
    """What ``gc`` removed (or would remove, on a dry run)."""

    dry_run: bool
    versions: list[dict[str, str]]
    blobs: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"dry_run": self.dry_run, "versions": self.versions, "blobs": self.blobs}


class ArtifactOps(RegistryBase):
    """Blobs, files, the export package and retention."""

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
                    chunks = ChunkStream(self.artifacts.iter_verified(f.sha256))
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


def _add(tar: tarfile.TarFile, name: str, fileobj: Any, size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BufferedReader(fileobj) if isinstance(fileobj, ChunkStream) else fileobj)
