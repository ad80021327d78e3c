"""Build the deployment service from settings: the store, and the project's environments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from polaris.deployments.config import Environment, load_environments
from polaris.deployments.service import DeploymentService
from polaris.project.load import find_config
from polaris.settings import Settings
from polaris.store.session import Database

__all__ = ["COMPOSERS", "Composer", "deployment_service", "project_environments"]

#: Connects a new service to the other capabilities (recovery points, approvals, config hashes).
Composer = Callable[[DeploymentService, Settings, Database], None]

#: Set by the composition (``polaris.wiring``, ``polaris.commands``), by name (registering a name
#: again replaces it), run in order on every service :func:`deployment_service` builds; empty, a
#: service stands alone.
COMPOSERS: dict[str, Composer] = {}


def project_environments(project: Path | None) -> tuple[dict[str, Environment], Path]:
    """The environments of the project at ``project`` (a directory or config file) and its root.

    No project: no environments (reads still work over what the store holds).
    """
    if project is None:
        return {}, Path.cwd()
    config = find_config(project)
    return load_environments(config), config.resolve().parent


def deployment_service(settings: Settings, db: Database) -> DeploymentService:
    """The service over ``db`` with the environments of ``settings.project``."""
    envs, root = project_environments(settings.project)
    svc = DeploymentService(db, envs, root=root)
    for compose in list(COMPOSERS.values()):
        compose(svc, settings, db)
    return svc
