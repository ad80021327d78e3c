"""Where ``polaris recovery`` commands go: the server at ``POLARIS_URL`` (httpx), else this machine.

Both answer the same JSON (the API's bodies are the service's answers), so a command prints the
same either way. Remotely the server runs the backup tools with its own URL variables and reads
the stores from its ``POLARIS_PROJECT``; ``--project`` then has no effect. A server's
problem+json becomes a :class:`RemoteError`: one line, the same exit code as locally.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any, Protocol

import httpx

from polaris.core.actors import Actor, Role
from polaris.core.errors import PolarisError
from polaris.settings import Settings

__all__ = ["Backend", "LocalBackend", "RemoteBackend", "RemoteError", "open_backend"]

#: Backups and restores of large databases take minutes.
_TIMEOUT = httpx.Timeout(3600.0, connect=10.0)


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
    """What the recovery commands need, in JSON form."""

    def create(self, env: str, release: str | None, reason: str, dry_run: bool) -> dict[str, Any]:
        """Take a point."""

    def points(self, env: str | None) -> list[dict[str, Any]]:
        """Points, newest first."""

    def show(self, name: str) -> dict[str, Any]:
        """A point and its manifest."""

    def verify(self, name: str, env: str | None) -> dict[str, Any]:
        """The verification report."""

    def restore(
        self, name: str, env: str, stores: list[str], replace: bool, dry_run: bool
    ) -> dict[str, Any]:
        """Restore a point."""

    def prune(self, keep: int | None, max_age_days: float | None, dry_run: bool) -> dict[str, Any]:
        """Apply retention."""


class LocalBackend:
    """The service on this machine's store; the OS user acts as admin (it owns the files)."""

    def __init__(self, settings: Settings, project: Path | None) -> None:
        from polaris.wiring import build_services

        self.service = build_services(
            settings, migrate=settings.auto_migrate, pooled=False
        ).recovery
        self.project = project
        self.actor = Actor(name=getpass.getuser(), role=Role.ADMIN)

    def _config(self) -> Any:
        from polaris.project.databases import find_config
        from polaris.recovery.config import load_recovery_config

        return load_recovery_config(find_config(self.project or Path.cwd()))

    def create(self, env: str, release: str | None, reason: str, dry_run: bool) -> dict[str, Any]:
        return self.service.create(
            self._config(),
            environment=env,
            actor=self.actor,
            release=release,
            reason=reason,
            dry_run=dry_run,
        )

    def points(self, env: str | None) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.service.list(environment=env)]

    def show(self, name: str) -> dict[str, Any]:
        return self.service.show(name)

    def verify(self, name: str, env: str | None) -> dict[str, Any]:
        return self.service.verify(self._config(), name, actor=self.actor, environment=env)

    def restore(
        self, name: str, env: str, stores: list[str], replace: bool, dry_run: bool
    ) -> dict[str, Any]:
        return self.service.restore(
            self._config(),
            name,
            environment=env,
            actor=self.actor,
            stores=stores,
            replace=replace,
            dry_run=dry_run,
        )

    def prune(self, keep: int | None, max_age_days: float | None, dry_run: bool) -> dict[str, Any]:
        return self.service.prune(
            self._config(),
            actor=self.actor,
            keep=keep,
            max_age_days=max_age_days,
            dry_run=dry_run,
        )


class RemoteBackend:
    """``/api/v1/recovery`` of a Polaris server."""

    def __init__(self, url: str, token: str | None) -> None:
        self.base_url = url.rstrip("/") + "/api/v1/recovery"
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=_TIMEOUT) as c:
                resp = c.request(method, path, **kw)
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
        return resp.json()

    @staticmethod
    def _dry(dry_run: bool) -> dict[str, str]:
        return {"dry_run": "true"} if dry_run else {}

    def create(self, env: str, release: str | None, reason: str, dry_run: bool) -> dict[str, Any]:
        body = {"environment": env, "release": release, "reason": reason}
        found: dict[str, Any] = self._call("POST", "/points", json=body, params=self._dry(dry_run))
        return found

    def points(self, env: str | None) -> list[dict[str, Any]]:
        params = {} if env is None else {"environment": env}
        items: list[dict[str, Any]] = self._call("GET", "/points", params=params)["items"]
        return items

    def show(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"/points/{name}")
        return found

    def verify(self, name: str, env: str | None) -> dict[str, Any]:
        found: dict[str, Any] = self._call(
            "POST", f"/points/{name}/verify", json={"environment": env}
        )
        return found

    def restore(
        self, name: str, env: str, stores: list[str], replace: bool, dry_run: bool
    ) -> dict[str, Any]:
        body = {"environment": env, "stores": stores, "replace": replace}
        found: dict[str, Any] = self._call(
            "POST", f"/points/{name}/restore", json=body, params=self._dry(dry_run)
        )
        return found

    def prune(self, keep: int | None, max_age_days: float | None, dry_run: bool) -> dict[str, Any]:
        body = {"keep": keep, "max_age_days": max_age_days}
        found: dict[str, Any] = self._call("POST", "/prune", json=body, params=self._dry(dry_run))
        return found


def open_backend(project: Path | None, settings: Settings | None = None) -> Backend:
    """The server at ``POLARIS_URL`` when set, else the local store."""
    settings = settings or Settings()
    if settings.url:
        token = None if settings.token is None else settings.token.get_secret_value()
        return RemoteBackend(settings.url, token)
    return LocalBackend(settings, project)
