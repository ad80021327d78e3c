"""The Typer application behind ``polaris``: one sub-app per command group, and the hooks.

Built on first use by :mod:`polaris.main`, so the fast paths there (``--version``,
``commit-lint``, ``version next``) never import Typer or Rich. This is the CLI's composition:
it is the one place that knows every capability's commands, and it sets the hooks through which
a lower capability reaches a higher one (``version bump --auto``, ``compat --registry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from polaris.__about__ import __version__
from polaris.releases import cli as release_cmd
from polaris.versions import cli as version_cmd

if TYPE_CHECKING:
    from polaris.compat.rules import CompatMatrix
    from polaris.core.project import Project
    from polaris.deployments.service import DeploymentService
    from polaris.settings import Settings
    from polaris.store.session import Database
    from polaris.versions.service import FilePlan

__all__ = ["add_heavy_groups", "app", "needs_heavy_groups"]

app = typer.Typer(
    name="polaris",
    help="Polaris: keep every versioned part of a platform traceable and consistent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"polaris {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    _version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print Polaris's version."
    ),
    _wide: bool = typer.Option(
        False,
        "--wide",
        help="Tables take the width they need, every column shown (also after the command).",
    ),
) -> None:
    """Polaris: keep every versioned part of a platform traceable and consistent."""


def _plan_auto_bump(proj: Project, *, pre: str | None, component: str | None) -> FilePlan:
    from polaris.releases import service as releases  # the commit tooling loads on use

    return releases.plan_auto_bump(proj, pre=pre, component=component)


def _registry_rules(matrix: CompatMatrix) -> CompatMatrix:
    from polaris.cli._resources import on_close
    from polaris.platform import service as platform_service

    platform = platform_service.open_local()
    on_close(platform.close)
    return platform.merged_matrix(matrix)


version_cmd.auto_bump_planner = _plan_auto_bump
app.command("status")(version_cmd.status)
version_cmd.app.command("next")(release_cmd.next_version)
app.add_typer(version_cmd.app, name="version")
app.command("changelog")(release_cmd.changelog)
app.command("release")(release_cmd.release)
app.command("commit-lint")(release_cmd.commit_lint)

#: Commands whose groups are registered up front: the everyday ones, which must start fast.
_LIGHT_COMMANDS = frozenset({"status", "version", "changelog", "release", "commit-lint"})
_heavy_groups_added = False


def add_heavy_groups() -> None:
    """Register the groups whose imports are heavy (registry, schema, api, compat, serve).

    Done only when the command line needs them, so that ``polaris version next`` does not pay
    for importing the registry client, the OpenAPI tooling and the rest (about 40% of start-up).
    """
    global _heavy_groups_added  # noqa: PLW0603 - one-time registration on the module's app
    if _heavy_groups_added:
        return
    _heavy_groups_added = True
    from polaris import server as serve_cmd
    from polaris.apis import cli as api_cmd
    from polaris.compat import cli as compat_cmd
    from polaris.migrations import cli as schema_cmd
    from polaris.models import cli as registry_cmd
    from polaris.platform import cli as platform_cmd

    compat_cmd.registry_rules = _registry_rules
    app.add_typer(compat_cmd.app, name="compat")
    app.add_typer(schema_cmd.app, name="schema")
    app.add_typer(api_cmd.app, name="api")
    app.add_typer(registry_cmd.models_app, name="models")
    app.add_typer(platform_cmd.platform_app, name="platform")
    app.add_typer(registry_cmd.token_app, name="token")
    app.add_typer(registry_cmd.store_app, name="store")
    app.command("gc")(registry_cmd.gc)
    app.command("serve")(serve_cmd.serve)
    _add_operations_groups()


def _add_operations_groups() -> None:
    """Governance, configuration, recovery, deployment, dependency and image commands."""
    from polaris.access import users_cli
    from polaris.approvals import cli as governance_cmd
    from polaris.calendar import cli as calendar_cmd
    from polaris.configs import cli as config_cmd
    from polaris.dependencies import cli as deps_cmd
    from polaris.deployments import cli as deploy_cmd
    from polaris.images import cli as images_cmd
    from polaris.notify import cli as notify_cmd
    from polaris.recovery import cli as recovery_cmd

    app.add_typer(users_cli.users_app, name="users")
    app.add_typer(governance_cmd.approvals_app, name="approvals")
    app.add_typer(governance_cmd.checklist_app, name="checklist")
    app.add_typer(governance_cmd.pipeline_app, name="pipeline")
    app.add_typer(governance_cmd.ci_app, name="ci")
    app.add_typer(calendar_cmd.calendar_app, name="calendar")
    app.add_typer(notify_cmd.notify_app, name="notify")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(recovery_cmd.app, name="recovery")
    app.command("deploy")(deploy_cmd.deploy)
    app.command("rollback")(deploy_cmd.rollback)
    app.add_typer(deploy_cmd.deployments_app, name="deployments")
    app.add_typer(deploy_cmd.environments_app, name="environments")
    app.add_typer(deps_cmd.app, name="deps")
    app.add_typer(images_cmd.app, name="images")
    from polaris.deployments import open as deployments_open

    deployments_open.COMPOSERS["polaris.wiring"] = _compose_deployments


def _compose_deployments(svc: DeploymentService, settings: Settings, db: Database) -> None:
    """Recovery points, the governance gate and config hashes for ``polaris deploy`` (loads
    the composition root only when a deployment service is built)."""
    from polaris.wiring import compose_deployments

    compose_deployments(svc, settings, db)


def needs_heavy_groups(args: list[str]) -> bool:
    """Whether the command line may reach a heavy group (or the root help, which lists them)."""
    first = next((a for a in args if not a.startswith("-")), None)
    return first not in _LIGHT_COMMANDS
