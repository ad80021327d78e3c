"""The store row of a recovery point (its manifest lives in the artifact store)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polaris.store.tables import Base

__all__ = ["RecoveryPointRow"]


class RecoveryPointRow(Base):
    """One recovery point: name, environment, who and when, the manifest's and parts' digests."""

    __tablename__ = "recovery_points"
    __table_args__ = (Index("ix_recovery_points_env_created", "environment", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    environment: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    release: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    parts: Mapped[list[Any]] = mapped_column(JSON)
