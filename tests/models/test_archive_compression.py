"""Archived versions keep their files gzip-compressed (seed 4.2.1), read back transparently."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)

from polaris.artifacts.store import LocalArtifactStore
from polaris.client import Client
from polaris.core.actors import Actor, Role
from polaris.core.errors import ArtifactCorrupted
from polaris.models.rules import Stage
from polaris.models.service import Registration, RegistryService
from polaris.settings import Settings
from polaris.store.session import Database

ROOT = Actor("root", Role.ADMIN)
SHARED = b"shared weights 0123456789 " * 4000
OWN = b"layer norm parameters; " * 5000


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def registry(
    migrated_db_url: str,  # noqa: F811
    store: LocalArtifactStore,
) -> Iterator[RegistryService]:
    db = Database(migrated_db_url, pool_size=2)
    yield RegistryService(db, store)
    db.dispose()


def _download(reg: RegistryService, version: str, name: str) -> bytes:
    f, chunks = reg.file("m", version, name)
    data = b"".join(chunks)
    assert hashlib.sha256(data).hexdigest() == f.sha256
    assert len(data) == f.size
    return data


def _is_compressed(store: LocalArtifactStore, sha: str, original: bytes) -> bool:
    packed = store.packed_path(sha)
    if store.path(sha).exists() or not packed.exists():
        return False
    raw = packed.read_bytes()
    assert raw[:2] == b"\x1f\x8b"  # gzip
    assert len(raw) < len(original)
    assert gzip.decompress(raw) == original
    return True


def test_archiving_compresses_only_blobs_no_live_version_needs(
    registry: RegistryService, store: LocalArtifactStore, tmp_path: Path
) -> None:
    shared = registry.upload_blob(io.BytesIO(SHARED), actor=ROOT)["sha256"]
    own = registry.upload_blob(io.BytesIO(OWN), actor=ROOT)["sha256"]
    registry.register(
        Registration(name="m", version="1.0.0", files={"w.bin": shared, "own.bin": own}),
        actor=ROOT,
    )
    registry.register(Registration(name="m", version="1.1.0", files={"w.bin": shared}), actor=ROOT)

    # a dry run moves nothing and compresses nothing
    registry.promote("m", "1.0.0", Stage.ARCHIVED, actor=ROOT, dry_run=True)
    assert store.path(own).exists() and not store.packed_path(own).exists()

    registry.promote("m", "1.0.0", Stage.ARCHIVED, actor=ROOT, reason="superseded")
    assert _is_compressed(store, own, OWN)
    # 1.1.0 (development) still names the shared blob: it stays as it is
    assert store.path(shared).exists() and not store.packed_path(shared).exists()
    # transparent reads, verified by the sha256 of the original bytes
    assert _download(registry, "1.0.0", "own.bin") == OWN
    assert _download(registry, "1.0.0", "w.bin") == SHARED
    assert store.verify(own) == len(OWN)
    pkg = io.BytesIO()
    registry.export("m", "1.0.0", pkg)
    with tarfile.open(fileobj=io.BytesIO(pkg.getvalue())) as tar:
        member = tar.extractfile("m-1.0.0/own.bin")
        assert member is not None and member.read() == OWN

    # archiving the last live version that names it compresses the shared blob too
    registry.promote("m", "1.1.0", Stage.ARCHIVED, actor=ROOT)
    assert _is_compressed(store, shared, SHARED)
    assert _download(registry, "1.1.0", "w.bin") == SHARED

    # a rollback out of the archive makes its files plain again; the other archived one stays
    registry.promote(
        "m", "1.1.0", Stage.STAGING, actor=ROOT, validation={"smoke": "passed"}, reason="rollback"
    )
    assert store.path(shared).read_bytes() == SHARED
    assert not store.packed_path(shared).exists()
    assert _is_compressed(store, own, OWN)

    # a changed byte in the compressed copy is an error, never served
    packed = store.packed_path(own)
    data = bytearray(gzip.decompress(packed.read_bytes()))
    data[100] ^= 1
    packed.write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(ArtifactCorrupted):
        registry.file("m", "1.0.0", "own.bin")


def test_incompressible_blobs_stay_plain(
    registry: RegistryService, store: LocalArtifactStore
) -> None:
    noise = os.urandom(50_000)
    sha = registry.upload_blob(io.BytesIO(noise), actor=ROOT)["sha256"]
    registry.register(Registration(name="m", version="2.0.0", files={"n.bin": sha}), actor=ROOT)
    registry.promote("m", "2.0.0", Stage.ARCHIVED, actor=ROOT)
    assert store.path(sha).read_bytes() == noise
    assert not store.packed_path(sha).exists()
    assert not store.is_compressed(sha)
    assert _download(registry, "2.0.0", "n.bin") == noise


def test_store_compress_and_delete(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "a")
    sha, size = store.put_bytes(OWN)
    assert store.compress(sha) is True
    assert store.compress(sha) is True  # already compressed: nothing to do
    assert store.is_compressed(sha)
    assert store.read_bytes(sha) == OWN and size == len(OWN)
    assert store.decompress(sha) is True
    assert store.path(sha).read_bytes() == OWN and not store.is_compressed(sha)
    store.compress(sha)
    store.delete(sha)
    assert not store.path(sha).exists() and not store.packed_path(sha).exists()


def test_download_over_the_api_after_archiving(tmp_path: Path) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(OWN)
    home = tmp_path / "home"
    with Client.local(Settings(home=home), user="carol") as client:
        client.register("m", {"version": "1.0.0"}, [weights])
        client.stage("m", "1.0.0", {"stage": "archived", "reason": "old"})
        store = LocalArtifactStore(home / "artifacts")
        sha = hashlib.sha256(OWN).hexdigest()
        assert _is_compressed(store, sha, OWN)
        out = io.BytesIO()
        client.download("m", "1.0.0", "model.bin", out)  # the client checks the sha256 too
        assert out.getvalue() == OWN
