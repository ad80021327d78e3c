"""``polaris version next``, ``polaris changelog``, ``polaris release`` and ``polaris commit-lint``.

Each command parses its options, calls one service, and renders the result (Rich or ``--json``).
Register them on the root app: ``app.command("changelog")(changelog)``,
``app.command("release")(release)``, ``app.command("commit-lint")(commit_lint)`` and
``version_app.command("next")(next_version)``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._project import open_project
from polaris.cli._render import console, emit, err_console, print_json
from polaris.commits.rules import CommitLintError
from polaris.core.errors import InvalidInput, PolarisError
from polaris.core.project import Project
from polaris.core.semver import Version, coerce
from polaris.project.load import find_config, load_project
from polaris.releases.render import next_json, next_lines

if TYPE_CHECKING:
    from polaris.releases import config as release_config
    from polaris.releases import service as releases
    from polaris.releases.service import NextReport, ReleaseResult
else:
    releases = lazy_import("polaris.releases.service")
    release_config = lazy_import("polaris.releases.config")

__all__ = ["changelog", "commit_lint", "next_version", "release"]

ComponentOption = Annotated[
    str | None,
    typer.Option("--component", "-c", help="Act on this component (its tags and paths)."),
]
PreOption = Annotated[
    str | None,
    typer.Option("--pre", help="Prerelease channel: alpha, beta, rc (2.2.0-rc.1, then -rc.2)."),
]


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# -- version next -------------------------------------------------------------------------------


def _project_or_tags(path: Path | None) -> Project:
    """The project, or without any config file, one read from the git tags alone (with a note)."""
    proj, from_tags = releases.open_project_or_tags(path)
    if from_tags:
        err_console.print(f"[dim]note:[/] {escape(releases.TAGS_ONLY_NOTE)}")
    return proj


def _next_human(report: NextReport, out: Console) -> None:
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    for style, text in next_lines(report):
        if style == "bold":
            version, _, rest = text.partition(" ")
            out.print(f"[bold]{escape(version)}[/] {escape(rest)}")
        elif style == "dim" and text.startswith("note: "):
            out.print(f"[dim]note:[/] {escape(text.removeprefix('note: '))}")
        elif style == "dim":
            head, _, why = text.rpartition("  ")
            out.print(f"{escape(head)}  [dim]{escape(why)}[/]")
        else:
            out.print(escape(text))


def next_version(
    pre: PreOption = None,
    component: ComponentOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the next version from the Conventional Commits since the last release, and why."""
    report = releases.compute_next(_project_or_tags(project), component=component, pre=pre)
    emit(next_json(report), as_json=as_json, human=lambda out: _next_human(report, out))


# -- changelog ----------------------------------------------------------------------------------


def changelog(
    unreleased: Annotated[
        bool, typer.Option("--unreleased", help="Only the changes since the last release.")
    ] = False,
    release_version: Annotated[
        str | None, typer.Option("--release", help="Only the notes of this released version.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here ('-' for stdout). Default: CHANGELOG.md for the whole file, "
            "stdout for --unreleased/--release.",
        ),
    ] = None,
    component: ComponentOption = None,
    as_notes: Annotated[
        bool,
        typer.Option(
            "--notes",
            help="With --release/--unreleased: the release notes of the document's template "
            "(14.2.1), every section, placeholders marked.",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Regenerate CHANGELOG.md from history (Keep a Changelog 1.1.0), or print one release."""
    if unreleased and release_version is not None:
        raise InvalidInput("give either --unreleased or --release, not both")
    proj = _project_or_tags(project)
    if unreleased or release_version is not None:
        version = coerce(release_version) if release_version is not None else None
        notes = releases.release_notes(proj, version=version, component=component)
        if as_json:
            print_json(notes)
            return
        text = releases.render_notes(proj, notes, kind="notes" if as_notes else "section")
        default: Path | None = None
    else:
        if as_json:
            print_json(releases.history(proj, component=component))
            return
        text = releases.build_changelog(proj, component=component)
        default = Path(release_config.load_release_config(proj).changelog)
    target = output if output is not None else default
    if target is None or str(target) == "-":
        sys.stdout.write(text)  # raw: Rich would re-render megabytes of Markdown
        return
    plan = releases.plan_changelog(proj, text, target)
    if dry_run:
        diff = plan.diff(Path(proj.root))
        console.out(diff, end="") if diff else console.print("No change.")
        return
    if plan.old == plan.new:
        console.print(f"{plan.path} is up to date.")
        return
    releases.write_changelog(plan)
    console.print(f"Wrote {plan.path}.")


# -- release ------------------------------------------------------------------------------------


def _release_json(result: ReleaseResult) -> dict[str, object]:
    return {
        "version": str(result.version),
        "tag": result.tag,
        "previous_tag": result.previous_tag,
        "commit_message": result.commit_message,
        "commit": result.commit,
        "files": list(result.files),
        "dry_run": result.dry_run,
        "signed": result.signed,
        "pushed": result.pushed,
        "reasons": list(result.reasons),
        "warnings": list(result.warnings),
        "notes": result.notes_text,
        "diff": result.diff,
    }


def _release_human(result: ReleaseResult, out: Console) -> None:
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if result.dry_run:
        out.out(result.diff, end="")
        out.print(f"Would commit [bold]{result.commit_message}[/] and tag [bold]{result.tag}[/]")
        out.print("Release notes:\n")
        out.out(result.notes_text, end="")
        out.print("\nDry run: nothing was written.")
        return
    out.out(result.notes_text, end="")
    signed = " (signed)" if result.signed else ""
    out.print(
        f"\nReleased [bold]{result.version}[/]: commit {(result.commit or '')[:7]} "
        f"{result.commit_message!r}, tag {result.tag}{signed}."
    )
    if result.pushed:
        out.print("Pushed the branch and the tag.")
    else:
        out.print(f"Nothing pushed: `git push --atomic origin HEAD {result.tag}` when ready.")


def release(
    version: Annotated[
        str | None, typer.Argument(help="The version to release (or --auto).", show_default=False)
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Release the version the commits call for.")
    ] = False,
    pre: PreOption = None,
    sign: Annotated[bool, typer.Option("--sign", help="Sign the tag (git tag -s).")] = False,
    push: Annotated[
        bool, typer.Option("--push", help="Push the branch and the tag (atomically).")
    ] = False,
    component: ComponentOption = None,
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bump the version files, update CHANGELOG.md, commit, tag; undo everything on failure."""
    if version is not None and auto:
        raise InvalidInput("give either a version or --auto, not both")
    if version is None and not auto and pre is None:
        raise InvalidInput("give the version to release, or --auto", hint="polaris release --auto")
    target: Version | None = coerce(version) if version is not None else None
    result = releases.release(
        open_project(project),
        version=target,
        pre=pre,
        component=component,
        today=_today(),
        dry_run=dry_run,
        sign=sign,
        push=push,
    )
    emit(_release_json(result), as_json=as_json, human=lambda out: _release_human(result, out))


# -- commit-lint --------------------------------------------------------------------------------


def _optional_project(path: Path | None) -> Project | None:
    try:
        return load_project(find_config(path if path is not None else Path.cwd()))
    except PolarisError:
        return None


def commit_lint(
    file: Annotated[
        Path,
        typer.Argument(help="The commit message file (git passes it to the commit-msg hook)."),
    ] = Path(".git/COMMIT_EDITMSG"),
    project: ProjectOption = None,
) -> None:
    """Check a commit message against Conventional Commits 1.0.0 (for a commit-msg hook)."""
    try:
        releases.lint_file(file, project=_optional_project(project))
    except CommitLintError as exc:
        err_console.print(f"[bold red]commit message rejected[/] ({file}):", highlight=False)
        err_console.out(exc.explain())
        err_console.print(f"hint: {exc.hint}", markup=False)
        raise typer.Exit(code=exc.exit_code) from None
