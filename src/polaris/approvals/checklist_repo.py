"""Checklist items and reported pipeline stages in the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from polaris.approvals.checklist import ChecklistItem, TemplateItem
from polaris.approvals.tables import ChecklistItemRow, ReleaseStageRow
from polaris.core.errors import Location, NotFound

__all__ = [
    "add_stage",
    "ensure_items",
    "get_items",
    "list_stages",
    "published_before",
    "set_tick",
]


def _item(r: ChecklistItemRow) -> ChecklistItem:
    return ChecklistItem(
        r.release,
        r.phase,
        r.position,
        r.item_key,
        r.title,
        r.required,
        r.ticked_by,
        r.ticked_at,
        r.evidence,
    )


def get_items(s: Session, release: str) -> list[ChecklistItem]:
    """A release's items in template order."""
    stmt = select(ChecklistItemRow).where(ChecklistItemRow.release == release)
    return [_item(r) for r in s.scalars(stmt.order_by(ChecklistItemRow.position))]


def ensure_items(
    s: Session, release: str, template: tuple[TemplateItem, ...]
) -> list[ChecklistItem]:
    """The release's items, created from ``template`` the first time."""
    items = get_items(s, release)
    if items:
        return items
    for pos, t in enumerate(template):
        s.add(
            ChecklistItemRow(
                release=release,
                phase=t.phase,
                position=pos,
                item_key=t.key,
                title=t.title,
                required=t.required,
                ticked_by=None,
                ticked_at=None,
                evidence=None,
            )
        )
    s.flush()
    return get_items(s, release)


def set_tick(
    s: Session, release: str, key: str, *, by: str | None, at: datetime | None, evidence: str | None
) -> tuple[ChecklistItem, ChecklistItem]:
    """Tick or untick one item: (before, after)."""
    stmt = select(ChecklistItemRow).where(
        ChecklistItemRow.release == release, ChecklistItemRow.item_key == key
    )
    row = s.scalar(stmt.with_for_update())
    if row is None:
        raise NotFound(
            f"release {release} has no checklist item {key!r}",
            location=Location(field="item"),
            hint=f"polaris checklist show {release}",
        )
    before = _item(row)
    s.execute(
        update(ChecklistItemRow)
        .where(ChecklistItemRow.id == row.id)
        .values(ticked_by=by, ticked_at=at, evidence=evidence)
    )
    s.refresh(row)
    return before, _item(row)


def add_stage(
    s: Session, release: str, stage: str, status: str, url: str | None, actor: str, at: datetime
) -> dict[str, Any]:
    """Record one stage report."""
    row = ReleaseStageRow(release=release, stage=stage, status=status, url=url, actor=actor, at=at)
    s.add(row)
    s.flush()
    return _stage(row)


def _stage(r: ReleaseStageRow) -> dict[str, Any]:
    return {
        "stage": r.stage,
        "status": r.status,
        "url": r.url,
        "actor": r.actor,
        "at": r.at.isoformat(),
    }


def published_before(s: Session, cutoff: datetime) -> list[tuple[str, datetime]]:
    """Releases reported ``published passed`` at or before ``cutoff``, with when."""
    stmt = select(ReleaseStageRow.release, ReleaseStageRow.at).where(
        ReleaseStageRow.stage == "published",
        ReleaseStageRow.status == "passed",
        ReleaseStageRow.at <= cutoff,
    )
    return [(r[0], r[1]) for r in s.execute(stmt)]


def list_stages(s: Session, release: str) -> list[dict[str, Any]]:
    """Every report of a release, oldest first."""
    stmt = select(ReleaseStageRow).where(ReleaseStageRow.release == release)
    return [_stage(r) for r in s.scalars(stmt.order_by(ReleaseStageRow.id))]
