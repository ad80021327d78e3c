"""Platform releases (seed 2.1): record one, list them, and the platform tree.

A release pins component and model versions; every pinned model version must be registered.
Writes are one transaction with their audit row, like every registry write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import InvalidInput, Location
from polaris.core.semver import Version
from polaris.models import repo as version_repo
from polaris.models.approval_gate import PromotionGate
from polaris.platform import repo as release_repo
from polaris.platform.rules import PlatformRelease, ReleasePin, release_to_dict
from polaris.store.session import Database

__all__ = ["PlatformReleaseService"]


class PlatformReleaseService:
    """Platform releases in Polaris's store."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utc_now,
        promotion_gate: PromotionGate | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        #: Where a release record asks for its approval (the governance capability).
        self.promotion_gate = promotion_gate

    def release(
        self,
        version: str,
        pins: Sequence[ReleasePin],
        *,
        actor: Actor,
        notes: str = "",
        dry_run: bool = False,
    ) -> PlatformRelease:
        """Record a platform release pinning component and model versions."""
        require_role(actor.role, Role.DEVELOPER, "creating platform releases")
        v = Version.parse(version)
        if not pins:
            raise InvalidInput(
                "a release pins at least one component", location=Location(field="pins")
            )
        if self.promotion_gate is not None:
            older = [r.version for r in self.releases() if r.version < v]
            self.promotion_gate.require(
                kind="platform_release",
                name="platform",
                version=str(v),
                previous=str(max(older)) if older else None,
                actor=actor,
                dry_run=dry_run,
            )
        now = self.clock()
        rel = PlatformRelease(v, now, actor.name, notes, tuple(pins))
        with self.db.write() as s:
            for pin in pins:
                if pin.kind == "model":
                    version_repo.get_version(s, pin.name, pin.version)  # NotFound if not registered
            release_repo.add_release(s, rel)
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="release",
                entity="platform_release",
                key=str(v),
                before=None,
                after=release_to_dict(rel),
            )
            s.flush()
            if dry_run:
                s.rollback()
        return rel

    def releases(self) -> list[PlatformRelease]:
        """Every platform release, newest first."""
        with self.db.read() as s:
            return release_repo.list_releases(s)

    def get_release(self, version: str) -> PlatformRelease:
        """One platform release."""
        with self.db.read() as s:
            return release_repo.get_release(s, Version.parse(version))

    def platform(self) -> dict[str, Any]:
        """The platform tree: the latest release and every model's stages."""
        with self.db.read() as s:
            rel = release_repo.latest_release(s)
            models = version_repo.list_models(s)
        return {
            "release": None if rel is None else release_to_dict(rel),
            "models": [m.to_dict() for m in models],
        }
