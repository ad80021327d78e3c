"""Weaviate through its backup REST API. UNTESTED: no Weaviate runs here.

``POST /v1/backups/{backend}`` with an ``id`` starts a backup of every class into the backend a
Weaviate module provides (``filesystem``, ``s3``, ``gcs``, ``azure``); ``GET
/v1/backups/{backend}/{id}`` is polled until ``SUCCESS``. The vectors stay in that backend: the
part Polaris stores is the JSON descriptor (backend, id, classes, status), and restore is ``POST
/v1/backups/{backend}/{id}/restore`` polled the same way. The URL is the Weaviate base URL with
the backend as a query parameter: ``http://host:8080/?backend=filesystem``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

from polaris.recovery.tools.interface import BackupFailed

__all__ = ["WeaviateTool"]


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackupFailed(f"not a Weaviate URL: {url!r} (write http://host:8080/?backend=s3)")
    backend = parse_qs(parts.query).get("backend", ["filesystem"])[0]
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), backend


def _wait(client: Any, url: str, what: str, timeout: float = 3600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        resp = client.get(url)
        resp.raise_for_status()
        body: dict[str, Any] = resp.json()
        status = body.get("status")
        if status == "SUCCESS":
            return body
        if status == "FAILED":
            raise BackupFailed(f"Weaviate {what} failed: {body.get('error', body)}")
        if time.monotonic() > deadline:
            raise BackupFailed(f"Weaviate {what} did not finish within {timeout:.0f} s")
        time.sleep(1)


class WeaviateTool:
    """The backup REST API of Weaviate 1.2x (backup modules)."""

    kind: ClassVar[str] = "weaviate"
    tested: ClassVar[bool] = False

    def check(self) -> None:
        """Nothing to install: the tool speaks HTTP (``httpx``)."""

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """Start a backup, wait for it, store its descriptor."""
        import httpx

        base, backend = _split(url)
        backup_id = f"polaris-{uuid.uuid4().hex[:12]}"
        with httpx.Client(timeout=60) as client:
            resp = client.post(f"{base}/v1/backups/{backend}", json={"id": backup_id})
            if resp.status_code >= 400:
                raise BackupFailed(f"Weaviate backup refused: {resp.text[:200]}")
            body = _wait(client, f"{base}/v1/backups/{backend}/{backup_id}", "backup")
        descriptor = {"backend": backend, "id": backup_id, "status": body}
        dest.write_text(json.dumps(descriptor, sort_keys=True), encoding="utf-8")
        return {"format": "weaviate-backup-descriptor", "backend": backend, "id": backup_id}

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """Restore the backup the descriptor names (Weaviate refuses existing classes)."""
        import httpx

        del replace, details
        descriptor = json.loads(dump.read_text(encoding="utf-8"))
        base, _ = _split(url)
        backend, backup_id = descriptor["backend"], descriptor["id"]
        with httpx.Client(timeout=60) as client:
            resp = client.post(f"{base}/v1/backups/{backend}/{backup_id}/restore", json={})
            if resp.status_code >= 400:
                raise BackupFailed(f"Weaviate restore refused: {resp.text[:200]}")
            _wait(client, f"{base}/v1/backups/{backend}/{backup_id}/restore", "restore")

    def is_empty(self, url: str) -> bool:
        """No class in the schema (``GET /v1/schema``)."""
        return not self.summary(url)["classes"]

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """Weaviate has no second database on one server: verify needs a scratch instance's URL."""
        raise BackupFailed(
            "Weaviate has no scratch database: set [recovery.environments.<env>] to a spare "
            f"instance and restore there instead of verifying against {url}"
        )
        yield url  # pragma: no cover - unreachable, keeps this a generator

    def summary(self, url: str) -> dict[str, Any]:
        """``{"classes": [...]}`` from ``GET /v1/schema``."""
        import httpx

        base, _ = _split(url)
        resp = httpx.get(f"{base}/v1/schema", timeout=30)
        resp.raise_for_status()
        return {"classes": sorted(c["class"] for c in resp.json().get("classes", []))}
