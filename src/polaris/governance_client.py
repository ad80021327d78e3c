"""Where governance commands go: the server at ``POLARIS_URL`` (with ``POLARIS_TOKEN``), else the
local store, acting as ``POLARIS_USER`` (default: the OS user) with admin rights on its own files.

Both answer the API's JSON, so a command prints the same either way.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

import httpx

from polaris.approvals import ops
from polaris.core.actors import Actor, Role
from polaris.core.errors import PolarisError
from polaris.settings import Settings
from polaris.wiring import Services, build_services

__all__ = ["GovernanceClient", "LocalGovernance", "RemoteGovernance", "open_governance"]


class RemoteError(PolarisError):
    """An error answered by a Polaris server (problem+json)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.http_status = status
        self.slug = str(body.get("type", "error")).rsplit("/", 1)[-1]
        self.exit_code = 1 if status in (409, 500, 502, 503) else 2
        super().__init__(
            str(body.get("detail") or body.get("title") or status), hint=body.get("hint")
        )


class GovernanceClient:
    """One call per governance operation: ``call(method, path, body, dry_run)`` -> JSON."""

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Perform the operation the API exposes at ``method path``."""
        raise NotImplementedError


class RemoteGovernance(GovernanceClient):
    """Talks to a Polaris server."""

    def __init__(self, url: str, token: str | None) -> None:
        self.base = url.rstrip("/") + "/api/v1"
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Send the request; a problem+json answer becomes a one-line error."""
        q = {k: v for k, v in (params or {}).items() if v is not None}
        if dry_run:
            q["dry_run"] = "true"
        try:
            resp = httpx.request(
                method, self.base + path, json=body, params=q, headers=self.headers, timeout=60
            )
        except httpx.HTTPError as exc:
            raise RemoteError(
                503, {"detail": f"cannot reach the Polaris server: {exc}", "hint": "POLARIS_URL"}
            ) from None
        if resp.status_code >= 400:
            try:
                data = resp.json()
            except ValueError:
                data = {"detail": resp.text[:200]}
            raise RemoteError(resp.status_code, data)
        return resp.json()


class LocalGovernance(GovernanceClient):
    """Calls the services on the local store."""

    def __init__(self, services: Services, actor: Actor) -> None:
        self.s = services
        self.g = services.governance
        self.actor = actor

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Dispatch to the service behind the route ``method path``."""
        p = params or {}
        b = body or {}
        a = self.actor
        parts = path.strip("/").split("/")
        g = self.g
        match (method, parts):
            case ("GET", ["users"]):
                return {"items": [u.to_dict() for u in g.users.list()]}
            case ("GET", ["users", "roles"]):
                return {"items": g.users.roles()}
            case ("GET", ["users", name]):
                return g.users.get(name).to_dict()
            case ("POST", ["users"]):
                u = g.users.add(
                    b["name"],
                    b.get("roles", []),
                    actor=a,
                    email=b.get("email", ""),
                    display_name=b.get("display_name", ""),
                    dry_run=dry_run,
                )
                return _dry(u.to_dict(), dry_run)
            case ("PUT", ["users", name, "roles"]):
                return _dry(
                    g.users.set_roles(name, b["roles"], actor=a, dry_run=dry_run).to_dict(), dry_run
                )
            case ("GET", ["approvals"]):
                items = g.approvals.list(state=p.get("state"), waiting_for=p.get("waiting_for"))
                return {"items": [r.to_dict() for r in items]}
            case ("GET", ["approvals", "matrix"]):
                return g.matrix.matrix().to_dict()
            case ("GET", ["approvals", key]):
                return g.approvals.get(key).to_dict()
            case ("POST", ["approvals"]):
                return ops.open_request(g.approvals, b, actor=a, dry_run=dry_run)
            case ("POST", ["approvals", key, "override"]):
                r = g.approvals.override(key, actor=a, reason=b.get("reason", ""), dry_run=dry_run)
                return _dry(r.to_dict(), dry_run)
            case ("POST", ["approvals", key, "revise"]):
                return _dry(g.approvals.revise(key, actor=a, dry_run=dry_run).to_dict(), dry_run)
            case ("POST", ["approvals", key, verb]):
                return ops.decide(
                    g.approvals, key, verb, b.get("comment", ""), actor=a, dry_run=dry_run
                )
            case ("GET", ["releases", version, "checklist"]):
                return ops.checklist(g.checklists, version)
            case ("POST", ["releases", version, "checklist", item]):
                rec = g.checklists.tick(
                    version, item, actor=a, evidence=b.get("evidence"), dry_run=dry_run
                )
                return _dry(rec.to_dict(), dry_run)
            case ("DELETE", ["releases", version, "checklist", item]):
                return _dry(
                    g.checklists.untick(version, item, actor=a, dry_run=dry_run).to_dict(), dry_run
                )
            case ("GET", ["releases", version, "stages"]):
                return {"release": version, "items": g.checklists.stages(version)}
            case ("POST", ["releases", version, "stages"]):
                return ops.report_stage(g.checklists, version, b, actor=a, dry_run=dry_run)
            case ("GET", ["notifications"]):
                return g.outbox.log(actor=a)
            case ("POST", ["notifications", "drain"]):
                return g.outbox.tick()
        raise ValueError(f"no local operation for {method} {path}")  # pragma: no cover


def _dry(data: dict[str, Any], dry_run: bool) -> dict[str, Any]:
    return {**data, "dry_run": True} if dry_run else data


def open_governance(settings: Settings | None = None) -> GovernanceClient:
    """The remote client when ``POLARIS_URL`` is set, else the local store (migrated)."""
    settings = settings or Settings()
    if settings.url:
        token = None if settings.token is None else settings.token.get_secret_value()
        return RemoteGovernance(settings.url, token)
    services = build_services(settings, migrate=settings.auto_migrate, pooled=False)
    user = os.environ.get("POLARIS_USER") or getpass.getuser()
    return LocalGovernance(services, Actor(name=user, role=Role.ADMIN))
