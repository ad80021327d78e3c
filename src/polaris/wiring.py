"""The one composition root: :class:`~polaris.settings.Settings` in, services out."""

from __future__ import annotations

from dataclasses import dataclass

from polaris.access.service import TokenService
from polaris.artifacts.store import ArtifactStore, open_artifact_store
from polaris.models.service import RegistryService
from polaris.platform.recovery_facts import RegistryFacts
from polaris.recovery.service import RecoveryService
from polaris.settings import Settings
from polaris.store.migrate import current_revision, head_revision, upgrade
from polaris.store.session import Database

__all__ = ["Services", "build_services", "migrate_store", "schema_status"]


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the CLI and the API call, built once per process."""

    settings: Settings
    db: Database
    artifacts: ArtifactStore
    registry: RegistryService
    tokens: TokenService
    recovery: RecoveryService

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()


def build_services(settings: Settings, *, migrate: bool = False, pooled: bool = True) -> Services:
    """Open the database and artifact store named by ``settings``; optionally migrate first.

    ``pooled=False`` (one-shot CLI commands) opens a connection per transaction and keeps none.
    """
    db = Database(settings.resolved_database_url, pool_size=settings.db_pool_size if pooled else 0)
    if migrate:
        upgrade(db)
    artifacts = open_artifact_store(settings.resolved_artifact_location)
    registry = RegistryService(db, artifacts)
    return Services(
        settings=settings,
        db=db,
        artifacts=artifacts,
        registry=registry,
        tokens=TokenService(db),
        recovery=RecoveryService(db, artifacts, RegistryFacts(registry)),
    )


def migrate_store(settings: Settings) -> tuple[str | None, str]:
    """Apply the shipped migrations to the configured database: ``(before, after)``."""
    db = Database(settings.resolved_database_url, pool_size=1)
    try:
        return upgrade(db)
    finally:
        db.dispose()


def schema_status(settings: Settings) -> dict[str, str | None]:
    """The configured database's schema revision and the one this Polaris ships."""
    db = Database(settings.resolved_database_url, pool_size=0)
    try:
        return {"current": current_revision(db), "head": head_revision()}
    finally:
        db.dispose()
