"""A server killed (SIGKILL) mid-upload leaves nothing half-done; the retry succeeds."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from polaris.access.service import TokenService
from polaris.core.actors import Actor, Role
from polaris.store.migrate import upgrade
from polaris.store.session import Database
from polaris.store.tables import AuditRow, BlobRow, ModelVersionRow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POLARIS_HOME": str(home)}
    code = (
        "import uvicorn; uvicorn.run('polaris.app:create_app', factory=True, "
        f"host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def test_sigkill_during_upload_leaves_no_half_registered_version(tmp_path: Path) -> None:
    db = Database(f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}", pool_size=1)
    upgrade(db)
    token, _ = TokenService(db).create("ci", "developer", actor=Actor("root", Role.ADMIN))
    headers = {"Authorization": f"Bearer {token}"}
    data = os.urandom(4 << 20)
    sha = hashlib.sha256(data).hexdigest()
    port = free_port()
    proc = start(tmp_path, port)

    def slow_body() -> Iterator[bytes]:
        for i in range(0, len(data), 256 << 10):
            if i == 1 << 20:  # a quarter through: kill the server
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            yield data[i : i + (256 << 10)]
            time.sleep(0.01)

    with pytest.raises(httpx.HTTPError):
        httpx.put(
            f"http://127.0.0.1:{port}/api/v1/blobs/{sha}",
            content=slow_body(),
            headers=headers,
            timeout=10,
        )
    assert proc.returncode == -signal.SIGKILL
    blobs = tmp_path / "artifacts" / "sha256"
    assert not blobs.exists() or not any(blobs.rglob("*"))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(BlobRow)) == 0
        assert s.scalar(select(func.count()).select_from(ModelVersionRow)) == 0

    proc = start(tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        r = httpx.put(f"{base}/blobs/{sha}", content=data, headers=headers, timeout=30)
        assert r.status_code == 201, r.text
        body = {"version": "1.0.0", "files": {"model.bin": sha}}
        r = httpx.post(f"{base}/models/big/versions", json=body, headers=headers, timeout=30)
        assert r.status_code == 201, r.text
        got = httpx.get(f"{base}/models/big/versions/1.0.0/files/model.bin", headers=headers)
        assert hashlib.sha256(got.content).hexdigest() == sha
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        db.dispose()


# -- kills that land in the artifact store and in the registration transaction ---------------------

# The server process with a pause injected at one point, so the kill lands exactly there: in the
# artifact store's temp-file write, or inside the registration transaction after its rows and
# audit row are written but before the commit. The marker file says the pause has begun.
_PAUSED_SERVER = """
import os, pathlib, time, uvicorn
from polaris.artifacts import store
from polaris.audit import repo as audit_repo
where, marker = os.environ["POLARIS_TEST_PAUSE"], pathlib.Path(os.environ["POLARIS_TEST_MARKER"])
if where == "store":
    original = store.LocalArtifactStore._write_temp
    def _write_temp(self, chunks):
        def slow():
            for i, chunk in enumerate(chunks):
                yield chunk
                if i == 2:
                    marker.write_text("paused")
                    time.sleep(120)
        return original(self, slow())
    store.LocalArtifactStore._write_temp = _write_temp
else:
    add_audit = audit_repo.add_audit
    def paused_add_audit(s, **kw):
        add_audit(s, **kw)
        if kw.get("action") == "register":
            s.flush()
            marker.write_text("paused")
            time.sleep(120)
    audit_repo.add_audit = paused_add_audit
uvicorn.run("polaris.app:create_app", factory=True, host="127.0.0.1", port=%d, log_level="warning")
"""


def _start_paused(home: Path, port: int, where: str, marker: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "POLARIS_HOME": str(home),
        "POLARIS_TEST_PAUSE": where,
        "POLARIS_TEST_MARKER": str(marker),
    }
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_SERVER % port], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def _send_and_kill(proc: subprocess.Popen[bytes], marker: Path, send: object) -> None:
    """Run ``send`` in a thread; SIGKILL the server once it reports the pause."""
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        try:
            send()  # type: ignore[operator]
        except httpx.HTTPError as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the server never reached the injected pause"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    t.join(timeout=30)
    assert errors, "the request should have failed with the server killed"


@pytest.mark.parametrize("where", ["store", "register"])
def test_sigkill_in_the_store_write_or_the_registration_transaction(
    tmp_path: Path, where: str
) -> None:
    db = Database(f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}", pool_size=1)
    upgrade(db)
    tokens = TokenService(db)
    admin = Actor("root", Role.ADMIN)
    token, _ = tokens.create("ci", "developer", actor=admin)
    headers = {"Authorization": f"Bearer {token}"}
    data = os.urandom(12 << 20)  # over the route's 8 MiB in-memory spool
    sha = hashlib.sha256(data).hexdigest()
    port = free_port()
    marker = tmp_path / "paused"
    base = f"http://127.0.0.1:{port}/api/v1"
    body = {"version": "1.0.0", "files": {"model.bin": sha}}
    proc = _start_paused(tmp_path, port, where, marker)
    try:
        if where == "register":
            r = httpx.put(f"{base}/blobs/{sha}", content=data, headers=headers, timeout=60)
            assert r.status_code == 201, r.text

        def send() -> None:
            if where == "store":
                httpx.put(f"{base}/blobs/{sha}", content=data, headers=headers, timeout=60)
            else:
                httpx.post(f"{base}/models/big/versions", json=body, headers=headers, timeout=60)

        _send_and_kill(proc, marker, send)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    artifacts = tmp_path / "artifacts"
    temps = sorted((artifacts / "tmp").glob("upload-*"))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ModelVersionRow)) == 0
        blob_rows = s.scalar(select(func.count()).select_from(BlobRow))
    if where == "store":
        # The kill landed in the store's write: a partial temp file, no blob, no row.
        assert len(temps) == 1 and 0 < temps[0].stat().st_size < len(data)
        assert not (artifacts / "sha256").exists() or not any((artifacts / "sha256").rglob("*"))
        assert blob_rows == 0
        # gc removes the temp file once it is older than any upload in flight.
        from polaris.artifacts.store import LocalArtifactStore
        from polaris.models.service import RegistryService

        reg = RegistryService(db, LocalArtifactStore(artifacts))
        reg.gc(actor=admin, dry_run=False)
        assert temps[0].exists()  # fresh: it could belong to an upload still running
        old = time.time() - 2 * 3600
        os.utime(temps[0], (old, old))
        reg.gc(actor=admin, dry_run=False)
        assert not any((artifacts / "tmp").iterdir())
    else:
        # The kill landed inside the transaction: the version row and its audit row are gone.
        assert temps == []
        assert blob_rows == 1
        with db.read() as s:
            actions = s.scalars(select(AuditRow.action)).all()
        assert "register" not in actions
    marker.unlink()
    proc = start(tmp_path, port)
    try:
        r = httpx.put(f"{base}/blobs/{sha}", content=data, headers=headers, timeout=60)
        assert r.status_code == 201, r.text
        r = httpx.post(f"{base}/models/big/versions", json=body, headers=headers, timeout=60)
        assert r.status_code == 201, r.text
        got = httpx.get(f"{base}/models/big/versions/1.0.0/files/model.bin", headers=headers)
        assert hashlib.sha256(got.content).hexdigest() == sha
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        db.dispose()
