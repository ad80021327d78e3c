"""``polaris compat check|resolve``: the compatibility matrix at work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from polaris.cli._lazy import lazy_import
from polaris.cli._options import (
    JsonOption,
    PinOption,
    PriorityOption,
    ProjectOption,
    split_priority,
)
from polaris.cli._project import open_project
from polaris.cli._render import emit, table
from polaris.core.errors import CheckFailed, PolarisError
from polaris.core.project import Project
from polaris.core.semver import Version

if TYPE_CHECKING:
    from polaris.compat import service
    from polaris.compat.rules import CompatMatrix
else:
    service = lazy_import("polaris.compat.service")

__all__ = ["app", "registry_rules"]

app = typer.Typer(
    help="Check a set of component versions against compatibility.yml, or resolve the newest set.",
    no_args_is_help=True,
)

RegistryOption = Annotated[
    bool,
    typer.Option(
        "--registry",
        help="Also apply the rules and versions recorded in the registry (model dependencies), "
        "from the local store.",
    ),
]

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file", "-f", help="Compatibility file (default: compatibility.yml at the root)."
    ),
]


#: Set by the CLI shell (:mod:`polaris.main`): merges the rules recorded in the registry (model
#: dependencies) into a matrix. The registry is the platform capability's, which composes compat.
registry_rules: Callable[[CompatMatrix], CompatMatrix] | None = None


def _load(proj: Project | None, file: Path | None, registry: bool) -> CompatMatrix:
    matrix = service.load(proj, file)
    if not registry:
        return matrix
    if registry_rules is None:  # pragma: no cover - the CLI shell always sets it
        raise CheckFailed("--registry needs the platform capability, which is not installed")
    return registry_rules(matrix)


def _maybe_project(project: Path | None, file: Path | None) -> Project | None:
    if file is not None and project is None:
        try:
            return open_project(None)
        except PolarisError:  # outside a project, --file alone is enough
            return None
    return open_project(project)


@app.command("check")
def check(
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="NAME=VERSION to check instead of the current one."),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Platform version whose rules apply.")
    ] = None,
    only: Annotated[
        bool, typer.Option("--only", help="Check only the --set versions, not the project's.")
    ] = False,
    file: FileOption = None,
    registry: RegistryOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Report every violated rule of the current versions (or a proposed set); exit 1 if any."""
    proj = _maybe_project(project, file)
    matrix = _load(proj, file, registry)
    base: dict[str, Version] = {}
    platform_version: Version | None = None
    if proj is not None and not only:
        base, platform_version = service.current_set(proj)
    overrides = service.parse_assignments(set_ or [], option="--set")
    if platform:
        overrides.update(service.parse_assignments([f"platform={platform}"], option="--platform"))
    report = service.check_set(
        matrix, base=base, overrides=overrides, platform_version=platform_version
    )
    data = {
        "ok": report.ok,
        "rules_checked": report.rules_checked,
        "set": report.selection,
        "violations": report.violations,
        "notes": report.notes,
        "contradictions": matrix.contradictions,
    }

    def human(out: Console) -> None:
        for text in matrix.contradictions:
            out.print(f"[yellow]contradiction:[/] {text}")
        if report.violations:
            out.print(
                table(
                    "Compatibility violations",
                    ["severity", "problem", "hint", "declared at"],
                    ((v.severity, v.message, v.hint or "", v.origin) for v in report.violations),
                )
            )
        for note in report.notes:
            out.print(f"[dim]note:[/] {note}")
        if report.ok:
            out.print(
                f"[green]Compatible:[/] {len(report.selection)} versions, "
                f"{report.rules_checked} rules checked."
            )

    emit(data, as_json=as_json, human=human)
    if not report.ok:
        raise CheckFailed(
            f"{len(report.errors)} compatibility rule{'s' if len(report.errors) != 1 else ''} "
            "violated"
        )


@app.command("resolve")
def resolve(
    pin: PinOption = None,
    upgrade: Annotated[
        list[str] | None,
        typer.Option("--upgrade", help="Move this component past its current version."),
    ] = None,
    priority: PriorityOption = None,
    newest: Annotated[
        bool,
        typer.Option("--newest", help="Prefer the newest versions, not the current ones."),
    ] = False,
    allow_downgrade: Annotated[
        bool,
        typer.Option(
            "--allow-downgrade", help="Let a component go below its current version if needed."
        ),
    ] = False,
    file: FileOption = None,
    registry: RegistryOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the newest set of known versions that satisfies every rule, or explain why none does."""
    proj = _maybe_project(project, file)
    matrix = _load(proj, file, registry)
    prefer: dict[str, Version] = {}
    if proj is not None:
        prefer = service.current_with_platform(proj)
    result, report = service.resolve_set(
        matrix,
        pins=service.parse_assignments(pin or [], option="--pin"),
        prefer=prefer,
        upgrade=upgrade or [],
        priority=split_priority(priority),
        allow_downgrade=allow_downgrade,
        prefer_newest=newest,
    )
    data = {
        "versions": result.versions,
        "changes": {
            name: {"from": prefer[name], "to": v}
            for name, v in result.versions.items()
            if name in prefer and prefer[name] != v
        },
        "decisions": result.decisions,
        "conflicts": result.conflicts,
        "warnings": report.violations,
    }

    def human(out: Console) -> None:
        out.print(
            table(
                "Resolved set",
                ["component", "version", "current"],
                (
                    (name, v, prefer.get(name, "") if prefer.get(name) != v else "=")
                    for name, v in result.versions.items()
                ),
            )
        )
        for v in report.violations:
            out.print(f"[yellow]{v.severity}:[/] {v.message}")

    emit(data, as_json=as_json, human=human)


@app.command("show")
def show(
    file: FileOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print what a compatibility file means, rule by rule, in the range format.

    Reads the range format and the document's own spellings (seed 5.1.3 and 11.1) alike."""
    proj = _maybe_project(project, file)
    matrix = service.load(proj, file)
    data = {
        "rules": [
            {
                "source": r.source,
                "when": str(r.when.raw),
                "target": r.target,
                "allowed": str(r.allowed.raw),
                "range": str(r.allowed),
                "origin": r.origin,
            }
            for r in matrix.rules
        ],
        "backward": [
            {
                "component": b.component,
                "versions": str(b.versions.raw),
                "supports": [str(x.raw) for x in b.supports],
                "deprecated": [str(x.raw) for x in b.deprecated],
                "retired": [str(x.raw) for x in b.retired],
                "migration_required": [str(x.raw) for x in b.migration_required],
            }
            for b in matrix.backward
        ],
        "forward": [
            {
                "component": f.component,
                "version": f.version,
                "breaking_changes": list(f.breaking_changes),
                "migration_guide": f.migration_guide,
                "timeline": f.timeline,
            }
            for f in matrix.forward
        ],
        "versions": {k: [str(v) for v in vs] for k, vs in matrix.catalog.items()},
    }

    def human(out: Console) -> None:
        out.print(
            table(
                "Rules (source at versions requires target in range)",
                ["source", "when", "target", "allowed", "as a range", "declared at"],
                (
                    (r.source, r.when.raw, r.target, r.allowed.raw, str(r.allowed), r.origin)
                    for r in matrix.rules
                ),
            )
        )
        for b in matrix.backward:
            parts = [
                f"{key} {', '.join(str(x.raw) for x in ranges)}"
                for key, ranges in (
                    ("supports", b.supports),
                    ("deprecates", b.deprecated),
                    ("retired", b.retired),
                    ("needs a migration from", b.migration_required),
                )
                if ranges
            ]
            out.print(f"backward: {b.component} {b.versions.raw}: {'; '.join(parts)}")
        for f in matrix.forward:
            changes = ", ".join(f.breaking_changes) or "no breaking change listed"
            out.print(f"planned: {f.component} {f.version} ({f.timeline or 'no date'}): {changes}")

    emit(data, as_json=as_json, human=human)
