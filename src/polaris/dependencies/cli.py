"""``polaris deps``: status, lock check, audit, the offline advisory database, updates, SBOM."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import emit, err_console, print_json, table
from polaris.core.errors import CheckFailed, InvalidInput

if TYPE_CHECKING:
    from polaris.dependencies import audit as audit_mod
    from polaris.dependencies import index as index_mod
    from polaris.dependencies import osv, pipcheck, sarif, sbom, service
else:
    sbom = lazy_import("polaris.dependencies.sbom")
    pipcheck = lazy_import("polaris.dependencies.pipcheck")
    service = lazy_import("polaris.dependencies.service")
    index_mod = lazy_import("polaris.dependencies.index")
    audit_mod = lazy_import("polaris.dependencies.audit")
    osv = lazy_import("polaris.dependencies.osv")
    sarif = lazy_import("polaris.dependencies.sarif")

__all__ = ["app", "db_app", "lock_app", "sbom_app"]

app = typer.Typer(
    help="Dependencies: update status, lock-file hashes, vulnerability audit (seed 9.1).",
    no_args_is_help=True,
)
lock_app = typer.Typer(help="Check lock files (seed 9.1.2).", no_args_is_help=True)
app.add_typer(lock_app, name="lock")
sbom_app = typer.Typer(help="CycloneDX SBOM export and import.", no_args_is_help=True)
app.add_typer(sbom_app, name="sbom")
db_app = typer.Typer(help="The offline OSV advisory database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Offline database file (default: $POLARIS_HOME/osv.sqlite)."),
]

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
                        (
                            p.kind,
                            escape(p.package),
                            p.version or "",
                            escape(p.message),
                            escape(p.source),
                        )
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


@app.command("audit")
def audit(
    files: FilesArg = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the imported OSV database, not the OSV API.")
    ] = False,
    osv_url: Annotated[
        str | None,
        typer.Option("--osv-url", help="OSV API base URL (default POLARIS_OSV_URL, then osv.dev)."),
    ] = None,
    db: DbOption = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Lowest severity that fails: low|medium|high|critical.")
    ] = "medium",
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Advisory id (or alias) to accept.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or sarif.")] = "table",
    sbom_file: Annotated[
        Path | None, typer.Option("--sbom", help="Audit the components of a CycloneDX JSON SBOM.")
    ] = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Known vulnerabilities of every pinned PyPI and npm package (OSV); exit 1 at --fail-on.

    Exit 3 when the advisories could not be checked (service down, no offline database).
    """
    if fmt not in ("table", "json", "sarif"):
        raise InvalidInput(f"--format must be table, json or sarif, got {fmt!r}")
    if sbom_file is not None:
        deps = sbom.import_cyclonedx(sbom_file.read_text(encoding="utf-8"), source=sbom_file.name)
    else:
        deps = workspace(project, files, None).dependencies
    source: osv.VulnerabilitySource
    if offline:
        database = audit_mod.open_db(db)
        source, name = osv.OfflineOSV(database), f"offline {database.path}"
    else:
        online = osv.OnlineOSV(osv_url)
        source, name = online, online.url
    try:
        report = audit_mod.audit(
            deps, source, source_name=name, threshold=fail_on, ignore=ignore or ()
        )
    finally:
        if isinstance(source, osv.OnlineOSV):
            source.close()
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(w)}")
    if fmt == "sarif":
        print_json(sarif.to_sarif(report.findings))
    else:

        def human(out: Console) -> None:
            out.print(
                table(
                    f"Vulnerabilities ({escape(report.source)})",
                    ["package", "version", "id", "severity", "fixed in", "aliases", "where"],
                    (
                        (
                            escape(f.package),
                            f.version,
                            f.id,
                            f.severity,
                            ", ".join(f.fixed_in),
                            ", ".join(f.aliases),
                            escape(f.source),
                        )
                        for f in report.findings
                    ),
                )
            )
            out.print(
                f"{report.packages} packages checked, {len(report.findings)} vulnerable, "
                f"{len(report.failing)} at or above {report.threshold}"
            )

        emit(report, as_json=as_json or fmt == "json", human=human)
    if not report.ok:
        raise CheckFailed(
            f"{len(report.failing)} vulnerability finding(s) at or above {report.threshold}"
        )


@db_app.command("import")
def db_import(
    sources: Annotated[
        list[Path], typer.Argument(help="OSV export: a zip or a directory of JSON.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Index OSV exports into the offline database once (newer records replace older ones)."""
    database = audit_mod.open_db(db)
    results = [database.import_export(s, now=datetime.now(UTC)) for s in sources]
    for r in results:
        for s in r.skipped:
            err_console.print(f"[yellow]warning:[/] skipped malformed record {escape(s)}")

    def human(out: Console) -> None:
        for r in results:
            out.print(
                f"imported {r.imported} of {r.records} records from {escape(r.path)} "
                f"into {escape(str(database.path))}"
                + (f" ({len(r.skipped)} skipped)" if r.skipped else "")
            )

    emit({"db": str(database.path), "imports": results}, as_json=as_json, human=human)


@db_app.command("status")
def db_status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """How many advisories and packages the offline database holds, and from where."""
    st = audit_mod.open_db(db).status()

    def human(out: Console) -> None:
        if not st.exists:
            out.print(f"no offline database at {escape(st.path)}")
            return
        per = ", ".join(f"{k}: {v}" for k, v in st.ecosystems.items())
        out.print(
            f"{escape(st.path)}: {st.advisories} advisories over {st.packages} packages ({per}); "
            f"imported {st.imported_at}"
        )

    emit(st, as_json=as_json, human=human)


@app.command("update")
def update(
    files: FilesArg = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the automatic updates.")] = False,
    plan: Annotated[bool, typer.Option("--plan", help="Only propose (the default).")] = False,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Resolve the new set with pip first.")
    ] = True,
    index_url: IndexOption = None,
    policy: PolicyOption = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Propose updates per policy; --apply writes the automatic ones (format kept) once pip's
    resolver accepts the new set. Critical packages are only proposed, for approval."""
    if apply and plan:
        raise InvalidInput("--plan and --apply exclude each other")
    ws = workspace(project, files, policy)
    index = index_mod.SimpleIndex(index_url)
    try:
        the_plan = service.plan_update(ws, index)
    finally:
        index.close()
    result = None
    if check and the_plan.changes:
        result = pipcheck.check_install(the_plan.pinned_text(ws), index_url=index_url)
    written: list[str] = []
    if apply and not dry_run and (result is None or result.ok):
        written = the_plan.apply()
    data = {
        "proposals": the_plan.proposals,
        "diff": the_plan.diff,
        "install_check": result,
        "written": written,
        "dry_run": not (apply and not dry_run),
    }

    def human(out: Console) -> None:
        out.print(
            table(
                "Dependency updates",
                ["package", "from", "to", "update", "category", "action", "where"],
                (
                    (
                        escape(p.name),
                        p.current,
                        p.target,
                        p.update,
                        p.category,
                        p.action,
                        f"{escape(p.source)}:{p.line}",
                    )
                    for p in the_plan.proposals
                ),
            )
        )
        if the_plan.diff and not written:
            out.out(the_plan.diff, highlight=False)
        if result is not None:
            verdict = "[green]installs[/]" if result.ok else "[red]does not install[/]"
            out.print(f"pip's resolver: the new set {verdict}")
            for line in result.conflicts:
                out.print(f"  {escape(line)}")
        if written:
            out.print(f"wrote {escape(', '.join(written))}")

    emit(data, as_json=as_json, human=human)
    if result is not None and not result.ok:
        raise CheckFailed("the updated set does not install: nothing written")


@sbom_app.command("export")
def sbom_export(
    files: FilesArg = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Write the pinned dependencies as a CycloneDX 1.6 JSON SBOM."""
    ws = workspace(project, files, None)
    text = sbom.export_cyclonedx(service.pinned(ws.dependencies))
    if output is None or dry_run:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    err_console.print(f"wrote {escape(str(output))}")


@sbom_app.command("import")
def sbom_import(
    path: Annotated[Path, typer.Argument(help="A CycloneDX JSON SBOM.")],
    as_json: JsonOption = False,
) -> None:
    """List the PyPI and npm components of a CycloneDX SBOM (audit them with audit --sbom)."""
    deps = sbom.import_cyclonedx(path.read_text(encoding="utf-8"), source=path.name)

    def human(out: Console) -> None:
        out.print(
            table(
                escape(path.name),
                ["package", "ecosystem", "version", "hashes"],
                ((escape(d.name), d.ecosystem.value, d.version, len(d.hashes)) for d in deps),
            )
        )

    emit({"components": deps}, as_json=as_json, human=human)
