"""Configuration use cases: record versions, promote and roll back, report drift.

Each write is one transaction with its audit events; ``dry_run`` computes the same outcome and
rolls back. Roles: reads viewer; snapshot developer; promote and rollback approver. Promotion and
rollback pass through a :class:`PromotionGate` first: the hook where the governance capability
(approvals, freeze windows) plugs in; the default lets everything through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from polaris.audit.repo import add_audit
from polaris.configs import repo
from polaris.configs.lint import Severity, lint
from polaris.configs.loaders import DEFAULT_MAX_BYTES, parse_text
from polaris.configs.records import ConfigVersion, Deployment, deployment_to_dict, version_to_dict
from polaris.configs.rules import Drift, check_drift, config_hash
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import CheckFailed, Conflict, InvalidInput, Location, NotFound
from polaris.store.session import Database

__all__ = [
    "ConfigService",
    "OpenGate",
    "PromotionGate",
    "PromotionOutcome",
    "PromotionRequest",
    "SnapshotInput",
    "SnapshotOutcome",
]


@dataclass(frozen=True, slots=True)
class SnapshotInput:
    """One file to record: its environment, platform version, where it came from, its text."""

    environment: str
    platform_version: str
    source: str
    format: str
    text: str


@dataclass(frozen=True, slots=True)
class SnapshotOutcome:
    """A recorded version, and whether this snapshot created it (same content: same version)."""

    version: ConfigVersion
    created: bool


@dataclass(frozen=True, slots=True)
class PromotionRequest:
    """What a promotion or rollback is about to do, for a gate to judge."""

    action: str
    environment: str
    from_environment: str | None
    current: ConfigVersion | None
    target: ConfigVersion
    actor: Actor
    at: datetime


class PromotionGate(Protocol):
    """Decides whether a promotion or rollback may go ahead (approvals, freezes)."""

    def check(self, request: PromotionRequest) -> None:
        """Return to allow; raise a :class:`~polaris.core.errors.PolarisError` to refuse."""
        ...


class OpenGate:
    """The gate until governance lands: everything may go ahead."""

    def check(self, request: PromotionRequest) -> None:
        """Allow."""


@dataclass(frozen=True, slots=True)
class PromotionOutcome:
    """What a promotion or rollback did (or, dry, would do)."""

    deployment: Deployment
    previous: ConfigVersion | None
    written: bool


def _plain(data: Any) -> dict[str, Any]:
    """The document as JSON-safe data in its own key order (dates as ISO strings)."""
    out: dict[str, Any] = json.loads(json.dumps(data, default=lambda v: v.isoformat()))
    return out


_ENV = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def _check_fields(item: SnapshotInput) -> None:
    """The column bounds, checked here so SQLite and PostgreSQL refuse the same input."""
    where = Location(file=item.source[:500] or None)
    if not _ENV.fullmatch(item.environment):
        raise InvalidInput(
            f"{item.environment[:100]!r} is not an environment name",
            location=Location(file=where.file, field="environment"),
            hint="lowercase letters, digits, '-' and '_', at most 100 characters",
        )
    if len(item.platform_version) > 100 or len(item.source) > 500:
        raise InvalidInput(
            "the platform version (100 characters) or source path (500) is too long",
            location=where,
        )


class ConfigService:
    """Configuration versions and deployments in one database."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utc_now,
        gate: PromotionGate | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.db = db
        self.clock = clock
        self.gate: PromotionGate = gate or OpenGate()
        self.max_bytes = max_bytes

    # -- reads --------------------------------------------------------------------------------

    def versions(self, environment: str | None = None, *, limit: int = 100) -> list[ConfigVersion]:
        """Recorded versions, newest first."""
        with self.db.read() as s:
            return repo.list_versions(s, environment, limit=limit)

    def get(self, ref: str, environment: str | None = None) -> ConfigVersion:
        """The version a hash (prefix) names."""
        with self.db.read() as s:
            return repo.find_by_hash(s, ref, environment)

    def latest(self, environment: str, platform_version: str | None = None) -> ConfigVersion:
        """The newest recorded version of ``environment``."""
        with self.db.read() as s:
            found = repo.latest(s, environment, platform_version)
        if found is None:
            at = f" at {platform_version}" if platform_version else ""
            raise NotFound(
                f"no recorded {environment} configuration{at}",
                hint="record one with 'polaris config snapshot'",
            )
        return found

    def expected(self) -> dict[str, Deployment]:
        """Each environment's expected configuration."""
        with self.db.read() as s:
            return repo.expected(s)

    def deployments(self, environment: str | None = None) -> list[Deployment]:
        """Promotions and rollbacks, newest first."""
        with self.db.read() as s:
            return repo.deployments(s, environment)

    def drift(self, environment: str, reported: str | None) -> Drift:
        """Compare the hash a running service reports with its environment's expected one."""
        current = self.expected().get(environment)
        return check_drift(
            environment, None if current is None else current.version.digest, reported
        )

    # -- writes -------------------------------------------------------------------------------

    def snapshot(
        self,
        items: Sequence[SnapshotInput],
        *,
        actor: Actor,
        message: str = "",
        dry_run: bool = False,
    ) -> list[SnapshotOutcome]:
        """Record each file as a version of its environment; known content is not recorded twice."""
        require_role(actor.role, Role.DEVELOPER, "recording configuration versions")
        if not items:
            raise InvalidInput("nothing to record", hint="no configuration file was selected")
        now = self.clock()
        parsed = []
        for item in items:
            _check_fields(item)
            if len(item.text.encode()) > self.max_bytes:
                raise InvalidInput(
                    f"the document is larger than {self.max_bytes / 1_048_576:.1f} MiB",
                    location=Location(file=item.source),
                )
            data = parse_text(item.text, item.format, item.source)
            if not isinstance(data, dict):
                raise InvalidInput(
                    "the document is not a mapping", location=Location(file=item.source)
                )
            parsed.append((item, data, config_hash(data)))
        out: list[SnapshotOutcome] = []
        with self.db.write() as s:
            for item, data, h in parsed:
                known = repo.find_by_digest(s, item.environment, h.digest)
                if known is not None:
                    out.append(SnapshotOutcome(known, False))
                    continue
                version = ConfigVersion(
                    item.environment,
                    item.platform_version,
                    h.short,
                    h.digest,
                    item.format,
                    item.source,
                    _plain(data),
                    item.text,
                    message,
                    actor.name,
                    now,
                )
                repo.add_version(s, version)
                add_audit(
                    s,
                    at=now,
                    actor=actor.name,
                    action="config-snapshot",
                    entity="config_version",
                    key=f"{item.environment}:{h.short}",
                    before=None,
                    after=version_to_dict(version),
                )
                out.append(SnapshotOutcome(version, True))
            if dry_run:
                s.rollback()
        return out

    def _deploy(
        self,
        action: str,
        environment: str,
        target: Callable[[Any], ConfigVersion],
        *,
        actor: Actor,
        from_environment: str | None,
        reason: str,
        dry_run: bool,
        check: Callable[[ConfigVersion | None, ConfigVersion], None] | None = None,
    ) -> PromotionOutcome:
        require_role(actor.role, Role.APPROVER, f"{action} of configuration")
        now = self.clock()
        with self.db.write() as s:
            current = repo.expected(s).get(environment)
            previous = None if current is None else current.version
            chosen = target(s)
            if previous is not None and previous.digest == chosen.digest:
                raise Conflict(
                    f"{environment} already expects {chosen.hash}",
                    location=Location(field="environment"),
                )
            if check is not None:
                check(previous, chosen)
            self.gate.check(
                PromotionRequest(
                    action, environment, from_environment, previous, chosen, actor, now
                )
            )
            d = Deployment(environment, chosen, action, from_environment, actor.name, now, reason)
            repo.add_deployment(s, d)
            add_audit(
                s,
                at=now,
                actor=actor.name,
                action=f"config-{action}",
                entity="config_environment",
                key=environment,
                before=None if current is None else deployment_to_dict(current),
                after=deployment_to_dict(d),
            )
            if dry_run:
                s.rollback()
        return PromotionOutcome(d, previous, not dry_run)

    def promote(
        self,
        to_environment: str,
        *,
        actor: Actor,
        from_environment: str | None = None,
        platform_version: str | None = None,
        order: Sequence[str] = (),
        must_match: Sequence[str] = (),
        reason: str = "",
        dry_run: bool = False,
    ) -> PromotionOutcome:
        """Make ``to_environment`` expect its recorded configuration at the platform version
        ``from_environment`` runs (or ``platform_version``; the newest without either).

        Refused when the source expects nothing, the order says ``to`` comes first, or the two
        documents fail the cross-environment lint (a reference missing, a must-match value
        differing, a flag changing type).
        """
        if order and from_environment is not None:
            for env in (from_environment, to_environment):
                if env not in order:
                    raise InvalidInput(
                        f"unknown environment {env!r}", location=Location(field="environment")
                    )
            if order.index(from_environment) >= order.index(to_environment):
                raise InvalidInput(
                    f"{from_environment} does not come before {to_environment}",
                    location=Location(field="to"),
                    hint=f"promotion order: {' -> '.join(order)}",
                )
        source: list[ConfigVersion] = []

        def target(s: Any) -> ConfigVersion:
            version = platform_version
            if from_environment is not None:
                src = repo.expected(s).get(from_environment)
                if src is None:
                    raise CheckFailed(
                        f"{from_environment} expects no configuration yet",
                        hint=f"promote into {from_environment} first",
                    )
                source.append(src.version)
                version = src.version.platform_version
            found = repo.latest(s, to_environment, version)
            if found is None:
                at = f" at {version}" if version else ""
                raise NotFound(
                    f"no recorded {to_environment} configuration{at}",
                    hint="record it with 'polaris config snapshot'",
                )
            return found

        def check(_: ConfigVersion | None, chosen: ConfigVersion) -> None:
            if not source:
                return
            findings = lint(
                {source[0].environment: source[0].content, chosen.environment: chosen.content},
                must_match=must_match,
            )
            errors = [
                f for f in findings if f.severity is Severity.ERROR or f.rule == "reference-missing"
            ]
            if errors:
                first = errors[0]
                raise CheckFailed(
                    f"{len(errors)} lint problem(s) between {source[0].environment} and "
                    f"{chosen.environment}; first: {first.rule}: {first.path}: {first.message}",
                    hint="run 'polaris config lint'",
                )

        return self._deploy(
            "promote",
            to_environment,
            target,
            actor=actor,
            from_environment=from_environment,
            reason=reason,
            dry_run=dry_run,
            check=check,
        )

    def rollback(
        self, environment: str, to: str, *, actor: Actor, reason: str = "", dry_run: bool = False
    ) -> PromotionOutcome:
        """Make ``environment`` expect an earlier recorded configuration of its own."""
        return self._deploy(
            "rollback",
            environment,
            lambda s: repo.find_by_hash(s, to, environment),
            actor=actor,
            from_environment=None,
            reason=reason,
            dry_run=dry_run,
        )
