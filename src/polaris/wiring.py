"""The one composition root: :class:`~polaris.settings.Settings` in, services out."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polaris.access.service import TokenService
from polaris.apis.registry_service import APIRegistryService
from polaris.artifacts.store import ArtifactStore, open_artifact_store
from polaris.audit.service import AuditService
from polaris.configs.service import ConfigService
from polaris.core.errors import PolarisError
from polaris.deployments import open as deployments_open
from polaris.deployments.hooks import DeploymentHooks, HookContext
from polaris.deployments.service import DeploymentService
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

__all__ = [
    "Services",
    "build_services",
    "compose_deployments",
    "install_deployment_composition",
]


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
    install_deployment_composition()
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


# -- deployments: recovery points, the governance gate, config hashes (issues 12, 13, 14) --------

#: What a production deployment's timeline says when the platform declares no recovery.
NO_RECOVERY = "no [recovery] section in the project's configuration: no recovery point taken"


def _recovery_section(config: Path) -> bool:
    """Whether ``config`` (``polaris.toml`` or ``pyproject.toml``) has a ``[recovery]`` table."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    if config.name == "pyproject.toml":
        data = data.get("tool", {}).get("polaris", {})
    return isinstance(data.get("recovery"), dict)


def _recovery_hook(settings: Settings, db: Database) -> Any:
    """The ``before_production_deploy`` hook: a recovery point (section 10.2.1) of production."""
    from polaris.project.load import find_config
    from polaris.recovery.config import load_recovery_config
    from polaris.recovery.service import take_recovery_point

    def recovery_point(ctx: HookContext) -> dict[str, Any]:
        config = None if settings.project is None else find_config(settings.project)
        if config is None or not _recovery_section(config):
            return {"recovery_point": None, "note": NO_RECOVERY}
        if ctx.kind != "deploy":  # a rollback must not wait on (or fail with) a backup
            return {"recovery_point": None, "note": "no recovery point before a rollback"}
        artifacts = open_artifact_store(settings.resolved_artifact_location)
        releases = PlatformReleaseService(db)
        service = RecoveryService(
            db, artifacts, RegistryFacts(RegistryService(db, artifacts), releases)
        )
        manifest = take_recovery_point(
            service,
            load_recovery_config(config),
            environment=ctx.environment.name,
            actor=ctx.actor,
            release=ctx.release,
        )
        return {"recovery_point": manifest["name"]}

    return recovery_point


def compose_deployments(svc: DeploymentService, settings: Settings, db: Database) -> None:
    """Connect a deployment service to recovery, governance and configs.

    Production deployments take a recovery point first (when the project has ``[recovery]``);
    with ``POLARIS_GOVERNANCE_GATE=1`` they need an approved ``deployment`` request; every
    deployment records its environment's expected configuration hash.
    """
    hooks = DeploymentHooks(
        before_deploy=list(svc.hooks.before_deploy),
        before_production_deploy=[
            *svc.hooks.before_production_deploy,
            _recovery_hook(settings, db),
        ],
    )
    svc.hooks = hooks
    if settings.governance_gate:
        governance = build_governance(settings, db, PlatformReleaseService(db))
        svc.approval_gate = governance.gate
    configs = ConfigService(db)

    def config_hash(environment: str) -> str | None:
        found = configs.expected().get(environment)
        return None if found is None else found.version.digest

    svc.config_hash = config_hash


def install_deployment_composition() -> None:
    """Have every deployment service built from settings composed (idempotent)."""
    deployments_open.COMPOSERS["polaris.wiring"] = compose_deployments
