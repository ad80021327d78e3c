"""API version lifecycle stored in the registry: the same use cases as ``api-versions.yml``.

Each write is one database transaction that locks the API's row, loads its catalog, applies the
move through :mod:`polaris.apis.lifecycle` (which refuses illegal transitions with a
:class:`~polaris.core.errors.Conflict`), writes the changed records and appends one audit event
per changed record, all or nothing. The moves themselves are
:class:`~polaris.apis.service.APIVersionsService`'s, run over a
:class:`~polaris.apis.repo.StoredLifecycle` bound to that transaction, so the file and the
registry cannot drift apart in behaviour. ``dry_run`` computes the outcome and rolls back.

Roles: reads need viewer; register, activate, deprecate and import developer; retire approver
(retiring stops a version being served).
"""

from __future__ import annotations

import enum
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from polaris.apis.lifecycle import APIVersion, Catalog, LifecyclePolicy, LifecycleRepository
from polaris.apis.repo import (
    StoredLifecycle,
    api_version_to_dict,
    check_api_name,
    load_catalogs,
)
from polaris.apis.service import APIVersionsService, LifecycleOutcome
from polaris.audit.repo import add_audit
from polaris.core.actors import Actor, Role, require_role
from polaris.core.errors import InvalidInput, Location
from polaris.store.session import Database

__all__ = [
    "APIRegistryService",
    "PolicyOutcome",
    "catalog_to_dict",
    "outcome_to_dict",
    "set_policy",
]

_T = TypeVar("_T")


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def outcome_to_dict(o: LifecycleOutcome) -> dict[str, Any]:
    """JSON form of an outcome (the same as the CLI's ``--json`` in file mode)."""
    return {
        "action": o.action,
        "version": o.version,
        "before": None if o.before is None else api_version_to_dict(o.before),
        "after": None if o.after is None else api_version_to_dict(o.after),
        "changes": [[name, _plain(old), _plain(new)] for name, old, new in o.changes],
        "written": o.written,
    }


def catalog_to_dict(name: str, catalog: Catalog) -> dict[str, Any]:
    """JSON form of one API's catalog: its policy and versions, oldest first."""
    return {
        "name": name,
        "notice_days": catalog.policy.notice.days,
        "retirement_days": catalog.policy.retirement_after.days,
        "versions": [api_version_to_dict(v) for v in catalog],
    }


def _policy_dict(p: LifecyclePolicy) -> dict[str, int]:
    return {"notice_days": p.notice.days, "retirement_days": p.retirement_after.days}


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """What ``set_policy`` did (or, with ``dry_run``, would do) to an API's lifecycle periods."""

    api: str
    before: LifecyclePolicy
    after: LifecyclePolicy
    written: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "api": self.api,
            "before": _policy_dict(self.before),
            "after": _policy_dict(self.after),
            "written": self.written,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PolicyOutcome:
        """The outcome of :meth:`to_dict`'s JSON form."""

        def policy(p: dict[str, Any]) -> LifecyclePolicy:
            return LifecyclePolicy(
                notice=timedelta(days=int(p["notice_days"])),
                retirement_after=timedelta(days=int(p["retirement_days"])),
            )

        return cls(str(d["api"]), policy(d["before"]), policy(d["after"]), bool(d["written"]))


def set_policy(
    repo: LifecycleRepository,
    api: str,
    *,
    notice_days: int | None = None,
    retirement_days: int | None = None,
    dry_run: bool = False,
) -> PolicyOutcome:
    """Change the notice and retirement periods of one catalog (a file or the registry).

    Only later moves follow the new periods; recorded dates stay. With neither period given this
    only reports the current ones.
    """
    catalog = repo.load()
    old = catalog.policy
    new = LifecyclePolicy(
        notice=old.notice if notice_days is None else timedelta(days=notice_days),
        retirement_after=(
            old.retirement_after if retirement_days is None else timedelta(days=retirement_days)
        ),
    )
    write = new != old and not dry_run
    if write:
        repo.save(Catalog(catalog.versions, new))
    return PolicyOutcome(api, old, new, write)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class APIRegistryService:
    """API versions of every API in one database."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.clock = clock

    # -- reads --------------------------------------------------------------------------------

    def apis(self) -> dict[str, Catalog]:
        """Every API's catalog, by name."""
        with self.db.read() as s:
            return load_catalogs(s)

    def catalog(self, api: str) -> Catalog:
        """One API's catalog (empty when the API has no versions yet)."""
        with self.db.read() as s:
            return StoredLifecycle(s, api, now=self.clock()).load()

    def versions(self, api: str) -> list[APIVersion]:
        """One API's versions, oldest first."""
        return list(self.catalog(api))

    def get(self, api: str, version: str) -> APIVersion:
        """One version (:class:`~polaris.core.errors.NotFound` if it is not registered)."""
        return self.catalog(api).get(version)

    def catalog_source(self, api: str, *, ttl: float = 2.0) -> Callable[[], Catalog]:
        """A callable for :class:`~polaris.apis.middleware.APIVersioning`: the API's catalog,
        re-read at most every ``ttl`` seconds (a request never waits on the database otherwise).
        """
        check_api_name(api)
        cached: list[tuple[float, Catalog]] = []

        def source() -> Catalog:
            now = time.monotonic()
            if not cached or now - cached[0][0] >= ttl:
                cached[:] = [(now, self.catalog(api))]
            return cached[0][1]

        return source

    # -- writes -------------------------------------------------------------------------------

    def _write(
        self,
        api: str,
        actor: Actor,
        need: Role,
        action: str,
        dry_run: bool,
        step: Callable[[APIVersionsService], _T],
    ) -> _T:
        require_role(actor.role, need, f"{action} of API versions")
        now = self.clock()
        with self.db.write() as s:
            repo = StoredLifecycle(s, api, now=now, create=True, lock=True)
            result = step(APIVersionsService(repo, today=now.date))
            if dry_run:
                s.rollback()  # the API row a first use created goes too
                return result
            for before, after in repo.saved:
                record = after or before
                assert record is not None  # noqa: S101 - one of the two is always set
                add_audit(
                    s,
                    at=now,
                    actor=actor.name,
                    action=f"api-{action}",
                    entity="api_version",
                    key=f"{repo.api}:{record.version}",
                    before=None if before is None else api_version_to_dict(before),
                    after=None if after is None else api_version_to_dict(after),
                )
        return result

    def register(
        self,
        api: str,
        version: str,
        *,
        actor: Actor,
        breaking_changes: tuple[str, ...] = (),
        planned_release: date | None = None,
        migration_guide: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """Register a new version in development (409 if it exists)."""
        return self._write(
            api,
            actor,
            Role.DEVELOPER,
            "register",
            dry_run,
            lambda svc: svc.register(
                version,
                breaking_changes=breaking_changes,
                planned_release=planned_release,
                migration_guide=migration_guide,
                dry_run=dry_run,
            ),
        )

    def activate(
        self, api: str, version: str, *, actor: Actor, dry_run: bool = False
    ) -> LifecycleOutcome:
        """development -> active."""
        return self._write(
            api,
            actor,
            Role.DEVELOPER,
            "activate",
            dry_run,
            lambda svc: svc.activate(version, dry_run=dry_run),
        )

    def deprecate(
        self,
        api: str,
        version: str,
        *,
        actor: Actor,
        on: date | None = None,
        sunset: date | None = None,
        migration_guide: str | None = None,
        replacement: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """active -> deprecated, with deprecation and retirement dates."""
        return self._write(
            api,
            actor,
            Role.DEVELOPER,
            "deprecate",
            dry_run,
            lambda svc: svc.deprecate(
                version,
                on=on,
                sunset=sunset,
                migration_guide=migration_guide,
                replacement=replacement,
                dry_run=dry_run,
            ),
        )

    def retire(
        self, api: str, version: str, *, actor: Actor, force: bool = False, dry_run: bool = False
    ) -> LifecycleOutcome:
        """deprecated -> retired (approver; after the notice period unless forced)."""
        return self._write(
            api,
            actor,
            Role.APPROVER,
            "retire",
            dry_run,
            lambda svc: svc.retire(version, force=force, dry_run=dry_run),
        )

    def set_policy(
        self,
        api: str,
        *,
        actor: Actor,
        notice_days: int | None = None,
        retirement_days: int | None = None,
        dry_run: bool = False,
    ) -> PolicyOutcome:
        """Change an API's notice and retirement periods (approver: clients rely on them)."""
        require_role(actor.role, Role.APPROVER, "changing the lifecycle periods")
        now = self.clock()
        with self.db.write() as s:
            repo = StoredLifecycle(s, api, now=now, create=True, lock=True)
            out = set_policy(
                repo,
                repo.api,
                notice_days=notice_days,
                retirement_days=retirement_days,
                dry_run=dry_run,
            )
            if not out.written:
                s.rollback()
                return out
            add_audit(
                s,
                at=now,
                actor=actor.name,
                action="api-policy",
                entity="api",
                key=repo.api,
                before=_policy_dict(out.before),
                after=_policy_dict(out.after),
            )
        return out

    def import_matrix(
        self, api: str, source: str | Path, *, actor: Actor, dry_run: bool = False
    ) -> list[LifecycleOutcome]:
        """Merge the versions of a seed-shaped ``api_compatibility_matrix`` file (checked whole)."""
        return self._write(
            api,
            actor,
            Role.DEVELOPER,
            "import",
            dry_run,
            lambda svc: svc.import_matrix(source, dry_run=dry_run),
        )

    def import_text(
        self,
        api: str,
        text: str,
        *,
        actor: Actor,
        dry_run: bool = False,
        source: str = "request body",
    ) -> list[LifecycleOutcome]:
        """:meth:`import_matrix` for a document received as text (the HTTP body).

        Errors name ``source`` (with the line and field) instead of a temporary file.
        """
        require_role(actor.role, Role.DEVELOPER, "import of API versions")
        with tempfile.TemporaryDirectory(prefix="polaris-import-") as tmp:
            path = Path(tmp) / "api-versions.yml"
            path.write_text(text, encoding="utf-8")
            try:
                return self.import_matrix(api, path, actor=actor, dry_run=dry_run)
            except InvalidInput as exc:
                if exc.location.file != str(path):
                    raise
                loc = Location(file=source, line=exc.location.line, field=exc.location.field)
                raise type(exc)(exc.message, location=loc, hint=exc.hint) from None
