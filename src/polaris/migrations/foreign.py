"""Use cases over other tools' migrations: ``polaris schema adopt`` and ``polaris schema import``.

``adopt`` takes over a database that Flyway, golang-migrate, goose or dbmate migrated: it reads
that tool's history table, refuses a dirty or failed state in the tool's words, and records every
migration the tool applied as ``baseline`` in Polaris's tracking table, in one command, under the
migration lock. golang-migrate and dbmate name their table ``schema_migrations`` like Polaris: their
table is renamed ``schema_migrations_<tool>`` (kept, never dropped) before Polaris's is created.

``import`` converts a directory in another layout into files in the seed's format, showing the
diff first (``--dry-run``) and writing all files or none.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.migrations.adopt import TOOL_TABLES, Tool, adopted, read_history
from polaris.migrations.layouts import FORMATS, Format, parse_layout, render_seed
from polaris.migrations.rules import AppliedRecord
from polaris.migrations.service import RunReport, SchemaService, StepReport, load_migrations
from polaris.migrations.sql_split import split_sql

__all__ = ["ImportFile", "ImportPlan", "adopt", "apply_import", "plan_import"]


def adopt(
    service: SchemaService, name: str | None, tool: Tool | None = None, *, dry_run: bool = False
) -> RunReport:
    """Baseline a database from the history ``tool`` (default: the database's format) left.

    :raises InvalidInput: no tool named and the database's format is the seed's.
    :raises NotFound: the tool's history table is absent.
    :raises Conflict: the tool's state is dirty or failed; Polaris already tracks the database;
        or the tool applied a version that has no file here.
    """
    spec = service.database(name)
    chosen = tool or (spec.format if spec.format != "seed" else None)
    if chosen is None:
        raise InvalidInput(
            "name the tool that migrated this database: --from flyway|golang-migrate|goose|dbmate",
            location=Location(field="--from"),
        )
    table = TOOL_TABLES[chosen]
    ordered = load_migrations(spec.directory, spec.format)
    with service.open(spec) as ex, ex.lock(spec.lock_timeout, service.actor):
        found = ex.read_table(table)
        if found is None:
            raise NotFound(
                f"database {spec.name} has no {table} table: {chosen} never migrated it",
                hint="for a database migrated by hand, use 'polaris schema baseline VERSION'",
            )
        columns, rows = found
        if table == ex.table and "state" in {c.lower() for c in columns}:
            raise Conflict(
                f"database {spec.name} is tracked by Polaris already",
                hint="see 'polaris schema status'",
            )
        history = read_history(chosen, rows, columns)
        if table != ex.table and ex.records():
            raise Conflict(
                f"database {spec.name} already tracks migrations; adopt takes over a new one",
                hint="see 'polaris schema status'",
            )
        chosen_migrations = adopted(history, ordered)
        now = service.clock()
        records = [
            AppliedRecord(
                m.version,
                m.name,
                m.description,
                m.checksum,
                "baseline",
                n := len(split_sql(m.up_sql, spec.dialect)),
                n,
                m.recorded_down,
                now,
                service.actor,
                0,
                rank,
            )
            for rank, m in enumerate(chosen_migrations, start=1)
        ]
        kept = ""
        if table == ex.table:
            kept = f"{table}_{chosen.replace('-', '_')}"
        if not dry_run:
            if kept:
                ex.rename_table(table, kept)
            ex.ensure_table()
            ex.write_records(records)
    steps = tuple(StepReport(r.version, r.name, r.statements_total, "baseline") for r in records)
    note = f"adopted from {chosen} ({table})"
    if kept:
        note += f"; its table is kept as {kept}"
    return RunReport(spec.name, "adopt", dry_run, steps, True, note=note)


@dataclass(frozen=True, slots=True)
class ImportFile:
    """One file ``import`` writes, with its diff against what is there now."""

    path: str
    text: str
    diff: str
    #: ``new``, ``changed`` or ``same``.
    change: str


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """``polaris schema import``: the seed-format files a directory in another layout becomes."""

    source: str
    source_format: str
    target: str
    files: tuple[ImportFile, ...]
    dry_run: bool = True
    notes: tuple[str, ...] = ()


def plan_import(source: Path, fmt: Format, target: Path) -> ImportPlan:
    """The files converting ``source`` (in layout ``fmt``) into the seed's format in ``target``.

    Versions keep their numbers where they are integers; Flyway's dotted versions are renumbered
    in order (the original version is noted in each file). Repeatable migrations have no place in
    the seed's format and are listed in ``notes``.

    :raises InvalidInput: unknown format, or a file that does not fit the layout.
    :raises NotFound: ``source`` is not a directory.
    """
    if fmt not in FORMATS:
        raise InvalidInput(
            f"--from must be one of {', '.join(FORMATS)}, got {fmt!r}",
            location=Location(field="--from"),
        )
    if not source.is_dir():
        raise NotFound(f"{source} is not a directory", location=Location(file=str(source)))
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(source.glob("*.sql"))}
    migrations = parse_layout(fmt, files, root=str(source))
    versioned = [m for m in migrations if not m.repeatable]
    numeric = all(m.version.isdigit() for m in versioned)
    width = max([3, *(len(m.version) for m in versioned)]) if numeric else 3
    notes = [
        f"{m.filename}: a repeatable migration has no seed equivalent; not imported"
        for m in migrations
        if m.repeatable
    ]
    out: list[ImportFile] = []
    for position, m in enumerate(versioned, start=1):
        number = int(m.version) if numeric else position
        name, text = render_seed(m, number, width)
        path = target / name
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=str(path) if old else "/dev/null",
                tofile=str(path),
            )
        )
        change = "same" if old == text else "changed" if old else "new"
        out.append(ImportFile(str(path), text, diff, change))
    return ImportPlan(str(source), fmt, str(target), tuple(out), True, tuple(notes))


def apply_import(plan: ImportPlan) -> ImportPlan:
    """Write every new or changed file of ``plan``: all of them, or none on a failure."""
    todo = [f for f in plan.files if f.change != "same"]
    target = Path(plan.target)
    target.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for f in todo:
            path = Path(f.path)
            tmp = path.with_name(f".{path.name}.import.tmp")
            tmp.write_text(f.text, encoding="utf-8")
            temps.append((tmp, path))
    except OSError:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)
    return ImportPlan(plan.source, plan.source_format, plan.target, plan.files, False, plan.notes)
