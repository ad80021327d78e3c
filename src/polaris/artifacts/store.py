"""Content-addressed artifact store: blobs keyed by their sha256, verified both ways.

A blob lives at ``sha256/<first two hex digits>/<digest>`` under a root that is a local directory
(the default) or any fsspec URL (``s3://bucket/polaris``, ``memory://...``). Writes go to a temp
name first and are renamed into place only after the digest is checked, so a killed upload leaves
no blob and an existing blob is never overwritten. Reads re-hash the content; a changed byte is an
:class:`ArtifactCorrupted` error, never silently served.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from polaris.core.errors import ArtifactCorrupted, InvalidInput, Location, NotFound

__all__ = [
    "ArtifactCorrupted",
    "ArtifactStore",
    "FsspecArtifactStore",
    "LocalArtifactStore",
    "open_artifact_store",
]

_CHUNK: Final = 1 << 20
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")


def _check_digest(sha256: str) -> str:
    if not _HEX64.match(sha256):
        raise InvalidInput(
            f"invalid sha256 {sha256!r}",
            location=Location(field="sha256"),
            hint="64 lowercase hex digits",
        )
    return sha256


class ArtifactStore(ABC):
    """Where blobs live. Implementations only move bytes; hashing is done here."""

    @abstractmethod
    def _write_temp(self, chunks: Iterator[bytes]) -> str:
        """Write chunks to a temporary location; return its handle."""

    @abstractmethod
    def _commit(self, temp: str, sha256: str) -> None:
        """Move a temporary blob into place (no-op if the blob exists)."""

    @abstractmethod
    def _discard(self, temp: str) -> None:
        """Remove a temporary blob."""

    @abstractmethod
    def _open(self, sha256: str) -> BinaryIO:
        """Open a stored blob for reading; :class:`FileNotFoundError` if absent."""

    @abstractmethod
    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""

    @abstractmethod
    def delete(self, sha256: str) -> None:
        """Remove a blob if present."""

    def sweep_temp(self, before: datetime) -> list[str]:
        """Remove temporary files last written before ``before`` (left by a killed upload).

        Stores whose temporary objects cannot outlive an upload have nothing to sweep.
        """
        del before
        return []

    def put(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> tuple[str, int]:
        """Store the bytes of ``stream``; return ``(sha256, size)``.

        :raises InvalidInput: the bytes do not hash to ``expected_sha256`` (nothing is stored).
        """
        if expected_sha256 is not None:
            _check_digest(expected_sha256)
        digest = hashlib.sha256()
        size = 0

        def chunks() -> Iterator[bytes]:
            nonlocal size
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                yield chunk

        temp = self._write_temp(chunks())
        sha = digest.hexdigest()
        if expected_sha256 is not None and sha != expected_sha256:
            self._discard(temp)
            raise InvalidInput(
                f"uploaded bytes hash to {sha}, not {expected_sha256}",
                location=Location(field="sha256"),
                hint="the upload was truncated or altered; upload it again",
            )
        if self.exists(sha):
            self._discard(temp)
        else:
            self._commit(temp, sha)
        return sha, size

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store ``data``; return ``(sha256, size)``."""
        return self.put(io.BytesIO(data))

    def verify(self, sha256: str) -> int:
        """Re-hash a stored blob; return its size.

        :raises NotFound: the blob is missing.
        :raises ArtifactCorrupted: its bytes changed.
        """
        size = 0
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(sha256):
            digest.update(chunk)
            size += len(chunk)
        if digest.hexdigest() != sha256:
            raise ArtifactCorrupted(
                f"artifact {sha256} is corrupted: its bytes hash to {digest.hexdigest()}",
                hint="restore it from a backup or re-upload the file",
            )
        return size

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        """Chunks of a blob, unverified: call :meth:`verify` first (it re-hashes the bytes)."""
        _check_digest(sha256)
        try:
            fh = self._open(sha256)
        except FileNotFoundError:
            raise NotFound(
                f"artifact {sha256} is missing from the artifact store",
                location=Location(field="sha256"),
            ) from None
        with fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    def read_bytes(self, sha256: str) -> bytes:
        """The verified content of a blob."""
        data = b"".join(self.iter_chunks(sha256))
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise ArtifactCorrupted(
                f"artifact {sha256} is corrupted: its bytes hash to {actual}",
                hint="restore it from a backup or re-upload the file",
            )
        return data

    def iter_verified(self, sha256: str) -> Iterator[bytes]:
        """Chunks of a blob, after a full verification pass."""
        self.verify(sha256)
        yield from self.iter_chunks(sha256)


class LocalArtifactStore(ArtifactStore):
    """Blobs in a local directory; temp + fsync + rename."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where a blob lives on disk."""
        _check_digest(sha256)
        return self.root / "sha256" / sha256[:2] / sha256

    def _write_temp(self, chunks: Iterator[bytes]) -> str:
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return name

    def _commit(self, temp: str, sha256: str) -> None:
        dest = self.path(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, dest)  # same content if a racing upload won: replacing is harmless

    def _discard(self, temp: str) -> None:
        Path(temp).unlink(missing_ok=True)

    def _open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def sweep_temp(self, before: datetime) -> list[str]:
        cutoff = before.timestamp()
        removed: list[str] = []
        for path in sorted((self.root / "tmp").glob("upload-*")):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path.name)
            except FileNotFoundError:
                continue  # finished or swept concurrently
        return removed


class FsspecArtifactStore(ArtifactStore):
    """Blobs under any fsspec URL (``s3://``, ``gs://``, ``memory://``...)."""

    def __init__(self, url: str) -> None:
        import fsspec  # type: ignore[import-untyped]

        fs, root = fsspec.core.url_to_fs(url)
        self.fs = fs
        self.root = str(root).rstrip("/")

    def _key(self, sha256: str) -> str:
        _check_digest(sha256)
        return f"{self.root}/sha256/{sha256[:2]}/{sha256}"

    def _write_temp(self, chunks: Iterator[bytes]) -> str:
        staging = f"{self.root}/incoming"
        name = f"{staging}/upload-{uuid.uuid4().hex}"
        self.fs.makedirs(staging, exist_ok=True)
        with self.fs.open(name, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return name

    def _commit(self, temp: str, sha256: str) -> None:
        key = self._key(sha256)
        self.fs.makedirs(key.rsplit("/", 1)[0], exist_ok=True)
        self.fs.mv(temp, key)

    def _discard(self, temp: str) -> None:
        if self.fs.exists(temp):
            self.fs.rm(temp)

    def _open(self, sha256: str) -> BinaryIO:
        key = self._key(sha256)
        if not self.fs.exists(key):
            raise FileNotFoundError(key)
        fh: BinaryIO = self.fs.open(key, "rb")
        return fh

    def exists(self, sha256: str) -> bool:
        return bool(self.fs.exists(self._key(sha256)))

    def delete(self, sha256: str) -> None:
        key = self._key(sha256)
        if self.fs.exists(key):
            self.fs.rm(key)


def open_artifact_store(location: str) -> ArtifactStore:
    """A local store for a path or ``file://`` URL, an fsspec store for any other URL."""
    if "://" not in location:
        return LocalArtifactStore(Path(location))
    if location.startswith("file://"):
        return LocalArtifactStore(Path(location.removeprefix("file://")))
    return FsspecArtifactStore(location)
