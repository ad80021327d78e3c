"""Stage changes of model versions: promotion with its gate, archival, history, production at D.

Each move records its actor. A production promotion needs the approver role and, when the
composition root sets a :class:`~polaris.models.approval_gate.PromotionGate` (the governance
capability, ``POLARIS_GOVERNANCE_GATE``), an approved request of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from polaris.core.actors import Actor, Role, require_role
from polaris.core.semver import Version
from polaris.models import history_repo
from polaris.models import repo as version_repo
from polaris.models._base import RegistryBase, finish
from polaris.models.gates import Threshold
from polaris.models.rules import (
    ModelVersion,
    Stage,
    StageChange,
    StageChangeRequest,
    change_to_dict,
    plan_stage_change,
    production_at,
)

__all__ = ["StageOps"]


class StageOps(RegistryBase):
    """Moving versions between stages, and reading where they have been."""

    def promote(
        self,
        name: str,
        version: str,
        target: Stage,
        *,
        actor: Actor,
        reason: str = "",
        criteria: Sequence[Threshold] = (),
        validation: Mapping[str, Any] | None = None,
        rollback_to: str | None = None,
        dry_run: bool = False,
    ) -> tuple[ModelVersion, list[StageChange]]:
        """Move a version to ``target``; return it and every move recorded (archivals too)."""
        need = Role.APPROVER if target == Stage.PRODUCTION else Role.DEVELOPER
        require_role(actor.role, need, f"moving a version to {target}")
        v = Version.parse(version)
        rb = None if rollback_to is None else Version.parse(rollback_to)
        if target == Stage.PRODUCTION and self.promotion_gate is not None:
            # Before the write transaction: the gate may open a request in its own.
            previous = self.production_at(name, self.clock())
            self.promotion_gate.require(
                kind="model_promotion",
                name=name,
                version=str(v),
                previous=None if previous is None else str(previous),
                actor=actor,
                dry_run=dry_run,
            )
        now = self.clock()
        with self.db.write() as s:
            pk = version_repo.lock_model(s, name, now)
            cur = version_repo.get_version(s, name, v)
            request = StageChangeRequest(
                target=target,
                actor=actor.name,
                reason=reason,
                criteria=tuple(criteria),
                validation=dict(validation or {}),
                approved_by=actor.name if target == Stage.PRODUCTION else None,
                rollback_to=rb,
            )
            change = plan_stage_change(
                cur,
                request,
                now=now,
                has_had_production=history_repo.had_production(s, pk),
                # Only the rollback target needs checking: no need to load every version.
                known_versions=frozenset(
                    () if rb is None or not history_repo.version_exists(s, pk, rb) else (rb,)
                ),
            )
            changes: list[StageChange] = []
            if target == Stage.PRODUCTION:
                prev = version_repo.production_version(s, pk)
                if prev is not None:
                    demote = StageChange(
                        name,
                        prev,
                        Stage.PRODUCTION,
                        Stage.ARCHIVED,
                        now,
                        actor.name,
                        f"replaced in production by {v}",
                    )
                    version_repo.set_stage(s, name, prev, Stage.ARCHIVED, now)
                    history_repo.add_stage_event(s, pk, demote)
                    self._audit(
                        s,
                        actor,
                        "stage",
                        f"{name}:{prev}",
                        {"stage": "production"},
                        change_to_dict(demote),
                    )
                    changes.append(demote)
            version_repo.set_stage(s, name, v, target, now)
            history_repo.add_stage_event(s, pk, change)
            self._audit(
                s, actor, "stage", f"{name}:{v}", {"stage": str(cur.stage)}, change_to_dict(change)
            )
            changes.append(change)
            updated = replace(cur, stage=target, stage_changed_at=now)
            finish(s, dry_run)
        if not dry_run:
            self._pack_artifacts(changes)
        return updated, changes

    def _pack_artifacts(self, changes: Sequence[StageChange]) -> None:
        """Keep archived versions' files compressed (seed 4.2.1), after the move committed.

        A blob is compressed once no version outside the archive names it (blobs are shared by
        content), and made plain again when a version naming it leaves the archive. Reads are
        transparent either way, so a crash between the commit and this step only costs space.
        """
        with self.db.read() as s:
            work: dict[str, bool] = {}
            for ch in changes:
                if (ch.to_stage == Stage.ARCHIVED) == (ch.from_stage == Stage.ARCHIVED):
                    continue
                for f in version_repo.get_version(s, ch.model_name, ch.version).files:
                    work[f.sha256] = not version_repo.blob_in_use(s, f.sha256)
        for sha, archived_only in sorted(work.items()):
            if archived_only:
                self.artifacts.compress(sha)
            else:
                self.artifacts.decompress(sha)

    def history(self, name: str, version: str | None = None) -> list[StageChange]:
        """Every stage move of a model (or of one version), oldest first."""
        with self.db.read() as s:
            return history_repo.stage_history(
                s, name, version=None if version is None else Version.parse(version)
            )

    def production_at(self, name: str, at: datetime) -> Version | None:
        """The version that was in production at ``at`` (None if none was)."""
        with self.db.read() as s:
            return production_at(history_repo.stage_history(s, name, until=at), at)
