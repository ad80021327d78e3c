"""The outbox and the delivery log in the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from polaris.notify.tables import DeliveryRow, OutboxRow

__all__ = [
    "add_delivery",
    "add_event",
    "delivered_targets",
    "due_events",
    "has_event",
    "list_deliveries",
    "list_events",
    "mark",
]


_INSERT_EVENT = insert(cast(Table, OutboxRow.__table__))


def add_event(s: Session, event: str, subject: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue an event in the caller's transaction."""
    s.execute(
        _INSERT_EVENT,
        {
            "event": event,
            "subject": subject,
            "payload": payload,
            "created_at": now,
            "attempts": 0,
            "next_at": now,
            "sent_at": None,
            "failed": False,
            "last_error": None,
        },
    )


def has_event(s: Session, event: str, subject: str) -> bool:
    """Whether ``event`` about ``subject`` was ever queued (one-off announcements)."""
    stmt = select(OutboxRow.id).where(OutboxRow.event == event, OutboxRow.subject == subject)
    return s.scalar(stmt.limit(1)) is not None


def due_events(
    s: Session, now: datetime, limit: int = 100
) -> list[tuple[int, str, dict[str, Any], int]]:
    """Unsent events whose time has come: ``(id, event, payload, attempts)``, oldest first."""
    stmt = (
        select(OutboxRow.id, OutboxRow.event, OutboxRow.payload, OutboxRow.attempts)
        .where(OutboxRow.sent_at.is_(None), OutboxRow.failed.is_(False), OutboxRow.next_at <= now)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    return [(r[0], r[1], r[2], r[3]) for r in s.execute(stmt)]


def delivered_targets(s: Session, outbox_pk: int) -> set[str]:
    """Targets that already took this event."""
    stmt = select(DeliveryRow.target).where(
        DeliveryRow.outbox_pk == outbox_pk, DeliveryRow.ok.is_(True)
    )
    return set(s.scalars(stmt))


def add_delivery(
    s: Session, outbox_pk: int, target: str, attempt: int, ok: bool, status: str, now: datetime
) -> None:
    """Log one delivery attempt."""
    s.add(
        DeliveryRow(
            outbox_pk=outbox_pk, target=target, attempt=attempt, ok=ok, status=status[:100], at=now
        )
    )


def mark(s: Session, outbox_pk: int, **values: Any) -> None:
    """Update an outbox row."""
    s.execute(update(OutboxRow).where(OutboxRow.id == outbox_pk).values(**values))


def list_events(s: Session, limit: int = 100) -> list[dict[str, Any]]:
    """The newest outbox rows."""
    rows = s.scalars(select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "event": r.event,
            "subject": r.subject,
            "created_at": r.created_at.isoformat(),
            "attempts": r.attempts,
            "next_at": r.next_at.isoformat(),
            "sent_at": None if r.sent_at is None else r.sent_at.isoformat(),
            "failed": r.failed,
            "last_error": r.last_error,
        }
        for r in rows
    ]


def list_deliveries(s: Session, limit: int = 200) -> list[dict[str, Any]]:
    """The newest delivery attempts."""
    rows = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "event_id": r.outbox_pk,
            "target": r.target,
            "attempt": r.attempt,
            "ok": r.ok,
            "status": r.status,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]
