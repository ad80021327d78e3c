"""The notification outbox and its delivery log.

An event is written to the outbox in the same transaction as the decision it reports, so a crash
between the two loses neither: the sender picks up unsent rows on restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polaris.store.tables import Base

__all__ = ["DeliveryRow", "OutboxRow"]


class OutboxRow(Base):
    """One event waiting to be delivered (or delivered: ``sent_at`` set)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (Index("ix_notify_outbox_due", "sent_at", "next_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    failed: Mapped[bool]
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveryRow(Base):
    """One attempt to deliver one event to one target."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (Index("ix_notify_deliveries_outbox", "outbox_pk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_pk: Mapped[int] = mapped_column(ForeignKey("notify_outbox.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(300))
    attempt: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool]
    status: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
