"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from polaris.store.tables import AuditRow

__all__ = ["add_audit", "list_audit"]

#: Compiled once: every write of every capability appends through it.
_INSERT_AUDIT = insert(cast(Table, AuditRow.__table__))


def add_audit(
    s: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append an audit event in the caller's transaction."""
    s.execute(
        _INSERT_AUDIT,
        {
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_key": key,
            "before": before,
            "after": after,
        },
    )


def list_audit(
    s: Session, *, entity: str | None = None, key: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest audit events first."""
    stmt = select(AuditRow)
    if entity is not None:
        stmt = stmt.where(AuditRow.entity == entity)
    if key is not None:
        stmt = stmt.where(AuditRow.entity_key == key)
    rows = s.scalars(stmt.order_by(AuditRow.id.desc()).limit(limit)).all()
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "entity": r.entity,
            "key": r.entity_key,
            "before": r.before,
            "after": r.after,
        }
        for r in rows
    ]
