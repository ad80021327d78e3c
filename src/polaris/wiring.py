"""The one composition root: :class:`~polaris.settings.Settings` in, services out."""

from __future__ import annotations

from dataclasses import dataclass

from polaris.access.service import TokenService
from polaris.artifacts.store import ArtifactStore, open_artifact_store
from polaris.models.service import RegistryService
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database

__all__ = ["Services", "build_services"]


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the CLI and the API call, built once per process."""

    settings: Settings
    db: Database
    artifacts: ArtifactStore
    registry: RegistryService
    tokens: TokenService

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
    return Services(
        settings=settings,
        db=db,
        artifacts=artifacts,
        registry=RegistryService(db, artifacts),
        tokens=TokenService(db),
    )
