"""Where ``polaris recovery`` commands go: ``/api/v1/recovery`` through :mod:`polaris.client`.

With ``POLARIS_URL`` set, the server runs the backup tools with its own URL variables and reads
the stores from its ``POLARIS_PROJECT`` (``--project`` then has no effect); otherwise the same
application runs in-process on this machine's store. One route per operation either way, and a
problem+json answer comes back as the error the service raised.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from polaris.cli._resources import close_all, on_close
from polaris.client import Client
from polaris.settings import Settings

__all__ = ["Backend", "ClientBackend", "open_backend"]

#: Backups and restores of large databases take minutes.
_TIMEOUT = 3600.0


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


class ClientBackend:
    """``/api/v1/recovery`` through :class:`polaris.client.Client`: a server, or in-process."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.call(method, "/recovery" + path, **kw)

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
    """The server at ``POLARIS_URL`` when set, else the local store in-process.

    Locally the application reads ``[recovery]`` from ``project`` (default: the platform around
    the working directory), as ``polaris serve`` does from ``POLARIS_PROJECT``.
    """
    close_all()  # what an earlier command in this process left open
    settings = settings or Settings()
    if settings.url:
        token = None if settings.token is None else settings.token.get_secret_value()
        client = Client.remote(settings.url, token, timeout=_TIMEOUT)
    else:
        local = settings.model_copy(update={"project": project or settings.project or Path.cwd()})
        client = Client.local(local)
    on_close(client.close)
    return ClientBackend(client)
