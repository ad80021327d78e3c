"""Stage moves: append, read, and the questions asked of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from polaris.core.errors import Location, NotFound
from polaris.core.semver import Version
from polaris.models.gates import GateResult, Threshold
from polaris.models.repo import _INSERT_EVENT, _MV, model_pk, version_key
from polaris.models.rules import Stage, StageChange
from polaris.store.tables import StageEventRow

__all__ = ["add_stage_event", "had_production", "stage_history", "version_exists"]


def add_stage_event(s: Session, model_pk: int, ch: StageChange) -> None:
    """Record one stage move."""
    s.execute(
        _INSERT_EVENT,
        {
            "model_pk": model_pk,
            "version": str(ch.version),
            "from_stage": None if ch.from_stage is None else str(ch.from_stage),
            "to_stage": str(ch.to_stage),
            "at": ch.at,
            "actor": ch.actor,
            "reason": ch.reason,
            "details": {
                "gate_results": [r.to_dict() for r in ch.gate_results],
                "validation": dict(ch.validation),
                "approved_by": ch.approved_by,
                "rollback_to": None if ch.rollback_to is None else str(ch.rollback_to),
            },
        },
    )


def had_production(s: Session, model_pk: int) -> bool:
    """Whether any version of the model was ever moved into production."""
    return (
        s.execute(
            select(StageEventRow.id)
            .where(StageEventRow.model_pk == model_pk, StageEventRow.to_stage == "production")
            .limit(1)
        ).first()
        is not None
    )


def version_exists(s: Session, model_pk: int, version: Version) -> bool:
    """Whether the model has this version."""
    return (
        s.execute(
            select(_MV.c.id).where(
                _MV.c.model_pk == model_pk, _MV.c.version_key == version_key(version)
            )
        ).first()
        is not None
    )


def _event_to_core(row: StageEventRow, name: str) -> StageChange:
    d = row.details
    results = tuple(
        GateResult(
            Threshold(r["metric"], r["op"], float(r["value"])),
            r["actual"],
            passed=bool(r["passed"]),
            shortfall=r["shortfall"],
        )
        for r in d.get("gate_results", [])
    )
    rb = d.get("rollback_to")
    return StageChange(
        model_name=name,
        version=Version.parse(row.version),
        from_stage=None if row.from_stage is None else Stage(row.from_stage),
        to_stage=Stage(row.to_stage),
        at=row.at,
        actor=row.actor,
        reason=row.reason,
        gate_results=results,
        validation=dict(d.get("validation", {})),
        approved_by=d.get("approved_by"),
        rollback_to=None if rb is None else Version.parse(rb),
    )


def stage_history(
    s: Session, name: str, *, version: Version | None = None, until: datetime | None = None
) -> list[StageChange]:
    """Every stage move of a model (or one version), oldest first, optionally up to ``until``."""
    pk = model_pk(s, name)
    if pk is None:
        raise NotFound(f"model {name} not found", location=Location(field="name"))
    stmt = select(StageEventRow).where(StageEventRow.model_pk == pk)
    if version is not None:
        stmt = stmt.where(StageEventRow.version == str(version))
    if until is not None:
        stmt = stmt.where(StageEventRow.at <= until)
    return [_event_to_core(r, name) for r in s.scalars(stmt.order_by(StageEventRow.id))]
