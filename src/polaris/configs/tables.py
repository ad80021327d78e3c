"""Rows of configuration versioning: recorded versions, and which one each environment expects.

The schema is created by ``store/migrations/versions/0004_configs.py``; the store tests compare
the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polaris.store.tables import Base

__all__ = ["ConfigDeploymentRow", "ConfigVersionRow"]


class ConfigVersionRow(Base):
    """One recorded configuration of one environment (seed 7.1.2 ``ConfigurationVersion``).

    The same content in the same environment is the same row (unique digest): a snapshot is
    idempotent.
    """

    __tablename__ = "config_versions"
    __table_args__ = (
        UniqueConstraint("environment", "digest", name="uq_config_versions_env_digest"),
        Index("ix_config_versions_hash", "hash"),
        Index("ix_config_versions_env_page", "environment", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    environment: Mapped[str] = mapped_column(String(100))
    platform_version: Mapped[str] = mapped_column(String(100))
    hash: Mapped[str] = mapped_column(String(12))
    digest: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(500))
    content: Mapped[dict[str, Any]]
    """The document with its ``${...}`` references, never their values."""
    text: Mapped[str] = mapped_column(Text)
    """The file as written (comments and key order), to restore it exactly."""
    message: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ConfigDeploymentRow(Base):
    """An environment's expected configuration from this point on (promote or rollback).

    The newest row of an environment names the hash its services must report.
    """

    __tablename__ = "config_deployments"
    __table_args__ = (Index("ix_config_deployments_env_page", "environment", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    environment: Mapped[str] = mapped_column(String(100))
    version_pk: Mapped[int] = mapped_column(ForeignKey("config_versions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    from_environment: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
