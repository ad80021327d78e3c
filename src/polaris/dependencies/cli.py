"""``polaris deps``: status, lock check, audit, the offline advisory database, updates, SBOM."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import JsonOption, ProjectOption
from polaris.cli._render import emit, table
from polaris.core.errors import CheckFailed

if TYPE_CHECKING:
    from polaris.dependencies import index as index_mod
    from polaris.dependencies import service
else:
    service = lazy_import("polaris.dependencies.service")
    index_mod = lazy_import("polaris.dependencies.index")

__all__ = ["app", "lock_app"]

app = typer.Typer(
    help="Dependencies: update status, lock-file hashes, vulnerability audit (seed 9.1).",
    no_args_is_help=True,
)
lock_app = typer.Typer(help="Check lock files (seed 9.1.2).", no_args_is_help=True)
app.add_typer(lock_app, name="lock")

FilesArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Dependency files (default: requirements*.txt, pyproject.toml and lock files "
        "in the project directory).",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="Categories and policies (default: dependencies.yml)."),
]
IndexOption = Annotated[
    str | None,
    typer.Option(
        "--index-url",
        help="Simple API (PEP 691/503) base URL; default POLARIS_INDEX_URL, then pip's.",
        show_default=False,
    ),
]


def root_of(project: Path | None) -> Path:
    """The directory the command works in: ``--project`` (a dir, or a file's dir) or here."""
    if project is None:
        return Path.cwd()
    return project.parent if project.is_file() else project


def workspace(
    project: Path | None, files: list[Path] | None, policy: Path | None
) -> service.Workspace:
    """Read the files a command names (or finds) and the policy book."""
    root = root_of(project)
    return service.open_workspace(root, [Path(f) for f in files or []], policy=policy)


@app.command("status")
def status(
    files: FilesArg = None,
    index_url: IndexOption = None,
    policy: PolicyOption = None,
    outdated: Annotated[
        bool, typer.Option("--outdated", help="Only packages with a newer version.")
    ] = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Per package: pin, newest on the index, update type, category and what its policy allows."""
    ws = workspace(project, files, policy)
    index = index_mod.SimpleIndex(index_url)
    try:
        rows = service.status(ws, index)
    finally:
        index.close()
    if outdated:
        rows = [r for r in rows if r.update not in ("none", "unknown")]

    def human(out: Console) -> None:
        out.print(
            table(
                f"Dependencies ({escape(index.url)})",
                ["package", "pinned", "newest", "update", "category", "policy", "action", "notes"],
                (
                    (
                        escape(r.name),
                        r.pinned or "-",
                        r.newest or "-",
                        r.update,
                        r.category,
                        r.policy,
                        r.action,
                        escape("; ".join(r.notes)),
                    )
                    for r in rows
                ),
            )
        )

    emit({"index": index.url, "packages": rows}, as_json=as_json, human=human)


@lock_app.command("check")
def lock_check(
    files: FilesArg = None,
    index_url: IndexOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Only check that every pin has hashes.")
    ] = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every pin of the lock files has hashes matching the index's files; locks match manifests."""
    ws = workspace(project, files, None)
    index = None if offline else index_mod.SimpleIndex(index_url)
    try:
        report = service.lock_check(ws, index)
    finally:
        if index is not None:
            index.close()
    data = {
        "ok": report.ok,
        "files": report.files,
        "pins_checked": report.pins_checked,
        "problems": report.problems,
    }

    def human(out: Console) -> None:
        if report.problems:
            out.print(
                table(
                    "Lock problems",
                    ["problem", "package", "version", "detail", "where"],
                    (
                        (p.kind, escape(p.package), p.version or "", escape(p.message), escape(p.source))
                        for p in report.problems
                    ),
                )
            )
        else:
            out.print(
                f"[green]ok:[/] {report.pins_checked} pins in {escape(', '.join(report.files))} "
                "are hashed" + ("" if offline else " and match the index")
            )

    emit(data, as_json=as_json, human=human)
    if not report.ok:
        raise CheckFailed(f"{len(report.problems)} lock problem(s)")
