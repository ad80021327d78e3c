"""Configuration versions and deployments in the store, inside the caller's session.

Nothing here commits: :class:`~polaris.configs.service.ConfigService` owns the transaction, so a
record and its audit event land together or not at all.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polaris.configs.records import ConfigVersion, Deployment
from polaris.configs.tables import ConfigDeploymentRow, ConfigVersionRow
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound

__all__ = [
    "add_deployment",
    "add_version",
    "deployments",
    "expected",
    "find_by_digest",
    "find_by_hash",
    "latest",
    "list_versions",
]

_MIN_PREFIX = 6


def _version(r: ConfigVersionRow) -> ConfigVersion:
    return ConfigVersion(
        environment=r.environment,
        platform_version=r.platform_version,
        hash=r.hash,
        digest=r.digest,
        format=r.format,
        source=r.source,
        content=r.content,
        text=r.text,
        message=r.message,
        author=r.author,
        created_at=r.created_at,
    )


def find_by_digest(s: Session, environment: str, digest: str) -> ConfigVersion | None:
    """The version of ``environment`` with this content, if recorded."""
    row = s.scalar(
        select(ConfigVersionRow).where(
            ConfigVersionRow.environment == environment, ConfigVersionRow.digest == digest
        )
    )
    return None if row is None else _version(row)


def _row_by_digest(s: Session, environment: str, digest: str) -> ConfigVersionRow:
    row = s.scalar(
        select(ConfigVersionRow).where(
            ConfigVersionRow.environment == environment, ConfigVersionRow.digest == digest
        )
    )
    if row is None:
        raise NotFound(f"no {environment} configuration {digest[:12]}")
    return row


def add_version(s: Session, v: ConfigVersion) -> None:
    """Insert ``v`` (the caller checked it is new)."""
    s.add(
        ConfigVersionRow(
            environment=v.environment,
            platform_version=v.platform_version,
            hash=v.hash,
            digest=v.digest,
            format=v.format,
            source=v.source,
            content=v.content,
            text=v.text,
            message=v.message,
            author=v.author,
            created_at=v.created_at,
        )
    )
    try:
        s.flush()
    except IntegrityError:
        raise Conflict(
            f"the {v.environment} configuration {v.hash} was recorded at the same moment",
            hint="run the snapshot again: it will find the recorded version",
        ) from None


def find_by_hash(s: Session, ref: str, environment: str | None = None) -> ConfigVersion:
    """The version whose hash starts with ``ref`` (at least 6 hex digits; unique).

    :raises InvalidInput: not hex, too short, or matching several versions.
    :raises NotFound: no version matches.
    """
    text = ref.strip().lower()
    if len(text) < _MIN_PREFIX or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(
            f"{ref!r} is not a configuration hash",
            location=Location(field="hash"),
            hint="at least 6 hex digits of a hash shown by 'polaris config list'",
        )
    stmt = select(ConfigVersionRow).where(
        ConfigVersionRow.digest.startswith(text)
        if len(text) > 12
        else ConfigVersionRow.hash.startswith(text)
    )
    if environment is not None:
        stmt = stmt.where(ConfigVersionRow.environment == environment)
    rows = s.scalars(stmt.order_by(ConfigVersionRow.id).limit(3)).all()
    where = f" in {environment}" if environment else ""
    if not rows:
        raise NotFound(f"no configuration {text}{where}", location=Location(field="hash"))
    if len(rows) > 1:
        envs = ", ".join(sorted({r.environment for r in rows}))
        raise InvalidInput(
            f"{text} matches several configurations{where} ({envs})",
            location=Location(field="hash"),
            hint="give more hex digits, or the environment",
        )
    return _version(rows[0])


def list_versions(
    s: Session, environment: str | None = None, *, limit: int = 100
) -> list[ConfigVersion]:
    """Recorded versions, newest first."""
    stmt = select(ConfigVersionRow)
    if environment is not None:
        stmt = stmt.where(ConfigVersionRow.environment == environment)
    rows = s.scalars(stmt.order_by(ConfigVersionRow.id.desc()).limit(limit)).all()
    return [_version(r) for r in rows]


def latest(
    s: Session, environment: str, platform_version: str | None = None
) -> ConfigVersion | None:
    """The newest recorded version of ``environment`` (at ``platform_version`` if given)."""
    stmt = select(ConfigVersionRow).where(ConfigVersionRow.environment == environment)
    if platform_version is not None:
        stmt = stmt.where(ConfigVersionRow.platform_version == platform_version)
    row = s.scalar(stmt.order_by(ConfigVersionRow.id.desc()).limit(1))
    return None if row is None else _version(row)


def add_deployment(s: Session, d: Deployment) -> None:
    """Record that ``d.environment`` expects ``d.version`` from now on."""
    row = _row_by_digest(s, d.version.environment, d.version.digest)
    s.add(
        ConfigDeploymentRow(
            environment=d.environment,
            version_pk=row.id,
            action=d.action,
            from_environment=d.from_environment,
            actor=d.actor,
            at=d.at,
            reason=d.reason,
        )
    )
    s.flush()


def deployments(
    s: Session, environment: str | None = None, *, limit: int = 100
) -> list[Deployment]:
    """Promotions and rollbacks, newest first."""
    stmt = select(ConfigDeploymentRow, ConfigVersionRow).join(
        ConfigVersionRow, ConfigVersionRow.id == ConfigDeploymentRow.version_pk
    )
    if environment is not None:
        stmt = stmt.where(ConfigDeploymentRow.environment == environment)
    rows = s.execute(stmt.order_by(ConfigDeploymentRow.id.desc()).limit(limit)).all()
    return [
        Deployment(
            d.environment, _version(v), d.action, d.from_environment, d.actor, d.at, d.reason
        )
        for d, v in rows
    ]


def expected(s: Session) -> dict[str, Deployment]:
    """Each environment's current expected configuration (its newest deployment)."""
    newest = (
        select(func.max(ConfigDeploymentRow.id))
        .group_by(ConfigDeploymentRow.environment)
        .scalar_subquery()
    )
    stmt = (
        select(ConfigDeploymentRow, ConfigVersionRow)
        .join(ConfigVersionRow, ConfigVersionRow.id == ConfigDeploymentRow.version_pk)
        .where(ConfigDeploymentRow.id.in_(newest))
    )
    return {
        d.environment: Deployment(
            d.environment, _version(v), d.action, d.from_environment, d.actor, d.at, d.reason
        )
        for d, v in s.execute(stmt).all()
    }
