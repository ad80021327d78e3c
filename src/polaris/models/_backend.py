"""Where registry commands go: the server at ``POLARIS_URL`` (httpx), else the local store.

Both backends return the same JSON data (the API's response bodies are the core records' JSON
forms, which the local backend builds with the same functions), so every command prints the same
output either way. A server's problem+json error becomes a :class:`RemoteError` with its detail and
hint, so the CLI prints one line and exits as it would locally.

Writes take ``dry_run``; both backends then answer the real result plus ``"dry_run": true`` and
store nothing (the remote one sends ``?dry_run=true``; a dry-run registration verifies its files
with dry-run uploads and names them to the server as ``staged``).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import httpx

from polaris.core.actors import Actor, Role
from polaris.core.errors import PolarisError
from polaris.core.semver import Version
from polaris.models.gates import parse_threshold
from polaris.models.rules import (
    ReleasePin,
    Stage,
    VersionQuery,
    change_to_dict,
    release_to_dict,
    version_to_dict,
)
from polaris.models.service import Registration
from polaris.settings import Settings
from polaris.store.migrate import current_revision, head_revision, pending_revisions
from polaris.store.session import Database
from polaris.wiring import Services, build_services, migrate_store, schema_status

__all__ = ["Backend", "LocalBackend", "RemoteBackend", "RemoteError", "open_backend"]


class RemoteError(PolarisError):
    """An error answered by a Polaris server (problem+json)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.http_status = status
        self.slug = str(body.get("type", "error")).rsplit("/", 1)[-1]
        self.exit_code = 1 if status in (409, 500, 502, 503) else 2
        super().__init__(
            str(body.get("detail") or body.get("title") or status), hint=body.get("hint")
        )


class Backend(Protocol):
    """What registry commands need, in JSON form."""

    def register(
        self, name: str, payload: dict[str, Any], files: Sequence[Path], dry_run: bool = False
    ) -> dict[str, Any]:
        """Upload files, then register a version."""

    def models(self) -> list[dict[str, Any]]:
        """Model summaries."""

    def versions(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of versions."""

    def show(self, name: str, version: str) -> dict[str, Any]:
        """One version."""

    def history(self, name: str, version: str | None) -> list[dict[str, Any]]:
        """Stage moves."""

    def production(self, name: str, at: str | None) -> dict[str, Any]:
        """The production version at a time."""

    def stage(
        self, name: str, version: str, body: dict[str, Any], dry_run: bool = False
    ) -> dict[str, Any]:
        """Move a version."""

    def delete(self, name: str, version: str, dry_run: bool = False) -> dict[str, Any]:
        """Delete a development version."""

    def lineage(self, name: str, version: str) -> list[dict[str, Any]]:
        """Ancestors."""

    def download(self, name: str, version: str, filename: str, dest: BinaryIO) -> None:
        """Write one verified file."""

    def export(self, name: str, version: str, dest: BinaryIO) -> None:
        """Write the tar.gz package."""

    def platform(self) -> dict[str, Any]:
        """The platform tree."""

    def release(self, body: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """Record a platform release."""

    def token_create(self, name: str, role: str, dry_run: bool = False) -> dict[str, Any]:
        """Create a token (shown once; a dry run shows none)."""

    def token_list(self) -> list[dict[str, Any]]:
        """Token records."""

    def token_revoke(self, token_id: int, dry_run: bool = False) -> dict[str, Any]:
        """Revoke a token."""

    def gc(self, dry_run: bool) -> dict[str, Any]:
        """Apply retention."""


def _dry(data: dict[str, Any], dry_run: bool) -> dict[str, Any]:
    # The same marking the API adds to a dry run's response.
    return {**data, "dry_run": True} if dry_run else data


def _dry_params(dry_run: bool) -> dict[str, str]:
    return {"dry_run": "true"} if dry_run else {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _query(params: dict[str, Any]) -> VersionQuery:
    return VersionQuery(
        name=params.get("name"),
        stage=None if params.get("stage") is None else Stage(params["stage"]),
        tag=params.get("tag"),
        metrics=tuple(parse_threshold(m, field="metric") for m in params.get("metric") or ()),
        limit=int(params.get("limit", 50)),
        after=_decode(params.get("cursor")),
    )


def _decode(cursor: str | None) -> int | None:
    # The local backend uses the same cursor format as the API.
    if not cursor:
        return None
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return int(json.loads(raw)["after"])


def _encode(after: int | None) -> str | None:
    if after is None:
        return None
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class LocalBackend:
    """Calls the services on the local store; the OS user acts as admin (it owns the files)."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.actor = Actor(name=getpass.getuser(), role=Role.ADMIN)

    def register(
        self, name: str, payload: dict[str, Any], files: Sequence[Path], dry_run: bool = False
    ) -> dict[str, Any]:
        uploaded: dict[str, str] = {}
        staged: dict[str, int] = {}
        for path in files:
            with path.open("rb") as fh:
                blob = self.s.registry.upload_blob(fh, actor=self.actor, dry_run=dry_run)
            uploaded[path.name] = blob["sha256"]
            staged[blob["sha256"]] = blob["size"]
        reg = Registration(name=name, files={**payload.pop("files", {}), **uploaded}, **payload)
        mv = self.s.registry.register(
            reg, actor=self.actor, dry_run=dry_run, staged_blobs=staged if dry_run else None
        )
        return _dry(version_to_dict(mv), dry_run)

    def models(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.s.registry.models()]

    def versions(self, params: dict[str, Any]) -> dict[str, Any]:
        items, after = self.s.registry.search(_query(params))
        return {"items": [version_to_dict(v) for v in items], "next_cursor": _encode(after)}

    def show(self, name: str, version: str) -> dict[str, Any]:
        return version_to_dict(self.s.registry.get(name, version))

    def history(self, name: str, version: str | None) -> list[dict[str, Any]]:
        return [change_to_dict(c) for c in self.s.registry.history(name, version)]

    def production(self, name: str, at: str | None) -> dict[str, Any]:
        when = datetime.now(UTC) if at is None else datetime.fromisoformat(at)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        found = self.s.registry.production_at(name, when)
        return {
            "name": name,
            "at": when.isoformat(),
            "version": None if found is None else str(found),
        }

    def stage(
        self, name: str, version: str, body: dict[str, Any], dry_run: bool = False
    ) -> dict[str, Any]:
        mv, changes = self.s.registry.promote(
            name,
            version,
            Stage(body["stage"]),
            actor=self.actor,
            reason=body.get("reason", ""),
            criteria=[parse_threshold(c) for c in body.get("criteria", [])],
            validation=body.get("validation", {}),
            rollback_to=body.get("rollback_to"),
            dry_run=dry_run,
        )
        data = {"version": version_to_dict(mv), "changes": [change_to_dict(c) for c in changes]}
        return _dry(data, dry_run)

    def delete(self, name: str, version: str, dry_run: bool = False) -> dict[str, Any]:
        mv = self.s.registry.delete(name, version, actor=self.actor, dry_run=dry_run)
        return _dry(version_to_dict(mv), dry_run)

    def lineage(self, name: str, version: str) -> list[dict[str, Any]]:
        return [version_to_dict(v) for v in self.s.registry.lineage(name, version)]

    def download(self, name: str, version: str, filename: str, dest: BinaryIO) -> None:
        _f, chunks = self.s.registry.file(name, version, filename)
        for chunk in chunks:
            dest.write(chunk)

    def export(self, name: str, version: str, dest: BinaryIO) -> None:
        self.s.registry.export(name, version, dest)

    def platform(self) -> dict[str, Any]:
        return self.s.registry.platform()

    def release(self, body: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        pins = [
            ReleasePin(p["name"], p["kind"], Version.parse(p["version"]))
            for p in body["components"]
        ]
        rel = self.s.registry.release(
            body["version"], pins, actor=self.actor, notes=body["notes"], dry_run=dry_run
        )
        return _dry(release_to_dict(rel), dry_run)

    def token_create(self, name: str, role: str, dry_run: bool = False) -> dict[str, Any]:
        token, rec = self.s.tokens.create(name, role, actor=self.actor, dry_run=dry_run)
        return _dry({**rec.to_dict(), "token": token}, dry_run)

    def token_list(self) -> list[dict[str, Any]]:
        return [t.to_dict() for t in self.s.tokens.list(actor=self.actor)]

    def token_revoke(self, token_id: int, dry_run: bool = False) -> dict[str, Any]:
        rec = self.s.tokens.revoke(token_id, actor=self.actor, dry_run=dry_run)
        return _dry(rec.to_dict(), dry_run)

    def gc(self, dry_run: bool) -> dict[str, Any]:
        return self.s.registry.gc(actor=self.actor, dry_run=dry_run).to_dict()


class RemoteBackend:
    """Talks to a Polaris server over HTTP."""

    def __init__(self, url: str, token: str | None) -> None:
        self.base_url = url.rstrip("/") + "/api/v1"
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=60.0) as http:
                resp = http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise RemoteError(
                503,
                {"detail": f"cannot reach the Polaris server: {exc}", "hint": "check POLARIS_URL"},
            ) from None
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {"detail": resp.text[:200] or resp.reason_phrase}
            raise RemoteError(resp.status_code, body)
        ctype = resp.headers.get("content-type", "")
        return resp.json() if ctype.startswith("application/json") else resp.content

    def register(
        self, name: str, payload: dict[str, Any], files: Sequence[Path], dry_run: bool = False
    ) -> dict[str, Any]:
        uploaded: dict[str, str] = {}
        staged: list[str] = []
        for path in files:
            sha = _sha256(path)
            with path.open("rb") as fh:
                blob = self._call(
                    "PUT", f"/blobs/{sha}", content=fh.read(), params=_dry_params(dry_run)
                )
            uploaded[path.name] = sha
            if dry_run:
                staged.append(f"{sha}:{blob['size']}")
        body = {**payload, "files": {**payload.get("files", {}), **uploaded}}
        params: dict[str, Any] = {"dry_run": "true", "staged": staged} if dry_run else {}
        result: dict[str, Any] = self._call(
            "POST", f"/models/{name}/versions", json=body, params=params
        )
        return result

    def models(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", "/models")["items"]
        return items

    def versions(self, params: dict[str, Any]) -> dict[str, Any]:
        q = {k: v for k, v in params.items() if v not in (None, [], ())}
        result: dict[str, Any] = self._call("GET", "/model-versions", params=q)
        return result

    def show(self, name: str, version: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/models/{name}/versions/{version}")
        return result

    def history(self, name: str, version: str | None) -> list[dict[str, Any]]:
        params = {} if version is None else {"version": version}
        items: list[dict[str, Any]] = self._call("GET", f"/models/{name}/history", params=params)[
            "items"
        ]
        return items

    def production(self, name: str, at: str | None) -> dict[str, Any]:
        params = {} if at is None else {"at": at}
        result: dict[str, Any] = self._call("GET", f"/models/{name}/production", params=params)
        return result

    def stage(
        self, name: str, version: str, body: dict[str, Any], dry_run: bool = False
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST",
            f"/models/{name}/versions/{version}/stage",
            json=body,
            params=_dry_params(dry_run),
        )
        return result

    def delete(self, name: str, version: str, dry_run: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "DELETE", f"/models/{name}/versions/{version}", params=_dry_params(dry_run)
        )
        return result

    def lineage(self, name: str, version: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call(
            "GET", f"/models/{name}/versions/{version}/lineage"
        )["items"]
        return items

    def download(self, name: str, version: str, filename: str, dest: BinaryIO) -> None:
        data = self._call("GET", f"/models/{name}/versions/{version}/files/{filename}")
        expected = self.show(name, version)
        sha = next((f["sha256"] for f in expected["files"] if f["name"] == filename), None)
        if sha is not None and hashlib.sha256(data).hexdigest() != sha:
            raise RemoteError(502, {"detail": f"{filename}: downloaded bytes do not match {sha}"})
        dest.write(data)

    def export(self, name: str, version: str, dest: BinaryIO) -> None:
        dest.write(self._call("GET", f"/models/{name}/versions/{version}/export"))

    def platform(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/platform")
        return result

    def release(self, body: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/platform/releases", json=body, params=_dry_params(dry_run)
        )
        return result

    def token_create(self, name: str, role: str, dry_run: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/tokens", json={"name": name, "role": role}, params=_dry_params(dry_run)
        )
        return result

    def token_list(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", "/tokens")["items"]
        return items

    def token_revoke(self, token_id: int, dry_run: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "DELETE", f"/tokens/{token_id}", params=_dry_params(dry_run)
        )
        return result

    def gc(self, dry_run: bool) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/gc", params={"dry_run": "true" if dry_run else "false"}
        )
        return result


def open_backend(settings: Settings | None = None) -> Backend:
    """The remote backend when ``POLARIS_URL`` is set, else the local store (migrated).

    Neither keeps a connection open between calls (one HTTP client per request, no database
    pool), so a command needs no cleanup step.
    """
    settings = settings or Settings()
    if settings.url:
        token = None if settings.token is None else settings.token.get_secret_value()
        return RemoteBackend(settings.url, token)
    return LocalBackend(build_services(settings, migrate=settings.auto_migrate, pooled=False))


def upgrade_local(settings: Settings | None = None) -> tuple[str | None, str]:
    """Apply migrations to the configured database."""
    return migrate_store(settings or Settings())


def pending_local(settings: Settings | None = None) -> dict[str, Any]:
    """What ``upgrade_local`` would do: the current and shipped revisions and those pending."""
    settings = settings or Settings()
    db = Database(settings.resolved_database_url, pool_size=0)
    try:
        current = current_revision(db)
        return {"before": current, "pending": pending_revisions(db), "after": head_revision()}
    finally:
        db.dispose()


def store_status(settings: Settings | None = None) -> dict[str, Any]:
    """Where the configured database is and which schema revision it is at."""
    settings = settings or Settings()
    return {
        "database": _redact(settings.resolved_database_url),
        "artifacts": settings.resolved_artifact_location,
        **schema_status(settings),
    }


def _redact(url: str) -> str:
    # A password in the URL must not reach the terminal or a CI log.
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        rest = f"{user}:***@{rest.split('@', 1)[1]}"
    return scheme + sep + rest
