"""The one composition root: :class:`~polaris.settings.Settings` in, services out."""

from __future__ import annotations

from dataclasses import dataclass

from polaris.access.service import TokenService
from polaris.apis.registry_service import APIRegistryService
from polaris.artifacts.store import ArtifactStore, open_artifact_store
from polaris.audit.service import AuditService
from polaris.configs.service import ConfigService
from polaris.core.errors import PolarisError
from polaris.governance import Governance, build_governance
from polaris.models.rules import VersionQuery
from polaris.models.service import RegistryService
from polaris.platform.recovery_facts import RegistryFacts
from polaris.platform.releases import PlatformReleaseService
from polaris.platform.service import PlatformService
from polaris.recovery.service import RecoveryService
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
    releases: PlatformReleaseService
    apis: APIRegistryService
    tokens: TokenService
    audit: AuditService
    platform: PlatformService
    governance: Governance
    configs: ConfigService
    recovery: RecoveryService

    def warm(self, name: str = "polaris-warm-up") -> None:
        """Compile the hot statements and configure the ORM (the answers do not matter).

        A database that is unreachable or not migrated yet ends the warm-up at once: the server
        still starts and /ready says what is wrong.
        """
        for call in (
            lambda: self.tokens.authenticate("pol_warm-up"),
            lambda: self.registry.get_json(name, "0.0.0"),
            lambda: self.registry.search_json(VersionQuery(name=name, limit=1)),
            lambda: self.registry.search_json(VersionQuery(name=name, tag="t", limit=1)),
            lambda: self.registry.get(name, "0.0.0"),
        ):
            try:
                call()
            except PolarisError:
                continue
            except Exception:
                return

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
    releases = PlatformReleaseService(db)
    registry = RegistryService(db, artifacts)
    governance = build_governance(settings, db, releases)
    if settings.governance_gate:
        registry.promotion_gate = governance.gate
        releases.promotion_gate = governance.gate
    return Services(
        settings=settings,
        db=db,
        artifacts=artifacts,
        registry=registry,
        releases=releases,
        apis=APIRegistryService(db),
        tokens=TokenService(db),
        audit=AuditService(db),
        platform=PlatformService(db, releases),
        governance=governance,
        configs=ConfigService(db),
        recovery=RecoveryService(db, artifacts, RegistryFacts(registry, releases)),
    )
