"""``polaris platform plan|diff``: propose a platform release's bill of materials, compare two.

The commands join ``platform_app`` (``polaris platform show|release`` live in
:mod:`polaris.models.cli`); importing this module registers them. They read the local store
(``POLARIS_HOME`` or ``POLARIS_DATABASE_URL``) and the project's ``compatibility.yml``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from polaris.cli._lazy import lazy_import
from polaris.cli._options import (
    DryRunOption,
    JsonOption,
    PinOption,
    PriorityOption,
    ProjectOption,
    split_priority,
)
from polaris.cli._project import open_project
from polaris.cli._render import emit, table
from polaris.cli._resources import on_close
from polaris.core.actors import Actor, Role
from polaris.core.errors import PolarisError
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.models.cli import platform_app

if TYPE_CHECKING:
    from polaris.compat import service as compat_service
    from polaris.models import service as registry_service
    from polaris.platform import service
else:
    compat_service = lazy_import("polaris.compat.service")
    service = lazy_import("polaris.platform.service")
    registry_service = lazy_import("polaris.models.service")

__all__ = ["diff", "plan", "platform_app"]

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file", "-f", help="Compatibility file (default: compatibility.yml at the root, if any)."
    ),
]


def _project(path: Path | None) -> Project | None:
    try:
        return open_project(path)
    except PolarisError:
        if path is not None:
            raise
        return None  # outside a project: the registry and --file alone are enough


@platform_app.command("plan")
def plan(
    version: Annotated[str, typer.Argument(help="The platform version to plan, e.g. 2.2.0.")],
    pin: PinOption = None,
    upgrade: Annotated[
        list[str] | None,
        typer.Option("--upgrade", help="Move this component past the previous release's version."),
    ] = None,
    priority: PriorityOption = None,
    newest: Annotated[
        bool, typer.Option("--newest", help="Prefer the newest versions, not the previous ones.")
    ] = False,
    allow_downgrade: Annotated[
        bool,
        typer.Option(
            "--allow-downgrade", help="Let a component go below the previous release's version."
        ),
    ] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Store the planned release in the registry.")
    ] = False,
    notes: Annotated[str, typer.Option("--notes", help="Release notes stored with --save.")] = "",
    dry_run: DryRunOption = False,
    file: FileOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose the components of platform VERSION with the resolver, check it, and validate the
    bump rule against the previous release; --save stores it."""
    target = Version.parse(version.removeprefix("v"))
    proj = _project(project)
    matrix = service.project_matrix(proj, file)
    current: dict[str, Version] = {}
    kinds: dict[str, str] = {}
    if proj is not None:
        current, _ = compat_service.current_set(proj)
        kinds = {c.name: c.kind for c in proj.components}
    platform = service.open_local()
    on_close(platform.close)
    result = platform.plan(
        target,
        file_matrix=matrix,
        pins=compat_service.parse_assignments(pin or [], option="--pin"),
        upgrade=upgrade or [],
        priority=split_priority(priority),
        newest=newest,
        current=current,
        project_kinds=kinds,
        allow_downgrade=allow_downgrade,
    )
    if save and not dry_run:
        actor = Actor(name=getpass.getuser(), role=Role.ADMIN)
        result = platform.save(result, actor=actor, notes=notes)
    data = {**result.to_dict(), "dry_run": dry_run}

    def human(out: Console) -> None:
        changes = {c.name: c for c in result.diff.changes}
        rows: list[tuple[object, ...]] = []
        for name, p in zip(result.bom, result.pins, strict=True):
            ch = changes.get(name) if result.previous is not None else None
            before = "" if ch is None or ch.old is None else str(ch.old)
            what = "" if ch is None or ch.change == "unchanged" else ch.label
            rows.append((p.name, p.kind, p.version, before, what))
        for c in result.diff.changed if result.previous is not None else ():
            if c.change == "removed":
                rows.append((c.name, "", "(removed)", c.old, c.bump))
        out.print(
            table(
                f"Platform {result.version} (bill of materials)",
                ["component", "kind", "version", "previous", "change"],
                rows,
            )
        )
        for v in result.report.violations:
            out.print(f"[yellow]{v.severity}:[/] {v.message}")
        for note in result.notes:
            out.print(f"[dim]note:[/] {note}")
        prev = result.previous
        if prev is None:
            out.print(f"first platform release: {result.version}")
        else:
            out.print(
                f"platform {prev.version} -> {result.version}: {result.verdict.bump} bump "
                f"(the components need at least {result.verdict.required})"
            )
        if result.saved:
            out.print(f"[green]saved[/] platform release {result.version}")
        elif save:
            out.print(f"dry run: platform release {result.version} not saved")
        else:
            out.print("plan only: pass --save to store it")

    emit(data, as_json=as_json, human=human)


@platform_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="A stored platform version, or 'current'.")],
    b: Annotated[str, typer.Argument(help="A stored platform version, or 'current'.")],
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """List what changed per component from A to B, with the bump type of each."""
    current = None
    if "current" in (a, b):
        proj = open_project(project)
        current = compat_service.current_set(proj)
    platform = service.open_local()
    on_close(platform.close)
    result = platform.diff(a, b, current=current)

    def human(out: Console) -> None:
        out.print(
            table(
                f"Platform {a} -> {b}",
                ["component", "change", "from", "to", "bump"],
                (
                    (
                        c.name,
                        c.change,
                        c.old or "",
                        c.new or "",
                        c.label,
                    )
                    for c in result.diff.changed
                ),
            )
        )
        unchanged = len(result.diff.changes) - len(result.diff.changed)
        out.print(f"{len(result.diff.changed)} changed, {unchanged} unchanged")
        if result.bump == "downgrade":
            out.print(f"platform {result.a_version} -> {result.b_version}: downgrade")
        elif result.bump is not None:
            out.print(
                f"platform bump: {result.bump}; the components need at least {result.diff.required}"
            )
        if result.problem:
            out.print(f"[red]bump rule:[/] {result.problem}")

    emit(result.to_dict(), as_json=as_json, human=human)
