"""``polaris status`` and ``polaris version show|bump|set|sync|check|branch``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

import typer
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._project import open_project
from polaris.cli._render import console, emit, print_json, table
from polaris.core.errors import InvalidInput, VersionMismatch
from polaris.core.semver import Version, coerce

if TYPE_CHECKING:
    from polaris.core.project import Project
    from polaris.versions import builds, updates
    from polaris.versions import service as versioning
    from polaris.versions.service import ComponentStatus, FilePlan, PlatformStatus, Step
else:
    versioning = lazy_import("polaris.versions.service")
    builds = lazy_import("polaris.versions.builds")
    updates = lazy_import("polaris.versions.updates")

__all__ = ["AutoBumpPlanner", "app", "auto_bump_planner", "status"]

app = typer.Typer(
    help="Read, bump, set, sync and check the versions written in a platform's files.",
    no_args_is_help=True,
)

ComponentOption = Annotated[
    str | None,
    typer.Option("--component", "-c", help="Act on this component instead of the platform."),
]


def _mark(ok: bool) -> str:
    return "[green]✓[/]" if ok else "[red]✗[/]"


def _component_line(c: ComponentStatus) -> str:
    label = c.description or c.name
    version = f"v{c.version}" if c.version else "[red]unknown[/]"
    extra = " [dim](platform)[/]" if c.follows_platform else ""
    return f"{_mark(c.consistent)} {label} [bold]{version}[/]{extra} [dim]{c.name}[/]"


def _render_tree(status: PlatformStatus, out: Console) -> None:
    version = f"v{status.version}" if status.version else "[red]unknown[/]"
    tree = Tree(f"[bold]Platform {status.name} {version}[/]")
    groups: dict[str, Tree] = {}
    for comp in status.components:
        heading = comp.group or comp.kind.title()
        if heading not in groups:
            groups[heading] = tree.add(f"[bold cyan]{heading}[/]")
        node = groups[heading].add(_component_line(comp))
        for reading in comp.files:
            if reading.error is not None:
                node.add(f"[red]{reading.error}[/]")
            elif any(t != comp.version for t in reading.versions):
                node.add(f"[red]{reading.spec.describe()}: {', '.join(reading.versions)}[/]")
    out.print(tree)
    if status.consistent:
        out.print("[green]All version files agree.[/]")
    else:
        out.print("[red]Some version files disagree:[/] run [bold]polaris version check[/].")


def status(project: ProjectOption = None, as_json: JsonOption = False) -> None:
    """Show the platform's version tree, the git branch and whether the tree is clean, and the
    available updates (seed 13.1.1)."""
    proj = open_project(project)
    result = versioning.read_status(proj)
    ws = builds.workspace(proj)
    sources, found = updates.available_updates(proj)
    data = {
        **_status_json(result),
        "git": {
            "repository": ws.repository,
            "branch": ws.branch,
            "head": ws.head,
            "clean": ws.clean if ws.repository else None,
            "uncommitted": list(ws.dirty),
        },
        "updates": {"sources": sources, "available": found},
    }

    def human(out: Console) -> None:
        _render_tree(result, out)
        if not ws.repository:
            out.print("Git: not a git working tree.")
        else:
            where = escape(ws.branch) if ws.branch else f"detached at {(ws.head or '')[:8]}"
            state = "clean" if ws.clean else f"{len(ws.dirty)} uncommitted change(s)"
            out.print(f"Git: branch {where}, {state}.")
        if not sources:
            out.print("Updates: no update source configured.")
        elif not found:
            out.print(f"Updates: none available ({', '.join(sources)}).")
        else:
            out.print(
                table(
                    "Available updates",
                    ["name", "current", "available", "source", "note"],
                    ((u.name, u.current, u.available, u.source, u.note) for u in found),
                )
            )

    emit(data, as_json=as_json, human=human)


def _status_json(status: PlatformStatus) -> dict[str, object]:
    return {
        "platform": status.name,
        "version": status.version,
        "source": status.source,
        "consistent": status.consistent,
        "components": [
            {
                "name": c.name,
                "kind": c.kind,
                "group": c.group,
                "version": c.version,
                "source": c.source,
                "follows_platform": c.follows_platform,
                "consistent": c.consistent,
                "files": [
                    {
                        "path": r.spec.path,
                        "format": r.spec.format,
                        "versions": list(r.versions),
                        "error": r.error,
                    }
                    for r in c.files
                ],
            }
            for c in status.components
        ],
    }


@app.command("show")
def show(
    component: ComponentOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the current version of the platform (or of one component).

    In CI (GitHub Actions, GitLab CI, Jenkins or ``CI``), also the build version with metadata
    ``+build.<number>.<commit8>`` (the commit from git when CI names none).
    """
    proj = open_project(project)
    version = versioning.current_version(proj, component)
    build = builds.ci_metadata(proj, os.environ)
    data: dict[str, object] = {
        "target": component or proj.name,
        "version": str(version),
        "major": version.major,
        "minor": version.minor,
        "patch": version.patch,
        "prerelease": ".".join(version.prerelease) or None,
        "build": ".".join(version.build) or None,
    }
    if build is not None and not version.build:
        data["build_version"] = str(version.with_build(build))
    emit(
        data, as_json=as_json, human=lambda out: out.print(str(data.get("build_version", version)))
    )


def _step_text(step: Step, *, bold: bool = False) -> str:
    """``api: 1.2.0 -> 1.2.1``, or ``api 1.2.1 written to 2 files`` for a sync step."""
    if step.old == step.new:
        n = len(step.files)
        return f"{escape(step.label)} {step.new} written to {n} file{'s' if n != 1 else ''}"
    new = f"[bold]{step.new}[/]" if bold else step.new
    return f"{escape(step.label)}: {step.old} -> {new}"


def _unchanged(plan: FilePlan) -> None:
    same = sum(1 for step in plan.steps if not step.changed)
    if same:
        console.print(f"{same} unchanged (already in step)")


def _finish(plan: FilePlan, *, dry_run: bool, as_json: JsonOption) -> None:
    if dry_run:
        if as_json:
            print_json(
                {
                    "dry_run": True,
                    "steps": plan.steps,
                    "files": plan.changed_files,
                    "diff": plan.diff(),
                }
            )
        else:
            diff = plan.diff()
            console.out(diff, end="") if diff else console.print("No file would change.")
            for step in plan.steps:
                if step.changed:
                    console.print(f"Would set {_step_text(step)}")
            _unchanged(plan)
        return
    written = versioning.apply(plan)
    if as_json:
        print_json({"dry_run": False, "steps": plan.steps, "files": written})
        return
    for step in plan.steps:
        if step.changed:
            console.print(_step_text(step, bold=True))
    _unchanged(plan)
    console.print(f"Updated {len(written)} file{'s' if len(written) != 1 else ''}.")
    for path in written:
        console.print(f"  {path}")


class AutoBumpPlanner(Protocol):
    """Plans ``version bump --auto``: the bump that the commits since the last release call for."""

    def __call__(self, proj: Project, *, pre: str | None, component: str | None) -> FilePlan:
        """The file plan of the bump."""
        ...


#: Set by the CLI shell (:mod:`polaris.main`) to the release service's planner: the version
#: files know nothing of commits, the release flow composes both.
auto_bump_planner: AutoBumpPlanner | None = None


@app.command("bump")
def bump(
    part: Annotated[
        str | None,
        typer.Argument(
            help="major | minor | patch | prerelease | release (finalise a prerelease).",
            show_default=False,
        ),
    ] = None,
    pre: Annotated[
        str | None, typer.Option("--pre", help="Prerelease channel: alpha, beta, rc, ...")
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Decide the bump from Conventional Commits.")
    ] = False,
    component: ComponentOption = None,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bump the version and write it into every configured file (all-or-nothing)."""
    proj = open_project(project)
    if auto:
        if part is not None:
            raise InvalidInput("give either a part or --auto, not both")
        if auto_bump_planner is None:  # pragma: no cover - the CLI shell always sets it
            raise InvalidInput("--auto needs the commits capability, which is not installed")
        plan = auto_bump_planner(proj, pre=pre, component=component)
    else:
        if part not in ("major", "minor", "patch", "prerelease", "release"):
            raise InvalidInput(
                f"unknown bump part {part!r}" if part else "missing bump part",
                hint="expected major, minor, patch, prerelease, release, or --auto",
            )
        plan = versioning.plan_bump(proj, _as_part(part), pre=pre, component=component, build=None)
    _finish(plan, dry_run=dry_run, as_json=as_json)


def _as_part(part: str) -> Literal["major", "minor", "patch", "prerelease", "release"]:
    if part == "major":
        return "major"
    if part == "minor":
        return "minor"
    if part == "patch":
        return "patch"
    if part == "prerelease":
        return "prerelease"
    return "release"


@app.command("set")
def set_version(
    version: Annotated[str, typer.Argument(help="The new version (SemVer 2.0.0).")],
    component: ComponentOption = None,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set an explicit version in every configured file (all-or-nothing)."""
    proj = open_project(project)
    plan = versioning.plan_set(proj, Version.parse(version.strip()), component=component)
    _finish(plan, dry_run=dry_run, as_json=as_json)


@app.command("sync")
def sync(
    component: ComponentOption = None,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write each source version into every file configured for it."""
    proj = open_project(project)
    plan = versioning.plan_sync(proj, component=component)
    _finish(plan, dry_run=dry_run, as_json=as_json)


@app.command("check")
def check(project: ProjectOption = None, as_json: JsonOption = False) -> None:
    """Exit 1 with every disagreeing file, location and version; 0 when all agree."""
    proj = open_project(project)
    status, problems = versioning.check(proj)
    files = sum(len(c.files) for c in status.components) + len(status.files)
    files += 1 if status.source else 0
    if as_json:
        print_json({"consistent": not problems, "files_checked": files, "problems": problems})
    elif problems:
        console.print(
            table(
                "Version files that disagree",
                ["owner", "expected", "file", "line", "where", "found"],
                (
                    (
                        p.owner,
                        p.expected,
                        p.file,
                        p.line,
                        p.where,
                        p.found if p.error is None else p.error,
                    )
                    for p in problems
                ),
            )
        )
    else:
        what = "The version file agrees" if files == 1 else f"All {files} version files agree"
        console.print(f"{what} (platform {status.name} {status.version}).")
    if problems:
        raise VersionMismatch(
            f"{len(problems)} place{'s' if len(problems) != 1 else ''} disagree",
            hint="run 'polaris version sync' to write each source version everywhere",
        )


@app.command("branch")
def branch(
    branch_name: Annotated[
        str | None,
        typer.Option(
            "--branch",
            help="Branch name (default: the CI's branch, e.g. $GITHUB_REF_NAME, "
            "$CI_COMMIT_BRANCH, $BRANCH_NAME; else the checked-out branch).",
        ),
    ] = None,
    build_number: Annotated[
        int | None,
        typer.Option(
            "--build-number",
            help="Build number (default: $GITHUB_RUN_NUMBER, $CI_PIPELINE_IID or $BUILD_NUMBER).",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Version the branch heads for (default: current version)."),
    ] = None,
    component: ComponentOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the build version for a branch (seed 2.3): develop -> 2.1.0-dev.123,
    release/2.2.0 -> 2.2.0-rc.N (N counted from the rc tags), ..."""
    result = builds.branch_build(
        open_project(project),
        environ=os.environ,
        component=component,
        branch=branch_name,
        build_number=build_number,
        base=coerce(base) if base else None,
    )
    emit(
        {
            "branch": result.branch,
            "build_number": result.build_number,
            "version": str(result.version),
            "why": result.why,
        },
        as_json=as_json,
        human=lambda out: out.print(str(result.version)),
    )
