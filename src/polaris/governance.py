"""Composition of the governance capabilities: users, approvals, calendar, notifications.

Built by :func:`polaris.wiring.build_services` over the same database; the approvals service gets
the users as its directory, the calendar as its freeze gate and the outbox as its event sink.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from polaris.access.users import UserService
from polaris.approvals.checklist_service import ChecklistService, load_template
from polaris.approvals.matrix_file import MatrixSource
from polaris.approvals.repo import ApprovalRequest
from polaris.approvals.service import ApprovalService
from polaris.calendar.service import SCHEDULE_NAME, CalendarService
from polaris.core.actors import Actor
from polaris.notify.config import load_targets
from polaris.notify.service import Outbox
from polaris.platform.releases import PlatformReleaseService
from polaris.project.load import governance_dir
from polaris.settings import Settings
from polaris.store.session import Database

__all__ = [
    "Governance",
    "PlatformGate",
    "RegistryFacts",
    "announce_freezes",
    "announce_overdue",
    "build_governance",
    "governance_dir",
    "platform_name",
]


@dataclass(frozen=True, slots=True)
class Governance:
    """The governance services of one process."""

    directory: Path | None
    matrix: MatrixSource
    users: UserService
    approvals: ApprovalService
    calendar: CalendarService
    outbox: Outbox
    checklists: ChecklistService
    gate: PlatformGate


class RegistryFacts:
    """Checklist facts the registry proves: a release record, a rollback target, its notes."""

    def __init__(self, releases: PlatformReleaseService) -> None:
        self.releases = releases

    def facts(self, release: str) -> dict[str, str]:
        """Facts about platform release ``release``."""
        found: dict[str, str] = {}
        releases = {str(r.version): r for r in self.releases.releases()}
        rel = releases.get(release)
        if rel is None:
            return found
        found["release_record"] = f"platform release {release} recorded by {rel.created_by}"
        if rel.notes.strip():
            found["notes_rendered"] = f"release notes of {release} ({len(rel.notes)} characters)"
        older = [r for r in self.releases.releases() if r.version < rel.version]
        if older:
            target = max(older, key=lambda r: r.version)
            found["rollback_target"] = f"rollback target: platform release {target.version}"
        return found


def platform_name(directory: Path | None) -> str:
    """The ``[platform] name`` of the platform's ``polaris.toml`` (default ``platform``)."""
    if directory is None or not (directory / "polaris.toml").is_file():
        return "platform"
    try:
        data = tomllib.loads((directory / "polaris.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return "platform"
    name = data.get("platform", {}).get("name")
    return name if isinstance(name, str) and name else "platform"


def announce_freezes(calendar: CalendarService, outbox: Outbox, now: datetime) -> list[str]:
    """Queue ``freeze.starting`` once for every window that has begun and not ended by ``now``."""
    schedule = calendar.schedule()
    if schedule is None:
        return []
    queued: list[str] = []
    for w in schedule.windows:
        if not w.contains(now):
            continue
        text = (
            f"freeze for release {w.release} from {w.start} until {w.end}: "
            f"no {'/'.join(w.frozen)} changes"
        )
        payload = {"event": "freeze.starting", "text": text, "window": w.to_dict()}
        if outbox.announce_once("freeze.starting", f"freeze-{w.release}", payload, now):
            queued.append(w.release)
    return queued


def announce_overdue(checklists: ChecklistService, outbox: Outbox, now: datetime) -> list[str]:
    """Queue ``checklist.overdue`` once per release whose post-release items are late."""
    queued: list[str] = []
    for release, late in checklists.overdue(now):
        text = (
            f"release {release}: {len(late)} post-release item(s) open after 24 hours: "
            + ", ".join(i.key for i in late)
        )
        payload = {"event": "checklist.overdue", "text": text, "items": [i.to_dict() for i in late]}
        if outbox.announce_once("checklist.overdue", f"checklist-{release}", payload, now):
            queued.append(release)
    return queued


class PlatformGate:
    """The registry's promotion gate: the approvals service, with platform releases named after
    the platform (the name the release pipeline's requests carry)."""

    def __init__(self, approvals: ApprovalService, platform: str) -> None:
        self.approvals = approvals
        self.platform = platform

    def require(
        self,
        *,
        kind: str,
        name: str,
        version: str,
        previous: str | None,
        actor: Actor,
        dry_run: bool = False,
    ) -> ApprovalRequest:
        """Pass with an approved request; otherwise open one and refuse."""
        if kind == "platform_release":
            name = self.platform
        return self.approvals.require(
            kind=kind, name=name, version=version, previous=previous, actor=actor, dry_run=dry_run
        )


def build_governance(
    settings: Settings, db: Database, releases: PlatformReleaseService
) -> Governance:
    """Wire the governance services over ``db``."""
    directory = governance_dir(settings)
    matrix = MatrixSource(directory)
    users = UserService(db, matrix.roles)
    calendar = CalendarService(None if directory is None else directory / SCHEDULE_NAME)
    outbox = Outbox(db, load_targets(directory))
    approvals = ApprovalService(db, matrix.matrix, users, freeze=calendar, events=outbox)
    checklists = ChecklistService(
        db,
        approvals=approvals,
        events=outbox,
        facts=RegistryFacts(releases),
        template=lambda: load_template(directory),
        platform=platform_name(directory),
    )
    outbox.periodic.append(lambda now: announce_freezes(calendar, outbox, now))
    outbox.periodic.append(lambda now: announce_overdue(checklists, outbox, now))
    gate = PlatformGate(approvals, platform_name(directory))
    return Governance(directory, matrix, users, approvals, calendar, outbox, checklists, gate)
