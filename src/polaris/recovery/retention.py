"""Retention of recovery points: delete those past the policy and the blobs only they used."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from polaris.artifacts.store import ArtifactStore
from polaris.core.actors import Actor
from polaris.recovery import repo
from polaris.recovery.rules import plan_retention, unreferenced_blobs
from polaris.store.session import Database

__all__ = ["prune_points"]


def prune_points(
    db: Database,
    artifacts: ArtifactStore,
    *,
    actor: Actor,
    keep: int,
    max_age_days: float | None,
    now: datetime,
    dry_run: bool,
) -> dict[str, Any]:
    """Apply the policy in one transaction (rows and audit entries), then delete the blobs.

    A dry run answers the same report, plus ``"dry_run": true``, and changes nothing.
    """
    with db.write() as s:
        points = repo.list_points(s)
        drop = plan_retention(points, keep=keep, max_age_days=max_age_days, now=now)
        names = {p.name for p, _ in drop}
        blobs = unreferenced_blobs([p for p, _ in drop], [p for p in points if p.name not in names])
        report = {
            "keep": keep,
            "max_age_days": max_age_days,
            "deleted": [
                {"name": p.name, "environment": p.environment, "reason": why} for p, why in drop
            ],
            "blobs": blobs,
        }
        if dry_run:
            s.rollback()
            return {**report, "dry_run": True}
        repo.delete_points(s, sorted(names))
        for p, why in drop:
            repo.audit(s, now, actor, "recovery.prune", p.name, p.to_dict(), {"reason": why})
    for sha in blobs:  # after commit: a crash here leaves only unreferenced files
        artifacts.delete(sha)
    return report
