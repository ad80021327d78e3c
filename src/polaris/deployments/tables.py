"""Rows of the deployments capability: deployments, their events and samples, bad releases.

The schema is owned by migrations ``0006_deployments`` and
``0009_deployment_config``; ``tests/store`` compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polaris.store.tables import Base

__all__ = ["BadReleaseRow", "DeploymentEventRow", "DeploymentRow", "DeploymentSampleRow"]


class DeploymentRow(Base):
    """One deployment of a platform release to an environment, and where it stands."""

    __tablename__ = "deployments"
    __table_args__ = (
        Index("ix_deployments_env_state", "environment", "state"),
        Index("ix_deployments_state", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    environment: Mapped[str] = mapped_column(String(100))
    release: Mapped[str] = mapped_column(String(200))
    #: ``deploy`` or ``rollback``.
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    #: The release's pins at deploy time: ``[{"name", "kind", "version"}]``.
    components: Mapped[list[Any]]
    #: The environment's configuration at deploy time (the watcher needs no config file).
    env_config: Mapped[dict[str, Any]]
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    analysing_since: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    rollback_of: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    #: What the deployer reported (ports, colours, process ids); read back by rollback.
    deployer_state: Mapped[dict[str, Any]]
    #: Analysis counters and the latest baseline statistics.
    analysis: Mapped[dict[str, Any]]
    #: Who analyses it now (one watcher at a time) and until when.
    lease_holder: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    #: Blue-green: when the previous version is scaled down.
    scale_down_at: Mapped[datetime | None]
    #: The environment's expected configuration hash at deploy time (configs); None: none known.
    config_hash: Mapped[str | None] = mapped_column(String(100), default=None)


class DeploymentEventRow(Base):
    """One entry of a deployment's timeline: a state change, a breach, a notification."""

    __tablename__ = "deployment_events"
    __table_args__ = (Index("ix_deployment_events_deployment", "deployment_pk", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class DeploymentSampleRow(Base):
    """One analysis round's readings (the charts and the baseline comparison read them)."""

    __tablename__ = "deployment_samples"
    __table_args__ = (Index("ix_deployment_samples_deployment", "deployment_pk", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    error_rate: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    probe_ok: Mapped[bool | None] = mapped_column(Boolean)
    verdict: Mapped[str] = mapped_column(String(10))


class BadReleaseRow(Base):
    """A release a rollback marked bad: not redeployed without an audited override."""

    __tablename__ = "bad_releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release: Mapped[str] = mapped_column(String(200), unique=True)
    marked_at: Mapped[datetime]
    marked_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
