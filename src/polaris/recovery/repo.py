"""Recovery-point rows: add, list, get, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polaris.audit.repo import add_audit
from polaris.core.actors import Actor
from polaris.core.errors import Conflict, Location, NotFound
from polaris.recovery.rules import Part, RecoveryPoint
from polaris.recovery.tables import RecoveryPointRow

__all__ = [
    "ENTITY",
    "add_point",
    "audit",
    "delete_points",
    "get_point",
    "list_points",
    "point_names",
]

#: The audit log's entity for recovery points.
ENTITY: Final = "recovery_point"


def _point(row: RecoveryPointRow) -> RecoveryPoint:
    return RecoveryPoint(
        name=row.name,
        environment=row.environment,
        created_at=row.created_at,
        created_by=row.created_by,
        release=row.release,
        reason=row.reason,
        manifest_sha256=row.manifest_sha256,
        parts=tuple(
            Part(str(p["store"]), str(p["kind"]), str(p["sha256"]), int(p["size"]))
            for p in row.parts
        ),
    )


def add_point(s: Session, point: RecoveryPoint) -> None:
    """Insert a point.

    :raises Conflict: a point of that name exists.
    """
    try:
        with s.begin_nested():
            s.add(
                RecoveryPointRow(
                    name=point.name,
                    environment=point.environment,
                    created_at=point.created_at,
                    created_by=point.created_by,
                    release=point.release,
                    reason=point.reason,
                    manifest_sha256=point.manifest_sha256,
                    parts=[
                        {"store": p.store, "kind": p.kind, "sha256": p.sha256, "size": p.size}
                        for p in point.parts
                    ],
                )
            )
    except IntegrityError:
        raise Conflict(
            f"recovery point {point.name} exists already",
            location=Location(field="name"),
            hint="take it again in a second",
        ) from None


def point_names(s: Session, prefix: str) -> list[str]:
    """Names starting with ``prefix`` (to pick a free second)."""
    return list(
        s.scalars(select(RecoveryPointRow.name).where(RecoveryPointRow.name.startswith(prefix)))
    )


def list_points(s: Session, *, environment: str | None = None) -> list[RecoveryPoint]:
    """Points, newest first."""
    stmt = select(RecoveryPointRow)
    if environment is not None:
        stmt = stmt.where(RecoveryPointRow.environment == environment)
    rows = s.scalars(
        stmt.order_by(RecoveryPointRow.created_at.desc(), RecoveryPointRow.name.desc())
    )
    return [_point(r) for r in rows]


def get_point(s: Session, name: str) -> RecoveryPoint:
    """One point.

    :raises NotFound: no such point.
    """
    row = s.scalars(select(RecoveryPointRow).where(RecoveryPointRow.name == name)).one_or_none()
    if row is None:
        raise NotFound(
            f"recovery point {name} not found",
            location=Location(field="name"),
            hint="polaris recovery list shows the points",
        )
    return _point(row)


def delete_points(s: Session, names: Sequence[str]) -> None:
    """Delete points by name."""
    if names:
        s.execute(delete(RecoveryPointRow).where(RecoveryPointRow.name.in_(list(names))))


def audit(
    s: Session,
    at: datetime,
    actor: Actor,
    action: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append an audit entry about recovery point ``key`` in the caller's transaction."""
    add_audit(
        s,
        at=at,
        actor=actor.name,
        action=action,
        entity=ENTITY,
        key=key,
        before=before,
        after=after,
    )
