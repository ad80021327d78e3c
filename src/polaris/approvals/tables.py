"""Approval requests, each reviewer's decisions, and release checklists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polaris.store.tables import Base

__all__ = ["ApprovalRequestRow", "ApprovalReviewRow", "ChecklistItemRow", "ReleaseStageRow"]


class ApprovalRequestRow(Base):
    """One request for approval of one subject; locked while a decision is recorded."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        Index("ix_approval_requests_subject", "subject_kind", "subject_name", "version"),
        Index("ix_approval_requests_state", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(50))
    subject_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(200))
    declared_level: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    level_reason: Mapped[str] = mapped_column(Text)
    impact: Mapped[dict[str, Any]]
    policy: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    state_reason: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    overridden_by: Mapped[str | None] = mapped_column(String(200))
    override_reason: Mapped[str | None] = mapped_column(Text)
    review_after: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApprovalReviewRow(Base):
    """One reviewer's decision on one revision; one per reviewer and revision."""

    __tablename__ = "approval_reviews"
    __table_args__ = (
        UniqueConstraint(
            "request_pk", "reviewer", "revision", name="uq_approval_reviews_request_reviewer"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_pk: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[Any]]
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer)
    dismissed: Mapped[bool] = mapped_column(Boolean)


class ChecklistItemRow(Base):
    """One item of a release's checklist (seed 8.1.2), ticked with who, when and evidence."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        UniqueConstraint("release", "item_key", name="uq_checklist_items_release_item"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean)
    ticked_by: Mapped[str | None] = mapped_column(String(200))
    ticked_at: Mapped[datetime | None]
    evidence: Mapped[str | None] = mapped_column(Text)


class ReleaseStageRow(Base):
    """One pipeline stage of a release (seed 8.1.1) as reported by CI, with the run's URL."""

    __tablename__ = "release_stages"
    __table_args__ = (Index("ix_release_stages_release", "release", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
