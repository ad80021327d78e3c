"""Reading the audit log (admins only); writes append through :mod:`polaris.audit.repo`."""

from __future__ import annotations

from typing import Any

from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, require_role
from polaris.store.session import Database

__all__ = ["AuditService"]


class AuditService:
    """The append-only log of every mutation, newest first."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list(
        self, *, actor: Actor, key: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest audit events, optionally for one entity key (admin only)."""
        require_role(actor.role, Role.ADMIN, "reading the audit log")
        with self.db.read() as s:
            return audit_repo.list_audit(s, key=key, limit=limit)
