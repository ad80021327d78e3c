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
from polaris.store.tables import BlobRow, ModelVersionRow


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
