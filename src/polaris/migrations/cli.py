"""``polaris schema``: versioned migrations of the platform's databases (seed 6)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import console, emit, table
from polaris.core.errors import CheckFailed, InvalidInput, Location
from polaris.migrations.lint_dialect import DIALECT_NAMES, parse_dialect
from polaris.migrations.sql_split import Dialect
from polaris.project.databases import find_config, load_databases

if TYPE_CHECKING:
    from polaris.migrations import foreign
    from polaris.migrations import service as schema_service
    from polaris.migrations.adopt import Tool
    from polaris.migrations.layouts import Format
    from polaris.migrations.service import RepairMode, RunReport, SchemaService
else:
    schema_service = lazy_import("polaris.migrations.service")
    foreign = lazy_import("polaris.migrations.foreign")

__all__ = ["app"]

app = typer.Typer(
    name="schema",
    help="Database schema migrations: status, up, down, validate, repair, lint.",
    no_args_is_help=True,
)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", "-d", help="Database name from [databases.<name>] in polaris.toml."),
]


def _service(project: Path | None) -> SchemaService:
    config = find_config(project if project is not None else Path.cwd())
    return schema_service.SchemaService(load_databases(config))


def _names(service: SchemaService, database: str | None) -> list[str]:
    return [database] if database else [d.name for d in service.databases]


def _show_run(report: RunReport, as_json: bool) -> None:
    def human(c: Console) -> None:
        verb = {
            "up": "apply",
            "down": "roll back",
            "baseline": "baseline",
            "sync": "sync",
            "adopt": "adopt",
        }
        if not report.steps and not report.error:
            c.print(f"{report.database}: nothing to {verb.get(report.action, report.action)}")
            return
        title = f"{report.database}: {report.action}{' (dry run)' if report.dry_run else ''}"
        rows = [
            (s.version, s.name, s.statements, s.status, f"{s.execution_ms} ms")
            for s in report.steps
        ]
        # A failure's message is the error line printed on stderr.
        c.print(table(title, ["version", "name", "statements", "status", "time"], rows))
        if report.note:
            c.print(escape(report.note))

    emit(report, as_json=as_json, human=human)
    if report.error:
        raise CheckFailed(report.error)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="What the migration does: add_incident_tags.")],
    database: DatabaseOption = None,
    description: Annotated[str, typer.Option(help="The '-- Description:' line.")] = "",
    dry_run: DryRunOption = False,
    project: ProjectOption = None,
) -> None:
    """Write a numbered migration skeleton in the seed's format."""
    service = _service(project)
    if dry_run:
        path, text = service.plan_new(database, name, description=description)
        console.print(f"would create {path}:")
        console.out(text, end="")
        return
    path = service.new(database, name, description=description)
    console.print(f"created {path}")


@app.command("status")
def status_cmd(
    database: DatabaseOption = None, as_json: JsonOption = False, project: ProjectOption = None
) -> None:
    """Applied, pending, failed and modified migrations."""
    service = _service(project)
    statuses = [service.status(n) for n in _names(service, database)]

    def human(c: Console) -> None:
        for st in statuses:
            rows = [
                (
                    e.version,
                    e.name,
                    e.state,
                    e.applied_at.strftime("%Y-%m-%d %H:%M") if e.applied_at else "",
                    e.applied_by,
                    f"{e.statements_applied}/{e.statements_total}" if e.statements_total else "",
                    e.detail,
                )
                for e in st.entries
            ]
            title = f"{st.database} ({st.dialect}) at {st.current or 'no migration'}"
            cols = ["version", "name", "state", "applied at", "by", "statements", "detail"]
            c.print(table(title, cols, rows))

    emit(statuses, as_json=as_json, human=human)


@app.command("up")
def up(
    database: DatabaseOption = None,
    to: Annotated[str | None, typer.Option("--to", help="Stop after this migration.")] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Apply pending migrations in order."""
    _show_run(_service(project).up(database, to=to, dry_run=dry_run), as_json)


@app.command("down")
def down(
    database: DatabaseOption = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Roll back everything after this one (0: all).")
    ] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="How many to roll back.")] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Roll back the last migration, the last K, or down to a target."""
    _show_run(_service(project).down(database, to=to, steps=steps, dry_run=dry_run), as_json)


@app.command("validate")
def validate(
    database: DatabaseOption = None, as_json: JsonOption = False, project: ProjectOption = None
) -> None:
    """Compare every applied file's checksum with the tracking table; exit 1 on a mismatch."""
    service = _service(project)
    reports = [service.validate(n) for n in _names(service, database)]

    def human(c: Console) -> None:
        for r in reports:
            if not r.problems:
                c.print(f"{r.database}: {r.checked} applied migration(s) match their files")
                continue
            rows = [(p.version, p.name, p.state, p.detail) for p in r.problems]
            c.print(table(f"{r.database}: problems", ["version", "name", "state", "detail"], rows))

    emit(reports, as_json=as_json, human=human)
    bad = [f"{r.database} {p.version} {p.state}" for r in reports for p in r.problems]
    if bad:
        raise CheckFailed(
            f"schema validation failed: {', '.join(bad)}",
            hint="restore edited files or accept one with 'polaris schema repair N'",
        )


@app.command("repair")
def repair(
    version: Annotated[str | None, typer.Argument(help="The migration to repair.")] = None,
    database: DatabaseOption = None,
    forget: Annotated[
        bool, typer.Option("--forget", help="Failed one: the database holds none of it.")
    ] = False,
    mark_applied: Annotated[
        bool, typer.Option("--mark-applied", help="Failed one: completed by hand.")
    ] = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Clear one failed state (default: resume at the failed statement) or accept one checksum."""
    if forget and mark_applied:
        raise InvalidInput(
            "give --forget or --mark-applied, not both", location=Location("--forget")
        )
    mode: RepairMode = "forget" if forget else "applied" if mark_applied else "resume"
    result = _service(project).repair(database, version, mode=mode, dry_run=dry_run)
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(f"{result.database} {result.version or ''}: {result.action}"),
    )


@app.command("baseline")
def baseline(
    version: Annotated[str, typer.Argument(help="The migration the database already matches.")],
    database: DatabaseOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Adopt an existing database: record migrations up to VERSION as applied."""
    _show_run(_service(project).baseline(database, version, dry_run=dry_run), as_json)


@app.command("sync")
def sync(
    platform_version: Annotated[
        str, typer.Option("--platform-version", help="Platform version to bring databases to.")
    ],
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Bring every database to the migrations listed for a platform version, in parallel."""
    report = _service(project).sync(platform_version, dry_run=dry_run)

    def human(c: Console) -> None:
        rows = [
            (
                r.database,
                r.action,
                ", ".join(f"{s.version} {s.status}" for s in r.steps) or "up to date",
                "ok" if r.ok else r.error,
            )
            for r in report.reports
        ]
        title = f"sync to platform {report.platform_version}" + (" (dry run)" if dry_run else "")
        c.print(table(title, ["database", "action", "migrations", "result"], rows))

    emit(report, as_json=as_json, human=human)
    failed = [r.database for r in report.reports if not r.ok]
    if failed:
        raise CheckFailed(f"sync failed for: {', '.join(failed)}")


@app.command("lint")
def lint(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Migration files (default: all).")
    ] = None,
    database: DatabaseOption = None,
    dialect: Annotated[
        str | None,
        typer.Option("--dialect", help="sqlite, postgresql (postgres, pg) or mysql (mariadb)."),
    ] = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Classify migrations (safe / deprecation / breaking / unknown) and the bump they need."""
    chosen: Dialect | None = None
    if dialect is not None:
        chosen = parse_dialect(dialect)
        if chosen is None:
            raise InvalidInput(
                f"--dialect must be one of {', '.join(DIALECT_NAMES)}, got {dialect!r}",
                location=Location(field="--dialect"),
            )
    if files and chosen is not None and database is None:
        service = schema_service.SchemaService(())
    else:
        service = _service(project)
    report = service.lint(database, list(files or ()), dialect=chosen)

    def human(c: Console) -> None:
        rows = [
            (Path(f.file).name, f.line, f.rule, f.verdict, f.message)
            for m in report.migrations
            for f in m.findings
        ]
        c.print(table(f"lint ({report.dialect})", ["file", "line", "rule", "verdict", "why"], rows))
        for m in report.migrations:
            c.print(f"{Path(m.file).name}: {m.verdict}, requires a {m.bump} bump")
        c.print(f"overall: {report.verdict}; minimum bump: {report.bump}")

    emit(report, as_json=as_json, human=human)


_TOOLS = ("flyway", "golang-migrate", "goose", "dbmate")


@app.command("adopt")
def adopt_cmd(
    database: DatabaseOption = None,
    from_tool: Annotated[
        str | None,
        typer.Option(
            "--from", help="flyway, golang-migrate, goose or dbmate (default: the format)."
        ),
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Take over a database another tool migrated: baseline from that tool's history table."""
    if from_tool is not None and from_tool not in _TOOLS:
        raise InvalidInput(
            f"--from must be one of {', '.join(_TOOLS)}, got {from_tool!r}",
            location=Location(field="--from"),
        )
    tool: Tool | None = from_tool  # type: ignore[assignment]  # checked just above
    _show_run(foreign.adopt(_service(project), database, tool, dry_run=dry_run), as_json)


@app.command("import")
def import_cmd(
    directory: Annotated[Path, typer.Argument(help="The other tool's migrations directory.")],
    from_format: Annotated[
        str, typer.Option("--from", help="golang-migrate, flyway, goose, dbmate (or seed).")
    ],
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Where to write (default: the database's directory)."),
    ] = None,
    database: DatabaseOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Convert another tool's migrations into the seed's format (--dry-run shows the diff)."""
    target = to if to is not None else Path(_service(project).database(database).directory)
    fmt: Format = from_format  # type: ignore[assignment]  # plan_import checks it
    plan = foreign.plan_import(directory, fmt, target)
    if not dry_run:
        plan = foreign.apply_import(plan)

    def human(c: Console) -> None:
        for f in plan.files:
            if f.change == "same":
                continue
            if dry_run:
                c.out(f.diff, end="")
            else:
                c.print(f"{f.change}: {escape(f.path)}")
        for note in plan.notes:
            c.print(f"note: {escape(note)}")
        changed = sum(1 for f in plan.files if f.change != "same")
        what = "would write" if dry_run else "wrote"
        c.print(f"{what} {changed} of {len(plan.files)} file(s) in {escape(plan.target)}")

    emit(plan, as_json=as_json, human=human)
