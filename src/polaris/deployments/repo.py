"""Deployments in the store: records, their timeline and samples, leases, bad releases."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, text, update
from sqlalchemy.orm import Session

from polaris.core.errors import Location, NotFound
from polaris.deployments.rules import ACTIVE_STATES, State
from polaris.deployments.tables import (
    BadReleaseRow,
    DeploymentEventRow,
    DeploymentRow,
    DeploymentSampleRow,
)

__all__ = [
    "active_in",
    "add_event",
    "add_sample",
    "bad_release",
    "claim",
    "current_in",
    "events_of",
    "get_deployment",
    "last_healthy",
    "list_deployments",
    "live_at",
    "lock_environment",
    "mark_bad",
    "renew",
    "samples_of",
    "scale_down_due",
    "stale_in_flight",
    "was_healthy",
]

_LIVE = (State.ANALYSING, State.HEALTHY, State.DEGRADED)


def get_deployment(s: Session, dep_id: int, *, lock: bool = False) -> DeploymentRow:
    """One deployment; :class:`NotFound` if absent."""
    stmt = select(DeploymentRow).where(DeploymentRow.id == dep_id)
    row = s.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound(f"deployment #{dep_id} not found", location=Location(field="id"))
    return row


def lock_environment(s: Session, env: str) -> None:
    """Serialise deployment writers of ``env`` until the transaction ends.

    SQLite write transactions are serial already (``BEGIN IMMEDIATE``); on PostgreSQL a
    transaction-scoped advisory lock keyed by the environment keeps two concurrent requests from
    both finding it free.
    """
    if s.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"polaris-deploy:{env}".encode()) - 2**31
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def active_in(s: Session, env: str) -> DeploymentRow | None:
    """The deployment holding ``env`` (pending, progressing or analysing), if any."""
    return s.scalar(
        select(DeploymentRow)
        .where(DeploymentRow.environment == env, DeploymentRow.state.in_(list(ACTIVE_STATES)))
        .order_by(DeploymentRow.id.desc())
        .limit(1)
    )


def current_in(s: Session, env: str) -> DeploymentRow | None:
    """What runs in ``env`` now: the newest deployment that reached analysis and still stands."""
    return s.scalar(
        select(DeploymentRow)
        .where(DeploymentRow.environment == env, DeploymentRow.state.in_(list(_LIVE)))
        .order_by(DeploymentRow.id.desc())
        .limit(1)
    )


def list_deployments(s: Session, *, env: str | None = None, limit: int = 50) -> list[DeploymentRow]:
    """Newest first."""
    stmt = select(DeploymentRow)
    if env is not None:
        stmt = stmt.where(DeploymentRow.environment == env)
    return list(s.scalars(stmt.order_by(DeploymentRow.id.desc()).limit(limit)))


def add_event(
    s: Session,
    dep_id: int,
    *,
    at: datetime,
    kind: str,
    message: str,
    state: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append to a deployment's timeline."""
    s.add(
        DeploymentEventRow(
            deployment_pk=dep_id, at=at, kind=kind, state=state, message=message, data=data or {}
        )
    )


def events_of(s: Session, dep_id: int) -> list[DeploymentEventRow]:
    """A deployment's timeline, oldest first."""
    return list(
        s.scalars(
            select(DeploymentEventRow)
            .where(DeploymentEventRow.deployment_pk == dep_id)
            .order_by(DeploymentEventRow.id)
        )
    )


def add_sample(s: Session, dep_id: int, **values: Any) -> None:
    """Record one analysis round."""
    s.add(DeploymentSampleRow(deployment_pk=dep_id, **values))


def samples_of(s: Session, dep_id: int, limit: int = 2000) -> list[DeploymentSampleRow]:
    """A deployment's analysis rounds, oldest first (the newest ``limit``)."""
    rows = s.scalars(
        select(DeploymentSampleRow)
        .where(DeploymentSampleRow.deployment_pk == dep_id)
        .order_by(DeploymentSampleRow.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


def _reached_healthy() -> Any:
    return exists().where(
        DeploymentEventRow.deployment_pk == DeploymentRow.id,
        DeploymentEventRow.state == State.HEALTHY.value,
    )


def was_healthy(s: Session, env: str, release: str) -> bool:
    """Whether ``release`` ever reached healthy in ``env``."""
    return (
        s.scalar(
            select(DeploymentRow.id)
            .where(
                DeploymentRow.environment == env,
                DeploymentRow.release == release,
                _reached_healthy(),
            )
            .limit(1)
        )
        is not None
    )


def last_healthy(s: Session, env: str, *, exclude: str) -> DeploymentRow | None:
    """The newest deployment in ``env`` that reached healthy, of a release other than
    ``exclude`` and not marked bad."""
    bad = select(BadReleaseRow.release)
    return s.scalar(
        select(DeploymentRow)
        .where(
            DeploymentRow.environment == env,
            DeploymentRow.release != exclude,
            DeploymentRow.release.not_in(bad),
            _reached_healthy(),
        )
        .order_by(DeploymentRow.id.desc())
        .limit(1)
    )


def bad_release(s: Session, release: str) -> BadReleaseRow | None:
    """The bad mark of ``release``, if any."""
    return s.scalar(select(BadReleaseRow).where(BadReleaseRow.release == release))


def mark_bad(s: Session, release: str, *, at: datetime, by: str, reason: str) -> None:
    """Mark ``release`` bad (once)."""
    if bad_release(s, release) is None:
        s.add(BadReleaseRow(release=release, marked_at=at, marked_by=by, reason=reason))


def claim(s: Session, holder: str, *, now: datetime, until: datetime) -> list[DeploymentRow]:
    """Take the analysis lease of analysing deployments nobody holds; the rows newly taken."""
    free = and_(
        DeploymentRow.state == State.ANALYSING.value,
        or_(DeploymentRow.lease_until.is_(None), DeploymentRow.lease_until < now),
    )
    ids = list(s.scalars(select(DeploymentRow.id).where(free)))
    if not ids:
        return []
    s.execute(
        update(DeploymentRow)
        .where(free, DeploymentRow.id.in_(ids))
        .values(lease_holder=holder, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return list(
        s.scalars(
            select(DeploymentRow).where(
                DeploymentRow.id.in_(ids), DeploymentRow.lease_holder == holder
            )
        )
    )


def renew(s: Session, holder: str, *, until: datetime | None) -> None:
    """Extend (or, with ``None``, give up) every analysis lease ``holder`` has."""
    s.execute(
        update(DeploymentRow)
        .where(DeploymentRow.lease_holder == holder, DeploymentRow.state == State.ANALYSING.value)
        .values(lease_until=until, lease_holder=holder if until is not None else None)
        .execution_options(synchronize_session=False)
    )


def scale_down_due(s: Session, now: datetime) -> list[DeploymentRow]:
    """Deployments whose previous version's scale-down time has come."""
    return list(
        s.scalars(
            select(DeploymentRow).where(
                DeploymentRow.scale_down_at.is_not(None), DeploymentRow.scale_down_at <= now
            )
        )
    )


def stale_in_flight(s: Session, now: datetime) -> list[DeploymentRow]:
    """Pending or progressing deployments nobody holds any more (their process died)."""
    return list(
        s.scalars(
            select(DeploymentRow).where(
                DeploymentRow.state.in_([State.PENDING.value, State.PROGRESSING.value]),
                or_(DeploymentRow.lease_until.is_(None), DeploymentRow.lease_until < now),
            )
        )
    )


def live_at(s: Session, env: str, at: datetime) -> DeploymentRow | None:
    """The deployment serving ``env`` at ``at``: the newest to have started analysis by then."""
    started = select(DeploymentEventRow.deployment_pk).where(
        DeploymentEventRow.state == State.ANALYSING.value, DeploymentEventRow.at <= at
    )
    return s.scalar(
        select(DeploymentRow)
        .where(DeploymentRow.environment == env, DeploymentRow.id.in_(started))
        .order_by(DeploymentRow.id.desc())
        .limit(1)
    )
