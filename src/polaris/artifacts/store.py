"""Content-addressed artifact store: blobs keyed by their sha256, verified both ways.

A blob lives at ``sha256/<first two hex digits>/<digest>`` under a root that is a local directory
(the default) or any fsspec URL (``s3://bucket/polaris``, ``memory://...``). Writes go to a temp
name first and are renamed into place only after the digest is checked, so a killed upload leaves
no blob and an existing blob is never overwritten. Reads re-hash the content; a changed byte is an
:class:`ArtifactCorrupted` error, never silently served.

A blob may also be kept compressed (seed 4.2.1: archived models are "compressed, kept 2 years"):
:meth:`ArtifactStore.compress` writes ``<digest>.gz`` beside it, checks that it decompresses to
bytes hashing to the original digest, and only then removes the plain copy. Reads are transparent:
the plain copy when there is one, else the decompressed ``.gz``, verified against the original
digest all the same.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

from polaris.core.errors import ArtifactCorrupted, InvalidInput, Location, NotFound

__all__ = [
    "ArtifactCorrupted",
    "ArtifactStore",
    "ChunkStream",
    "FsspecArtifactStore",
    "LocalArtifactStore",
    "open_artifact_store",
]

_CHUNK: Final = 1 << 20
#: zlib's window bits for the gzip container.
_GZIP: Final = 16 + zlib.MAX_WBITS
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
        """Remove a blob if present (plain and compressed copies)."""

    @abstractmethod
    def _open_packed(self, sha256: str) -> BinaryIO:
        """Open the compressed copy of a blob; :class:`FileNotFoundError` if absent."""

    @abstractmethod
    def _commit_packed(self, temp: str, sha256: str) -> None:
        """Move a temporary file into place as the compressed copy of a blob."""

    @abstractmethod
    def _delete_plain(self, sha256: str) -> None:
        """Remove the plain copy of a blob if present."""

    @abstractmethod
    def _delete_packed(self, sha256: str) -> None:
        """Remove the compressed copy of a blob if present."""

    def is_compressed(self, sha256: str) -> bool:
        """Whether the blob is kept only in its compressed form."""
        _check_digest(sha256)
        if self.exists(sha256):
            return False
        try:
            with self._open_packed(sha256):
                return True
        except FileNotFoundError:
            return False

    def compress(self, sha256: str) -> bool:
        """Keep the blob gzip-compressed; whether it is now compressed.

        The compressed copy is written beside the plain one, decompressed and re-hashed against
        the original digest, and only then is the plain copy removed: a crash at any point leaves
        a readable blob. A blob that gzip does not make smaller stays as it is.
        """
        if not self.exists(sha256):
            return self.is_compressed(sha256)
        sizes = [0, 0]
        digest = hashlib.sha256()

        def packed() -> Iterator[bytes]:
            comp = zlib.compressobj(6, zlib.DEFLATED, _GZIP)
            for chunk in self.iter_chunks(sha256):
                digest.update(chunk)
                sizes[0] += len(chunk)
                out = comp.compress(chunk)
                sizes[1] += len(out)
                yield out
            tail = comp.flush()
            sizes[1] += len(tail)
            yield tail

        temp = self._write_temp(packed())
        if digest.hexdigest() != sha256:
            self._discard(temp)
            raise ArtifactCorrupted(
                f"artifact {sha256} is corrupted: its bytes hash to {digest.hexdigest()}",
                hint="restore it from a backup or re-upload the file",
            )
        if sizes[1] >= sizes[0]:
            self._discard(temp)
            return False
        self._commit_packed(temp, sha256)
        check = hashlib.sha256()
        for chunk in self._packed_chunks(sha256):
            check.update(chunk)
        if check.hexdigest() != sha256:
            self._delete_packed(sha256)
            raise ArtifactCorrupted(f"the compressed copy of artifact {sha256} does not verify")
        self._delete_plain(sha256)
        return True

    def decompress(self, sha256: str) -> bool:
        """Keep the blob plain again (a version left the archive); whether anything changed."""
        if self.exists(sha256) or not self.is_compressed(sha256):
            return False
        self.put(
            io.BufferedReader(ChunkStream(self._packed_chunks(sha256))), expected_sha256=sha256
        )
        self._delete_packed(sha256)
        return True

    def _packed_chunks(self, sha256: str) -> Iterator[bytes]:
        """The original bytes of the compressed copy, unverified."""
        with self._open_packed(sha256) as fh:
            decomp = zlib.decompressobj(_GZIP)
            while chunk := fh.read(_CHUNK):
                out = decomp.decompress(chunk)
                if out:
                    yield out
            tail = decomp.flush()
            if tail:
                yield tail

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
            if self.is_compressed(sha256):
                yield from self._packed_chunks(sha256)
                return
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

    def packed_path(self, sha256: str) -> Path:
        """Where the compressed copy of a blob lives on disk."""
        plain = self.path(sha256)
        return plain.with_name(plain.name + ".gz")

    def _open_packed(self, sha256: str) -> BinaryIO:
        return self.packed_path(sha256).open("rb")

    def _commit_packed(self, temp: str, sha256: str) -> None:
        os.replace(temp, self.packed_path(sha256))

    def _delete_plain(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def _delete_packed(self, sha256: str) -> None:
        self.packed_path(sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
        self._delete_packed(sha256)

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

    def _open_packed(self, sha256: str) -> BinaryIO:
        key = self._key(sha256) + ".gz"
        if not self.fs.exists(key):
            raise FileNotFoundError(key)
        fh: BinaryIO = self.fs.open(key, "rb")
        return fh

    def _commit_packed(self, temp: str, sha256: str) -> None:
        self.fs.mv(temp, self._key(sha256) + ".gz")

    def _delete_plain(self, sha256: str) -> None:
        key = self._key(sha256)
        if self.fs.exists(key):
            self.fs.rm(key)

    def _delete_packed(self, sha256: str) -> None:
        key = self._key(sha256) + ".gz"
        if self.fs.exists(key):
            self.fs.rm(key)

    def delete(self, sha256: str) -> None:
        self._delete_plain(sha256)
        self._delete_packed(sha256)


class ChunkStream(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (for :meth:`put`, ``tarfile``)."""

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


def open_artifact_store(location: str) -> ArtifactStore:
    """A local store for a path or ``file://`` URL, an fsspec store for any other URL."""
    if "://" not in location:
        return LocalArtifactStore(Path(location))
    if location.startswith("file://"):
        return LocalArtifactStore(Path(location.removeprefix("file://")))
    return FsspecArtifactStore(location)
