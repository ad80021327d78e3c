"""Use cases of ``polaris schema``: status, up, down, validate, repair, baseline, sync, new, lint.

The service reads migration files, asks :mod:`polaris.migrations.rules` for a plan, and runs it
through an :class:`~polaris.migrations.sqlexec.Executor` under the database's session-level lock.
The lock is taken only when there is something to write, and the plan is recomputed under it, so
two runners never apply a migration twice.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.migrations.effects import statement_effect
from polaris.migrations.layouts import Format, parse_layout
from polaris.migrations.lint import LintReport, lint_migrations
from polaris.migrations.rules import (
    AppliedRecord,
    Chunk,
    Migration,
    StatusEntry,
    migration_filename,
    next_number,
    parse_migration,
    plan_down,
    plan_up,
    skeleton,
    status,
    validation_problems,
)
from polaris.migrations.sql_split import Dialect, split_sql
from polaris.migrations.sqlexec import Executor, MigrationFailed, RunStatements, open_executor
from polaris.project.databases import DatabaseSpec, database_url

__all__ = [
    "DatabaseStatus",
    "RepairMode",
    "RepairResult",
    "RunReport",
    "SchemaService",
    "StepReport",
    "SyncReport",
    "ValidateReport",
    "current_actor",
    "load_migrations",
]

RepairMode = Literal["resume", "forget", "applied"]
ExecutorFactory = Callable[[DatabaseSpec, str], Executor]


@dataclass(frozen=True, slots=True)
class StepReport:
    """One migration run (or to be run, in a dry run)."""

    version: str
    name: str
    statements: int
    status: Literal["applied", "reverted", "pending", "failed", "baseline"]
    execution_ms: int = 0
    #: Statement to start at (1-based) when resuming a repaired migration.
    start: int = 1
    error: str = ""


@dataclass(frozen=True, slots=True)
class RunReport:
    """What ``up``, ``down`` or ``baseline`` did (or would do) on one database."""

    database: str
    action: str
    dry_run: bool
    steps: tuple[StepReport, ...] = ()
    #: Whether the migration lock was taken (never when there was nothing to do).
    locked: bool = False
    error: str = ""
    #: A remark on the run (``adopt``: which history it read, and where that table went).
    note: str = ""

    @property
    def ok(self) -> bool:
        """No step failed."""
        return not self.error


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    """``polaris schema status`` of one database."""

    database: str
    dialect: Dialect
    #: The last applied migration in execution order, or None.
    current: str | None
    entries: tuple[StatusEntry, ...]


@dataclass(frozen=True, slots=True)
class ValidateReport:
    """Applied migrations whose files were edited, failed or missing; empty means valid."""

    database: str
    checked: int
    problems: tuple[StatusEntry, ...]


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What ``repair`` changed in the tracking table."""

    database: str
    version: str | None
    action: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """``polaris schema sync``: one report per database."""

    platform_version: str
    reports: tuple[RunReport, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Every database reached its target."""
        return all(r.ok for r in self.reports)


def current_actor() -> str:
    """``user@host pid N``: who runs this process (recorded as ``applied_by``)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no user name in odd containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def load_migrations(directory: str | Path, fmt: Format = "seed") -> tuple[Migration, ...]:
    """Parse and order every ``*.sql`` file of ``directory`` in layout ``fmt`` (missing: none).

    :raises InvalidInput: a file is malformed, or the order cannot be established.
    """
    d = Path(directory)
    if not d.is_dir():
        return ()
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(d.glob("*.sql"))}
    return parse_layout(fmt, files, root=str(d))


def _default_factory(spec: DatabaseSpec, url: str) -> Executor:
    return open_executor(spec.dialect, url, application_name=f"polaris schema: {current_actor()}")


def _in_progress(records: Sequence[AppliedRecord]) -> bool:
    """Whether a row says a migration is being applied (by a live runner, or a dead one)."""
    return any(r.state == "running" for r in records)


def _would(dry_run: bool, action: str) -> str:
    """``action``, marked as not done when nothing is written."""
    return f"dry run, nothing written; it would be: {action}" if dry_run else action


class SchemaService:
    """The schema use cases over a platform's configured databases.

    :param environ: where URLs are read from (default ``os.environ``).
    :param connect: opens an executor for a database (tests inject their own).
    :param clock: "now", timezone-aware UTC.
    """

    def __init__(
        self,
        databases: Sequence[DatabaseSpec],
        *,
        environ: Mapping[str, str] | None = None,
        connect: ExecutorFactory = _default_factory,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        actor: str | None = None,
    ) -> None:
        self.databases = tuple(databases)
        self._environ = environ
        self._connect = connect
        self._clock = clock
        self.actor = actor or current_actor()

    # -- lookups ---------------------------------------------------------------------------
    def database(self, name: str | None) -> DatabaseSpec:
        """The database called ``name``; the only one when ``name`` is None.

        :raises NotFound: no such database. :raises InvalidInput: several and none named.
        """
        if not self.databases:
            raise NotFound(
                "no [databases.<name>] configured",
                hint="add one to polaris.toml (see docs/schema.md)",
            )
        if name is None:
            if len(self.databases) == 1:
                return self.databases[0]
            names = ", ".join(d.name for d in self.databases)
            raise InvalidInput(
                f"several databases are configured ({names}): name one",
                location=Location(field="--database"),
            )
        for d in self.databases:
            if d.name == name:
                return d
        raise NotFound(f"no database {name!r} configured", location=Location(field="--database"))

    def _open(self, spec: DatabaseSpec) -> Executor:
        return self._connect(spec, database_url(spec, self._environ))

    def open(self, spec: DatabaseSpec) -> Executor:
        """A connection to ``spec``'s database (for use cases built on this service)."""
        return self._open(spec)

    def clock(self) -> datetime:
        """Now, as this service sees it (UTC)."""
        return self._clock()

    def _run(self, m: Migration, dialect: Dialect, *, down: bool = False) -> RunStatements:
        """The statements of ``m``'s up (or down) section, cut by its layout or the splitter."""
        chunks = m.down_chunks if down else m.up_chunks
        path = (m.down_path or m.path) if down else m.path
        if not chunks:
            chunks = (Chunk(m.down_sql if down else m.up_sql, m.down_line if down else m.up_line),)
        texts: list[str] = []
        lines: list[int] = []
        for c in chunks:
            if c.whole:
                texts.append(c.text)
                lines.append(c.line)
                continue
            for s in split_sql(c.text, dialect, source=path or m.filename):
                texts.append(s.text)
                lines.append(c.line + s.line - 1)
        return RunStatements(m.version, tuple(texts), tuple(lines), path, m.transaction)

    # -- read commands ---------------------------------------------------------------------
    def status(self, name: str | None = None) -> DatabaseStatus:
        """Applied, pending, failed and modified migrations of one database."""
        spec = self.database(name)
        ordered = load_migrations(spec.directory, spec.format)
        with self._open(spec) as ex:
            records = ex.records()
        entries = status(ordered, records)
        applied = [e.version for e in entries if e.state in ("applied", "baseline", "modified")]
        return DatabaseStatus(spec.name, spec.dialect, applied[-1] if applied else None, entries)

    def validate(self, name: str | None = None) -> ValidateReport:
        """Checksums of every applied file against the table; failed and missing rows."""
        st = self.status(name)
        checked = sum(1 for e in st.entries if e.state != "pending")
        return ValidateReport(st.database, checked, validation_problems(st.entries))

    # -- write commands --------------------------------------------------------------------
    def up(
        self, name: str | None = None, *, to: str | None = None, dry_run: bool = False
    ) -> RunReport:
        """Apply pending migrations in order, up to ``to``.

        :raises CheckFailed: an applied file was edited. :raises Conflict: a failed migration.
        """
        spec = self.database(name)
        ordered = load_migrations(spec.directory, spec.format)
        with self._open(spec) as ex:
            records = ex.records()
            # A "running" row read without the lock may belong to a runner at work right now
            # (MySQL commits it before its DDL): decide under the lock, where only a runner that
            # died leaves one.
            busy = not dry_run and _in_progress(records)
            plan = plan_up(ordered, records if not busy else [], to=to)
            if not busy and (dry_run or not plan.steps):
                steps = tuple(
                    StepReport(
                        s.migration.version,
                        s.migration.name,
                        len(self._run(s.migration, spec.dialect).statements),
                        "pending",
                        start=s.start + 1,
                    )
                    for s in plan.steps
                )
                return RunReport(spec.name, "up", dry_run, steps)
            done: list[StepReport] = []
            with ex.lock(spec.lock_timeout, self.actor):
                ex.ensure_table()
                records = ex.records()
                plan = plan_up(ordered, records, to=to)
                by_version = {r.version: r for r in records}
                rank = max((r.rank for r in records), default=0)
                for step in plan.steps:
                    m = step.migration
                    run = self._run(m, spec.dialect)
                    old = by_version.get(m.version)
                    if old is None:
                        rank += 1
                    record = AppliedRecord(
                        version=m.version,
                        name=m.name,
                        description=m.description,
                        checksum=m.checksum,
                        state="applied",
                        statements_applied=len(run.statements),
                        statements_total=len(run.statements),
                        down_sql=m.recorded_down,
                        applied_at=self._clock(),
                        applied_by=self.actor,
                        rank=old.rank if old is not None else rank,
                    )
                    try:
                        written = ex.apply(run, record, start=step.start, replace=old is not None)
                    except MigrationFailed as exc:
                        done.append(
                            StepReport(
                                m.version,
                                m.name,
                                len(run.statements),
                                "failed",
                                start=step.start + 1,
                                error=exc.one_line(),
                            )
                        )
                        return RunReport(spec.name, "up", False, tuple(done), True, exc.one_line())
                    done.append(
                        StepReport(
                            m.version,
                            m.name,
                            len(run.statements),
                            "applied",
                            written.execution_ms,
                            start=step.start + 1,
                        )
                    )
            return RunReport(spec.name, "up", False, tuple(done), True)

    def down(
        self,
        name: str | None = None,
        *,
        to: str | None = None,
        steps: int | None = None,
        dry_run: bool = False,
    ) -> RunReport:
        """Roll back the last ``steps`` migrations (default 1), or all applied after ``to``."""
        spec = self.database(name)
        ordered = load_migrations(spec.directory, spec.format)
        files = {m.version: m for m in ordered}
        with self._open(spec) as ex:
            records = ex.records()
            if not dry_run and _in_progress(records):  # see up(): decide under the lock
                records = [r for r in records if r.state != "running"]
            plan = plan_down(ordered, records, to=to, steps=steps)
            if dry_run or not plan.records:
                return RunReport(
                    spec.name,
                    "down",
                    dry_run,
                    tuple(
                        StepReport(
                            r.version,
                            r.name,
                            len(split_sql(sql, spec.dialect)),
                            "pending",
                        )
                        for r, sql in zip(plan.records, plan.down_sql, strict=True)
                    ),
                )
            done: list[StepReport] = []
            with ex.lock(spec.lock_timeout, self.actor):
                plan = plan_down(ordered, ex.records(), to=to, steps=steps)
                for r, sql in zip(plan.records, plan.down_sql, strict=True):
                    m = files.get(r.version)
                    if m is not None:
                        run = self._run(m, spec.dialect, down=True)
                    else:
                        stmts = split_sql(sql, spec.dialect)
                        run = RunStatements(
                            r.version, tuple(s.text for s in stmts), tuple(s.line for s in stmts)
                        )
                    try:
                        ex.revert(run, r)
                    except MigrationFailed as exc:
                        done.append(
                            StepReport(
                                r.version,
                                r.name,
                                len(run.statements),
                                "failed",
                                error=exc.one_line(),
                            )
                        )
                        return RunReport(
                            spec.name, "down", False, tuple(done), True, exc.one_line()
                        )
                    done.append(StepReport(r.version, r.name, len(run.statements), "reverted"))
            return RunReport(spec.name, "down", False, tuple(done), True)

    def repair(
        self,
        name: str | None = None,
        version: str | None = None,
        *,
        mode: RepairMode = "resume",
        dry_run: bool = False,
    ) -> RepairResult:
        """Clear one failed state, or accept the new checksum of one named edited migration.

        ``mode`` for a failed migration: ``resume`` (the next ``up`` continues at the failed
        statement), ``forget`` (the database holds none of it: the next ``up`` runs it whole) or
        ``applied`` (a human completed it). With ``dry_run`` the action is decided and reported,
        and nothing is written.

        :raises InvalidInput: no version named where one is needed.
        :raises NotFound: the version has no row.
        """
        spec = self.database(name)
        ordered = load_migrations(spec.directory, spec.format)
        files = {m.version: m for m in ordered}
        with self._open(spec) as ex, ex.lock(spec.lock_timeout, self.actor):

            def write(rows: list[AppliedRecord]) -> None:
                if not dry_run:
                    ex.write_records(rows)

            records = ex.records()
            entries = status(ordered, records)
            if version is None:
                failed = [r for r in records if r.state in ("failed", "running")]
                if len(failed) > 1:
                    raise InvalidInput(
                        f"several migrations failed ({', '.join(r.version for r in failed)})",
                        hint="repair them one at a time: polaris schema repair N",
                    )
                if not failed:
                    modified = [e.version for e in entries if e.state == "modified"]
                    if modified:
                        raise InvalidInput(
                            f"migration(s) {', '.join(modified)} were edited; checksums are "
                            "accepted only for a migration named on purpose",
                            hint=f"polaris schema repair {modified[0]}",
                        )
                    return RepairResult(spec.name, None, "nothing to repair")
                version = failed[0].version
            rec = next((r for r in records if r.version == version), None)
            if rec is None and version.isdigit():
                rec = next(
                    (r for r in records if r.version.isdigit() and int(r.version) == int(version)),
                    None,
                )
            if rec is None:
                raise NotFound(f"migration {version} has no row in schema_migrations")
            m = files.get(rec.version)
            if rec.state in ("failed", "running", "partial"):
                if mode == "forget":
                    if not dry_run:
                        ex.delete_record(rec.version)
                    return RepairResult(
                        spec.name, rec.version, _would(dry_run, "forgotten: next up runs it whole")
                    )
                if mode == "applied":
                    write(
                        [
                            replace(
                                rec,
                                state="applied",
                                statements_applied=rec.statements_total,
                                checksum=m.checksum if m else rec.checksum,
                                failed_statement="",
                                error="",
                            )
                        ]
                    )
                    return RepairResult(spec.name, rec.version, _would(dry_run, "marked applied"))
                resume, note = rec.statements_applied, ""
                if rec.state == "running" and m is not None:
                    resume, note = self._check_interrupted(ex, spec.dialect, m, rec)
                write([replace(rec, state="partial", statements_applied=resume)])
                return RepairResult(
                    spec.name,
                    rec.version,
                    _would(dry_run, f"{note}cleared: next up resumes at statement {resume + 1}"),
                )
            if m is not None and rec.checksum != m.checksum:
                write(
                    [
                        replace(
                            rec,
                            checksum=m.checksum,
                            down_sql=m.recorded_down,
                            description=m.description,
                        )
                    ]
                )
                return RepairResult(
                    spec.name, rec.version, _would(dry_run, f"accepted checksum {m.checksum}")
                )
            return RepairResult(spec.name, rec.version, "nothing to repair")

    def _check_interrupted(
        self, ex: Executor, dialect: Dialect, m: Migration, rec: AppliedRecord
    ) -> tuple[int, str]:
        """Where to resume a migration whose runner died, and what was found out about it.

        The row says statements before ``statements_applied`` completed; the next one may have
        committed too (MySQL DDL) before the runner died. Where the catalogue shows that
        statement's effect, resume after it; otherwise say that it may have completed.
        """
        statements = self._run(m, dialect).statements
        index = rec.statements_applied
        if index >= len(statements):
            return index, ""
        effect = statement_effect(statements[index])
        holds = ex.effect_holds(effect) if effect is not None else None
        n = index + 1
        if holds is None:
            return index, (
                f"statement {n} may have completed before the runner died (MySQL commits each "
                "statement; its effect cannot be checked here): check it by hand; "
            )
        assert effect is not None  # noqa: S101 - holds is only known for an effect
        if holds == effect.exists:
            return index + 1, f"statement {n} had completed ({effect.describe()}); "
        return index, f"statement {n} had not taken effect; "

    def baseline(self, name: str | None, version: str, *, dry_run: bool = False) -> RunReport:
        """Adopt an existing database at ``version``: record every migration up to it as applied.

        With ``dry_run``, report the rows it would record and write nothing.

        :raises Conflict: the database already has tracking rows.
        :raises NotFound: no migration ``version``.
        """
        spec = self.database(name)
        ordered = load_migrations(spec.directory, spec.format)
        idx = next(
            (
                i
                for i, m in enumerate(ordered)
                if m.version == version or (version.isdigit() and m.number == int(version))
            ),
            None,
        )
        if idx is None:
            raise NotFound(f"no migration numbered {version}", location=Location(field="VERSION"))
        with self._open(spec) as ex, ex.lock(spec.lock_timeout, self.actor):
            if not dry_run:
                ex.ensure_table()
            if ex.records():
                raise Conflict(
                    f"database {spec.name} already tracks migrations; baseline adopts a new one",
                    hint="use 'polaris schema status' to see where it stands",
                )
            now = self._clock()
            rows = []
            for rank, m in enumerate(ordered[: idx + 1], start=1):
                n = len(split_sql(m.up_sql, spec.dialect))
                rows.append(
                    AppliedRecord(
                        m.version,
                        m.name,
                        m.description,
                        m.checksum,
                        "baseline",
                        n,
                        n,
                        m.recorded_down,
                        now,
                        self.actor,
                        0,
                        rank,
                    )
                )
            if not dry_run:
                ex.write_records(rows)
        steps = tuple(StepReport(r.version, r.name, r.statements_total, "baseline") for r in rows)
        return RunReport(spec.name, "baseline", dry_run, steps, True)

    def sync(self, platform_version: str, *, dry_run: bool = False) -> SyncReport:
        """Bring every database to the migration listed for ``platform_version`` (in parallel).

        See :func:`polaris.migrations.sync.sync_databases`.
        """
        from polaris.migrations.sync import sync_databases

        return sync_databases(self, platform_version, dry_run=dry_run)

    # -- files -----------------------------------------------------------------------------
    def plan_new(
        self,
        name: str | None,
        migration_name: str,
        *,
        description: str = "",
        dependencies: Iterable[str] = (),
    ) -> tuple[Path, str]:
        """The path and text :meth:`new` would write (``--dry-run``)."""
        spec = self.database(name)
        if spec.format != "seed":
            raise InvalidInput(
                f"database {spec.name} keeps {spec.format} migrations; 'new' writes the seed's "
                "format",
                location=Location(file=spec.config_path or None, field="format"),
                hint=f"create the file with {spec.format}'s own naming, or import the folder",
            )
        directory = Path(spec.directory)
        existing = load_migrations(directory, spec.format)
        number, width = next_number(existing)
        deps = list(dependencies)
        if not deps and existing:
            deps = [existing[-1].filename]
        filename = migration_filename(number, width, migration_name)
        text = skeleton(
            filename,
            description=description or migration_name.replace("_", " "),
            dependencies=deps,
            database=spec.name,
        )
        return directory / filename, text

    def new(
        self,
        name: str | None,
        migration_name: str,
        *,
        description: str = "",
        dependencies: Iterable[str] = (),
    ) -> Path:
        """Write a numbered skeleton ``NNN_<migration_name>.sql``; returns its path."""
        path, text = self.plan_new(
            name, migration_name, description=description, dependencies=dependencies
        )
        directory = path.parent
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{path.name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        try:
            with path.open("x", encoding="utf-8"):
                pass
        except FileExistsError:
            tmp.unlink()
            raise Conflict(f"{path} exists already", location=Location(file=str(path))) from None
        tmp.replace(path)
        return path

    def lint(
        self, name: str | None = None, files: Sequence[Path] = (), *, dialect: Dialect | None = None
    ) -> LintReport:
        """Classify migrations (the database's, or ``files``) by the bump their change needs."""
        spec = self.database(name) if (name is not None or not files or dialect is None) else None
        d: Dialect = dialect or (spec.dialect if spec else "postgresql")
        if files:
            items = [_lint_item(Path(f)) for f in files]
        else:
            assert spec is not None  # noqa: S101 - set above whenever no files are given
            items = [
                (m.path or m.filename, m.up_sql, m.up_line)
                for m in load_migrations(spec.directory, spec.format)
            ]
        return lint_migrations(items, d)


def _lint_item(path: Path) -> tuple[str, str, int]:
    text = path.read_text(encoding="utf-8")
    try:
        m = parse_migration(text, path.name, path=str(path))
    except InvalidInput:
        return str(path), text, 1
    return str(path), m.up_sql, m.up_line
