"""What every part of the registry service shares: the store, the artifacts, the clock, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from polaris.artifacts.store import ArtifactStore
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, utc_now
from polaris.models.approval_gate import PromotionGate
from polaris.models.rules import ModelVersion, StageChange
from polaris.store.session import Database

__all__ = ["RegistryBase", "finish"]


class RegistryBase:
    """The registry's dependencies; each use case (versions, stages, artifacts) extends it."""

    def __init__(
        self,
        db: Database,
        artifacts: ArtifactStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        promotion_gate: PromotionGate | None = None,
    ) -> None:
        self.db = db
        self.artifacts = artifacts
        self.clock = clock
        #: Where a production promotion asks for its approval (the governance capability).
        self.promotion_gate = promotion_gate

    # Provided by the use cases (VersionOps, StageOps); named here for those that read through
    # another's.

    def get(self, name: str, version: str) -> ModelVersion:
        """One version."""
        raise NotImplementedError

    def history(self, name: str, version: str | None = None) -> list[StageChange]:
        """Every stage move of a model (or of one version), oldest first."""
        raise NotImplementedError

    def _audit(
        self,
        s: Any,
        actor: Actor,
        action: str,
        key: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        audit_repo.add_audit(
            s,
            at=self.clock(),
            actor=actor.name,
            action=action,
            entity="model_version",
            key=key,
            before=before,
            after=after,
        )


def finish(s: Any, dry_run: bool) -> None:
    """End a write: flush (constraint errors surface as on commit); roll back a dry run."""
    s.flush()
    if dry_run:
        s.rollback()
