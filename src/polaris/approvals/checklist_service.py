"""Release checklists and pipeline stages as use cases.

- ``show`` creates a release's checklist from the template the first time and ticks, as
  ``polaris``, every item a fact proves (the fact's evidence recorded).
- ``tick``/``untick`` record who, when and an optional evidence link; audited.
- ``report_stage`` records a CI stage (seed 8.1.1) with its run URL. ``production`` needs the
  release's approval request approved; ``published`` (the release is out) needs every required
  pre-release item ticked, unless an override with a reason is given, which is audited and
  announced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from polaris.approvals import checklist_repo as repo
from polaris.approvals.checklist import (
    AUTO_FACTS,
    DEFAULT_TEMPLATE,
    ChecklistItem,
    TemplateItem,
    check_stage,
    open_required,
    parse_template,
)
from polaris.approvals.ports import EventSink
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import CheckFailed, InvalidInput, Location
from polaris.core.semver import Version
from polaris.models.approval_gate import PromotionGate
from polaris.store.session import Database

__all__ = ["CHECKLIST_NAME", "ChecklistService", "FactSource", "load_template"]

#: A platform's own checklist template, in the document's Markdown (seed 8.1.2).
CHECKLIST_NAME = "release_checklist.md"

_FACT_PREFIX = "fact:"
#: Seed 8.1.2: post-release items are due within 24 hours of the release.
POST_RELEASE_WINDOW = timedelta(hours=24)
_POLARIS = "polaris"


def load_template(directory: Path | None) -> tuple[TemplateItem, ...]:
    """``directory/release_checklist.md`` if present, else the document's template."""
    if directory is None or not (directory / CHECKLIST_NAME).is_file():
        return DEFAULT_TEMPLATE
    path = directory / CHECKLIST_NAME
    return parse_template(path.read_text(encoding="utf-8"), str(path))


class FactSource(Protocol):
    """Facts other capabilities know about a release: fact name -> evidence."""

    def facts(self, release: str) -> dict[str, str]:
        """Every fact that holds for ``release``."""
        ...


class ChecklistService:
    """Checklists and stage reports of platform releases."""

    def __init__(
        self,
        db: Database,
        *,
        approvals: PromotionGate | None = None,
        events: EventSink | None = None,
        facts: FactSource | None = None,
        template: Callable[[], tuple[TemplateItem, ...]] = lambda: DEFAULT_TEMPLATE,
        platform: str = "platform",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.platform = platform
        self.db = db
        self.approvals = approvals
        self.events = events
        self.fact_source = facts
        self.template = template
        self.clock = clock

    def _facts(self, s: Any, release: str) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.fact_source is not None:
            found.update(self.fact_source.facts(release))
        for st in repo.list_stages(s, release):
            if st["status"] != "passed":
                continue
            name = (
                st["stage"].removeprefix(_FACT_PREFIX)
                if st["stage"].startswith(_FACT_PREFIX)
                else f"stage:{st['stage']}"
            )
            found[name] = st["url"] or f"reported by {st['actor']} at {st['at']}"
        return found

    @staticmethod
    def _release(release: str) -> str:
        return str(Version.parse(release))

    def show(self, release: str) -> list[ChecklistItem]:
        """The checklist, created if new, with every provable item ticked."""
        release = self._release(release)
        now = self.clock()
        with self.db.write() as s:
            items = repo.ensure_items(s, release, self.template())
            facts = self._facts(s, release)
            for item in items:
                fact = AUTO_FACTS.get(item.key)
                if item.done or fact is None or fact not in facts:
                    continue
                before, after = repo.set_tick(
                    s, release, item.key, by=_POLARIS, at=now, evidence=facts[fact]
                )
                self._audit(s, _POLARIS, "tick", release, before, after, now)
            return repo.get_items(s, release)

    def _audit(
        self,
        s: Any,
        actor: str,
        action: str,
        release: str,
        before: ChecklistItem,
        after: ChecklistItem,
        now: datetime,
    ) -> None:
        audit_repo.add_audit(
            s,
            at=now,
            actor=actor,
            action=action,
            entity="checklist_item",
            key=f"{release}:{after.key}",
            before=before.to_dict(),
            after=after.to_dict(),
        )

    def tick(
        self,
        release: str,
        key: str,
        *,
        actor: Actor,
        evidence: str | None = None,
        dry_run: bool = False,
    ) -> ChecklistItem:
        """Tick one item as ``actor``."""
        require_role(actor.role, Role.DEVELOPER, "ticking checklist items")
        self.show(release)
        release = self._release(release)
        now = self.clock()
        with self.db.write() as s:
            before, after = repo.set_tick(s, release, key, by=actor.name, at=now, evidence=evidence)
            if before.done:
                raise CheckFailed(
                    f"{key} is already ticked by {before.ticked_by}",
                    location=Location(field="item"),
                )
            self._audit(s, actor.name, "tick", release, before, after, now)
            if dry_run:
                s.rollback()
        return after

    def untick(
        self, release: str, key: str, *, actor: Actor, dry_run: bool = False
    ) -> ChecklistItem:
        """Clear one item."""
        require_role(actor.role, Role.DEVELOPER, "unticking checklist items")
        release = self._release(release)
        now = self.clock()
        with self.db.write() as s:
            before, after = repo.set_tick(s, release, key, by=None, at=None, evidence=None)
            self._audit(s, actor.name, "untick", release, before, after, now)
            if dry_run:
                s.rollback()
        return after

    def overdue(self, now: datetime) -> list[tuple[str, list[ChecklistItem]]]:
        """Releases published over 24 hours ago whose post-release items are still open."""
        out: list[tuple[str, list[ChecklistItem]]] = []
        with self.db.read() as s:
            for release, _at in repo.published_before(s, now - POST_RELEASE_WINDOW):
                late = [
                    i
                    for i in repo.get_items(s, release)
                    if i.phase == "post_release" and not i.done
                ]
                if late:
                    out.append((release, late))
        return out

    def stages(self, release: str) -> list[dict[str, Any]]:
        """Every stage report of a release, oldest first."""
        with self.db.read() as s:
            return repo.list_stages(s, self._release(release))

    def report_stage(
        self,
        release: str,
        stage: str,
        status: str,
        *,
        actor: Actor,
        url: str | None = None,
        facts: tuple[str, ...] = (),
        override_reason: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Record a pipeline stage (and facts CI proved in it), after its governance checks."""
        require_role(actor.role, Role.DEVELOPER, "reporting release stages")
        release = self._release(release)
        with self.db.read() as s:
            latest: dict[str, str] = {}
            for st in repo.list_stages(s, release):
                latest[st["stage"]] = st["status"]
        check_stage(stage, status, latest)
        if stage == "production" and status != "failed" and self.approvals is not None:
            self.approvals.require(
                kind="platform_release",
                name=self.platform,
                version=release,
                previous=None,
                actor=actor,
                dry_run=dry_run,
            )
        overridden: list[dict[str, Any]] = []
        if stage == "published" and status == "passed":
            missing = open_required(self.show(release))
            if missing and not (override_reason or "").strip():
                raise CheckFailed(
                    f"release {release} cannot be published: {len(missing)} required pre-release "
                    "item(s) open: " + ", ".join(i.key for i in missing),
                    location=Location(field="checklist"),
                    hint="tick them (polaris checklist tick) or pass --override-reason",
                )
            overridden = [i.to_dict() for i in missing]
        for fact in facts:
            if not fact.replace("_", "").isalnum():
                raise InvalidInput(f"invalid fact name {fact!r}", location=Location(field="fact"))
        now = self.clock()
        with self.db.write() as s:
            rec = repo.add_stage(s, release, stage, status, url, actor.name, now)
            for fact in facts:
                repo.add_stage(s, release, _FACT_PREFIX + fact, "passed", url, actor.name, now)
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="stage",
                entity="release",
                key=release,
                before=None,
                after={
                    **rec,
                    "facts": list(facts),
                    "override_reason": override_reason,
                    "overridden_items": overridden,
                },
            )
            if overridden and self.events is not None:
                self.events.enqueue(
                    s,
                    "checklist.overridden",
                    release,
                    {
                        "event": "checklist.overridden",
                        "text": f"release {release} published with open items "
                        f"by {actor.name}: {override_reason}",
                        "items": overridden,
                    },
                    now,
                )
            if dry_run:
                s.rollback()
        return {**rec, "facts": list(facts), "overridden_items": overridden}
