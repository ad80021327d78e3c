"""``polaris deploy``, ``rollback``, ``deployments list|show|watch``, ``environments status|at``.

They act on the local store (``POLARIS_HOME`` / ``POLARIS_DATABASE_URL``) with the environments
of the project's ``polaris.toml`` (``--project`` / ``POLARIS_PROJECT``). ``polaris deploy`` leaves
the deployment in analysis; the watcher in ``polaris serve`` (or ``polaris deployments watch``,
or ``--wait`` here) judges it and rolls back on a breach.
"""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import emit, table
from polaris.core.actors import Actor, Role
from polaris.core.errors import InvalidInput, Location

if TYPE_CHECKING:
    from polaris.deployments import open as opener
    from polaris.deployments.service import DeploymentService
else:
    opener = lazy_import("polaris.deployments.open")

__all__ = ["deploy", "deployments_app", "environments_app", "rollback"]

deployments_app = typer.Typer(help="Deployments and their analysis.", no_args_is_help=True)
environments_app = typer.Typer(help="What runs where, and its health.", no_args_is_help=True)


def _service(project: Path | None) -> DeploymentService:
    from polaris.cli._resources import on_close
    from polaris.settings import Settings
    from polaris.store.migrate import upgrade
    from polaris.store.session import Database

    settings = Settings()
    if settings.url:
        raise InvalidInput(
            "the deployment commands act on Polaris's store and the project's environments, "
            f"but POLARIS_URL points at a server ({settings.url})",
            hint="use the server's /api/v1/deployments, or unset POLARIS_URL and set "
            "POLARIS_DATABASE_URL to its database",
        )
    if project is not None:
        settings = settings.model_copy(update={"project": project})
    elif settings.project is None:
        settings = settings.model_copy(update={"project": Path.cwd()})
    db = Database(settings.resolved_database_url, pool_size=0)
    on_close(db.dispose)
    if settings.auto_migrate:
        upgrade(db)
    return opener.deployment_service(settings, db)


def _actor() -> Actor:
    return Actor(name=getpass.getuser(), role=Role.ADMIN)


def _show(out: Console, d: dict[str, Any]) -> None:
    out.print(
        f"deployment #{d['id']}: {escape(d['release'])} -> {escape(d['environment'])} "
        f"[bold]{d['state']}[/] ({d['kind']}, by {escape(d['requested_by'])})"
    )
    if d.get("url"):
        out.print(f"url: {escape(str(d['url']))}")
    if d.get("config_hash"):
        out.print(f"config: {escape(str(d['config_hash']))}")
    rows = [
        (e["at"][11:19], e["kind"], e["state"] or "", e["message"]) for e in d.get("events", [])
    ]
    if rows:
        out.print(table("timeline", ["time", "kind", "state", "message"], rows))
    samples = d.get("samples", [])
    if samples:
        last = samples[-1]
        out.print(
            f"{len(samples)} analysis rounds; last: {last['verdict']} "
            f"(error rate {last['error_rate']}, latency {last['latency_ms']} ms, "
            f"probes {last['probe_ok']})"
        )


def _wait(svc: DeploymentService, dep_id: int) -> dict[str, Any]:
    from polaris.deployments.watcher import Watcher

    async def run() -> None:
        watcher = Watcher(svc)
        task = asyncio.create_task(watcher.run())
        while svc.show(dep_id)["state"] in ("pending", "progressing", "analysing"):
            await asyncio.sleep(0.5)
        await asyncio.sleep(0)
        watcher.stop()
        await task

    asyncio.run(run())
    return svc.show(dep_id)


def deploy(
    release: Annotated[str, typer.Argument(help="The platform release, e.g. 2.1.0.")],
    env: Annotated[str, typer.Option("--env", "-e", help="The target environment.")],
    override: Annotated[
        str | None,
        typer.Option("--override", help="Deploy despite promotion order or a bad mark (audited)."),
    ] = None,
    render: Annotated[
        str | None, typer.Option("--render", help="Write a manifest instead: 'argo'.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where --render writes (default stdout).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Analyse here until healthy, degraded or rolled back.")
    ] = False,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy RELEASE to an environment (promotion order, one at a time, analysed after)."""
    svc = _service(project)
    if render is not None:
        if render != "argo":
            raise InvalidInput(
                f"unknown --render {render!r}", hint="argo", location=Location(field="render")
            )
        from polaris.deployments.argo import render_argo
        from polaris.deployments.config import get_environment

        plan = svc.deploy(release, env, actor=_actor(), override=override, dry_run=True)
        text = render_argo(
            get_environment(dict(svc.environments), env),
            plan["release"],
            {c["name"]: c["version"] for c in plan["components"]},
        )
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}")
        return
    result = svc.deploy(release, env, actor=_actor(), override=override, dry_run=dry_run)
    if wait and not dry_run:
        result = _wait(svc, result["id"])

    def human(out: Console) -> None:
        if dry_run:
            out.print(
                f"dry run: would deploy {escape(result['release'])} to "
                f"{escape(result['environment'])} with {result['deployer']} ({result['strategy']})"
            )
            for note in result["notes"]:
                out.print(f"note: {escape(note)}")
            return
        _show(out, result)

    emit(result, as_json=as_json, human=human)
    if not dry_run and result["state"] in ("failed", "rolled_back", "degraded"):
        raise typer.Exit(1)


def rollback(
    env: Annotated[str, typer.Option("--env", "-e", help="The environment to roll back.")],
    to: Annotated[str | None, typer.Option("--to", help="Release (default: last healthy).")] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (kept in the record).")
    ] = None,
    security: Annotated[
        bool, typer.Option("--security-incident", help="Trigger: security incident.")
    ] = False,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Roll an environment back by hand and mark the current release bad."""
    result = _service(project).rollback(
        env,
        actor=_actor(),
        to=to,
        reason=reason,
        trigger="security_incident" if security else "manual",
        dry_run=dry_run,
    )

    def human(out: Console) -> None:
        if dry_run:
            out.print(
                f"dry run: would roll {escape(env)} back from {escape(result['from'])} to "
                f"{escape(result['to'])}"
            )
        else:
            _show(out, result)

    emit(result, as_json=as_json, human=human)


@deployments_app.command("list")
def list_(
    env: Annotated[str | None, typer.Option("--env", "-e")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deployments, newest first."""
    items = _service(project).list(env, limit)

    def human(out: Console) -> None:
        out.print(
            table(
                "deployments",
                ["id", "environment", "release", "kind", "state", "by", "created"],
                [
                    (
                        d["id"],
                        d["environment"],
                        d["release"],
                        d["kind"],
                        d["state"],
                        d["requested_by"],
                        d["created_at"][:19],
                    )
                    for d in items
                ],
            )
        )

    emit({"items": items}, as_json=as_json, human=human)


@deployments_app.command("show")
def show(
    dep_id: Annotated[int, typer.Argument(help="Deployment id.")],
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """One deployment: its timeline and analysis."""
    d = _service(project).show(dep_id)
    emit(d, as_json=as_json, human=lambda out: _show(out, d))


@deployments_app.command("watch")
def watch(
    project: ProjectOption = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", help="Stop after this long (default: never).")
    ] = None,
) -> None:
    """Run the health watcher in the foreground (what polaris serve runs inside)."""
    from polaris.deployments.watcher import Watcher

    svc = _service(project)

    async def run() -> None:
        watcher = Watcher(svc)
        task = asyncio.create_task(watcher.run())
        try:
            await asyncio.wait_for(asyncio.shield(task), seconds)
        except TimeoutError:
            watcher.stop()
            await task

    asyncio.run(run())


def _config_cell(c: dict[str, Any] | None) -> str:
    if not c or c["expected"] is None:
        return "-"
    return f"DRIFT {c['reason']}" if c["drift"] else f"ok {str(c['expected'])[:12]}"


@environments_app.command("status")
def status(project: ProjectOption = None, as_json: JsonOption = False) -> None:
    """The matrix environment x component -> version, with health."""
    data = _service(project).status()

    def human(out: Console) -> None:
        envs = data["environments"]
        cols = ["component", *[e["environment"] for e in envs]]
        rows: list[list[str]] = [
            ["release", *[e["release"] or "-" for e in envs]],
            ["state", *[e["state"] or "-" for e in envs]],
            ["health", *[e["health"] or "-" for e in envs]],
        ]
        if any(e.get("config") for e in envs):
            rows.append(["config", *[_config_cell(e.get("config")) for e in envs]])
        rows += [[c, *[e["versions"].get(c, "-") for e in envs]] for c in data["components"]]
        out.print(table("environments", cols, rows))

    emit(data, as_json=as_json, human=human)


@environments_app.command("at")
def at(
    env: Annotated[str, typer.Argument(help="The environment, e.g. production.")],
    when: Annotated[str, typer.Option("--date", help="ISO date or time (UTC), e.g. 2026-12-06.")],
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """What ran in ENV on a date: the release and every component, model and schema."""
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{when!r} is not an ISO date or time", location=Location(field="--date")
        ) from None
    if len(when) == 10:  # a date: what ran at its end
        moment = moment.replace(hour=23, minute=59, second=59)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    data = _service(project).what_ran(env, moment)

    def human(out: Console) -> None:
        out.print(
            f"{escape(env)} at {data['at']}: release {escape(data['release'])} "
            f"(deployment #{data['deployment']}, {data['state']})"
        )
        out.print(
            table(
                None,
                ["component", "kind", "version"],
                [(c["name"], c["kind"], c["version"]) for c in data["components"]],
            )
        )

    emit(data, as_json=as_json, human=human)
