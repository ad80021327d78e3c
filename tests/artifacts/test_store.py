"""The content-addressed artifact store: local directory and an fsspec URL."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest

from polaris.artifacts.store import (
    ArtifactCorrupted,
    ArtifactStore,
    FsspecArtifactStore,
    LocalArtifactStore,
    open_artifact_store,
)
from polaris.core.errors import InvalidInput, NotFound

DATA = b"model weights " * 1000
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "local":
        return open_artifact_store(str(tmp_path / "artifacts"))
    return open_artifact_store(f"memory://polaris-test-{uuid.uuid4().hex}")


def test_put_returns_digest_and_reads_back_verified(store: ArtifactStore) -> None:
    assert store.put(io.BytesIO(DATA), expected_sha256=SHA) == (SHA, len(DATA))
    assert store.exists(SHA)
    assert store.read_bytes(SHA) == DATA
    assert b"".join(store.iter_verified(SHA)) == DATA
    assert store.verify(SHA) == len(DATA)


def test_put_is_idempotent(store: ArtifactStore) -> None:
    store.put_bytes(DATA)
    assert store.put_bytes(DATA) == (SHA, len(DATA))


def test_a_mismatched_upload_stores_nothing(store: ArtifactStore) -> None:
    with pytest.raises(InvalidInput, match="hash to"):
        store.put(io.BytesIO(DATA[:-1]), expected_sha256=SHA)
    assert not store.exists(SHA)


def test_missing_and_invalid_digests(store: ArtifactStore) -> None:
    with pytest.raises(NotFound, match="missing"):
        store.read_bytes("0" * 64)
    with pytest.raises(InvalidInput, match="invalid sha256"):
        store.read_bytes("../../etc/passwd")


def test_local_store_layout_and_corruption_is_detected(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    store.put_bytes(DATA)
    path = store.path(SHA)
    assert path == tmp_path / "sha256" / SHA[:2] / SHA
    assert list((tmp_path / "tmp").iterdir()) == []  # no temp file left
    path.write_bytes(DATA.replace(b"w", b"W", 1))
    with pytest.raises(ArtifactCorrupted, match=f"artifact {SHA} is corrupted"):
        store.read_bytes(SHA)
    with pytest.raises(ArtifactCorrupted):
        list(store.iter_verified(SHA))


def test_existing_blob_is_never_overwritten(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    store.put_bytes(DATA)
    inode = store.path(SHA).stat().st_ino
    store.put_bytes(DATA)
    assert store.path(SHA).stat().st_ino == inode


def test_fsspec_urls_select_the_fsspec_store(tmp_path: Path) -> None:
    assert isinstance(open_artifact_store("memory://x"), FsspecArtifactStore)
    assert isinstance(open_artifact_store(f"file://{tmp_path}"), LocalArtifactStore)
