"""What the three executors share over DB-API 2.0: the tracking table and running statements.

SQL here is assembled only from the validated table name and fixed column names; every value is a
bound parameter. Dialects differ in placeholders, column types, transaction control and locking,
which the subclasses supply.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from polaris.core.errors import Conflict, Location
from polaris.migrations.rules import AppliedRecord
from polaris.migrations.sqlexec.interface import (
    Executor,
    MigrationFailed,
    RunStatements,
    SqlExecError,
)

__all__ = ["COLUMNS", "DbApiExecutor"]

#: Column order of every SELECT and INSERT. The seed's four columns (version, description,
#: applied_at, rollback_sql) keep their names so a seed-era table is adopted in place.
COLUMNS: Final = (
    "version",
    "name",
    "description",
    "checksum",
    "state",
    "statements_applied",
    "statements_total",
    "rollback_sql",
    "applied_at",
    "applied_by",
    "execution_ms",
    "installed_rank",
    "failed_statement",
    "error",
)


class DbApiExecutor(Executor):
    """An executor over a DB-API connection in autocommit mode (transactions are explicit)."""

    #: Placeholder of the driver's paramstyle.
    ph: ClassVar[str] = "%s"
    #: Column type per column (``version`` is the primary key).
    #: SQL types of the tracking table's columns (standard SQL; MySQL overrides them).
    column_types: ClassVar[dict[str, str]] = {
        "version": "VARCHAR(50)",
        "name": "VARCHAR(255)",
        "description": "TEXT",
        "checksum": "VARCHAR(80)",
        "state": "VARCHAR(16)",
        "statements_applied": "INTEGER",
        "statements_total": "INTEGER",
        "rollback_sql": "TEXT",
        "applied_at": "TIMESTAMP",
        "applied_by": "VARCHAR(255)",
        "execution_ms": "INTEGER",
        "installed_rank": "INTEGER",
        "failed_statement": "TEXT",
        "error": "TEXT",
    }

    #: Whether a migration can run outside the transaction (not on SQLite, where a whole run
    #: is one write transaction holding the lock).
    can_leave_transaction: ClassVar[bool] = True

    def __init__(self, conn: Any, *, table: str = "schema_migrations") -> None:
        self._conn = conn
        self.table = self.check_identifier(table)

    # -- hooks -----------------------------------------------------------------------------
    def _begin(self) -> None:
        self._exec("BEGIN")

    def _commit(self) -> None:
        self._exec("COMMIT")

    def _rollback(self) -> None:
        self._exec("ROLLBACK")

    def _table_exists(self, name: str | None = None) -> bool:
        raise NotImplementedError

    def _existing_columns(self, name: str | None = None) -> set[str]:
        raise NotImplementedError

    def _time_param(self, value: datetime | None) -> object:
        """``applied_at`` as the driver binds it: naive UTC by default."""
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def _time_value(self, value: object) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return None

    # -- plumbing --------------------------------------------------------------------------
    def _exec(self, sql: str, params: Sequence[object] | None = None) -> Any:
        cur = self._conn.cursor()
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, tuple(params))
        return cur

    def close(self) -> None:
        self._conn.close()

    # -- tracking table --------------------------------------------------------------------
    def ensure_table(self) -> None:
        cols = ", ".join(
            f"{c} {self.column_types[c]}{' PRIMARY KEY' if c == 'version' else ''}" for c in COLUMNS
        )
        self._exec(f"CREATE TABLE IF NOT EXISTS {self.table} ({cols})")
        missing = [c for c in COLUMNS if c not in self._existing_columns()]
        for c in missing:
            self._exec(f"ALTER TABLE {self.table} ADD COLUMN {c} {self.column_types[c]}")

    def records(self) -> list[AppliedRecord]:
        if not self._table_exists():
            return []
        cols = self._existing_columns()
        tool = "golang-migrate" if "dirty" in cols else "dbmate" if cols == {"version"} else ""
        if tool:
            raise Conflict(
                f"table {self.table} is {tool}'s history, not Polaris's",
                hint=f"adopt the database in one step: polaris schema adopt --from {tool}",
            )
        cur = self._exec(
            f"SELECT {', '.join(COLUMNS)} FROM {self.table}"  # noqa: S608 - fixed names only
        )
        rows = cur.fetchall()
        out = [self._record(row) for row in rows]
        out.sort(key=lambda r: (r.rank, r.version))
        return out

    def _record(self, row: Sequence[Any]) -> AppliedRecord:
        v = dict(zip(COLUMNS, row, strict=True))
        state = str(v["state"] or "applied")
        return AppliedRecord(
            version=str(v["version"]),
            name=str(v["name"] or ""),
            description=str(v["description"] or ""),
            checksum=str(v["checksum"] or ""),
            state=state,  # type: ignore[arg-type]  # written only by this class
            statements_applied=int(v["statements_applied"] or 0),
            statements_total=int(v["statements_total"] or 0),
            down_sql=str(v["rollback_sql"] or ""),
            applied_at=self._time_value(v["applied_at"]),
            applied_by=str(v["applied_by"] or ""),
            execution_ms=int(v["execution_ms"] or 0),
            rank=int(v["installed_rank"] or 0),
            failed_statement=str(v["failed_statement"] or ""),
            error=str(v["error"] or ""),
        )

    def _params(self, r: AppliedRecord) -> tuple[object, ...]:
        return (
            r.version,
            r.name,
            r.description,
            r.checksum,
            r.state,
            r.statements_applied,
            r.statements_total,
            r.down_sql,
            self._time_param(r.applied_at),
            r.applied_by,
            r.execution_ms,
            r.rank,
            r.failed_statement,
            r.error,
        )

    def _put(self, r: AppliedRecord, *, replace: bool = True) -> None:
        """Replace the row of ``r.version`` (delete + insert: portable across the three)."""
        if replace:
            self._exec(f"DELETE FROM {self.table} WHERE version = {self.ph}", (r.version,))  # noqa: S608
        marks = ", ".join([self.ph] * len(COLUMNS))
        self._exec(
            f"INSERT INTO {self.table} ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
            self._params(r),
        )

    def write_records(self, records: Sequence[AppliedRecord]) -> None:
        self._begin()
        try:
            for r in records:
                self._put(r)
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def read_table(self, name: str) -> tuple[set[str], list[dict[str, object]]] | None:
        name = self.check_identifier(name)
        if not self._table_exists(name):
            return None
        cur = self._exec(f"SELECT * FROM {name}")  # noqa: S608 - a checked identifier
        cols = [str(d[0]) for d in cur.description]
        return set(cols), [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def rename_table(self, old: str, new: str) -> None:
        self._exec(
            f"ALTER TABLE {self.check_identifier(old)} RENAME TO {self.check_identifier(new)}"
        )

    def delete_record(self, version: str) -> None:
        self._exec(f"DELETE FROM {self.table} WHERE version = {self.ph}", (version,))  # noqa: S608

    # -- running migrations ----------------------------------------------------------------
    def _failure(
        self, run: RunStatements, index: int, exc: Exception, *, recorded: bool, down: bool
    ) -> MigrationFailed:
        what = "rollback of migration" if down else "migration"
        line = run.lines[index] if index < len(run.lines) else None
        first = " ".join(run.statements[index].split())[:120]
        kept = "recorded as failed" if recorded else "rolled back, nothing applied"
        return MigrationFailed(
            f"{what} {run.version} failed at statement {index + 1} of {len(run.statements)} "
            f"({first}): {_one_line(exc)}; {kept}",
            version=run.version,
            index=index,
            statement=run.statements[index],
            recorded=recorded,
            location=Location(file=run.path or None, line=line),
            hint=None
            if not recorded
            else f"fix it by hand, then 'polaris schema repair {run.version}'",
        )

    def apply(
        self, run: RunStatements, record: AppliedRecord, *, start: int = 0, replace: bool = True
    ) -> AppliedRecord:
        if self.transactional_ddl and (run.transaction or not self.can_leave_transaction):
            return self._apply_transactional(run, record, start, replace)
        return self._apply_progressive(run, record, start, replace)

    def _apply_transactional(
        self, run: RunStatements, record: AppliedRecord, start: int, replace_row: bool
    ) -> AppliedRecord:
        t0 = time.perf_counter()
        self._begin()
        index = start
        try:
            for index in range(start, len(run.statements)):
                self._exec(run.statements[index])
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, Exception):
                raise self._failure(run, index, exc, recorded=False, down=False) from exc
            raise
        done = replace(
            record,
            state="applied",
            statements_applied=len(run.statements),
            statements_total=len(run.statements),
            execution_ms=round((time.perf_counter() - t0) * 1000),
            failed_statement="",
            error="",
        )
        try:
            self._put(done, replace=replace_row)
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return done

    def _apply_progressive(
        self, run: RunStatements, record: AppliedRecord, start: int, replace_row: bool
    ) -> AppliedRecord:
        # DDL commits implicitly: the row says how far we got after every statement, so a
        # failure or a killed runner leaves a visible, resumable state.
        t0 = time.perf_counter()
        total = len(run.statements)
        self._put(
            replace(
                record,
                state="running",
                statements_applied=start,
                statements_total=total,
                failed_statement="",
                error="",
            ),
            replace=replace_row,
        )
        progress = (
            f"UPDATE {self.table} SET statements_applied = {self.ph} WHERE version = {self.ph}"  # noqa: S608
        )
        for index in range(start, total):
            try:
                self._exec(run.statements[index])
            except Exception as exc:
                failure = self._failure(run, index, exc, recorded=True, down=False)
                self._exec(
                    f"UPDATE {self.table} SET state = {self.ph}, failed_statement = {self.ph}, "  # noqa: S608
                    f"error = {self.ph} WHERE version = {self.ph}",
                    ("failed", run.statements[index], _one_line(exc), run.version),
                )
                raise failure from exc
            self._exec(progress, (index + 1, run.version))
        done = replace(
            record,
            state="applied",
            statements_applied=total,
            statements_total=total,
            execution_ms=round((time.perf_counter() - t0) * 1000),
            failed_statement="",
            error="",
        )
        self._put(done)
        return done

    def revert(self, run: RunStatements, record: AppliedRecord) -> None:
        if self.transactional_ddl and (run.transaction or not self.can_leave_transaction):
            self._begin()
            index = 0
            try:
                for index in range(len(run.statements)):
                    self._exec(run.statements[index])
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, Exception):
                    raise self._failure(run, index, exc, recorded=False, down=True) from exc
                raise
            try:
                self.delete_record(record.version)
            except BaseException:
                self._rollback()
                raise
            self._commit()
            return
        for index in range(len(run.statements)):
            try:
                self._exec(run.statements[index])
            except Exception as exc:
                failure = self._failure(run, index, exc, recorded=True, down=True)
                self._exec(
                    f"UPDATE {self.table} SET state = {self.ph}, failed_statement = {self.ph}, "  # noqa: S608
                    f"error = {self.ph} WHERE version = {self.ph}",
                    (
                        "failed",
                        run.statements[index],
                        f"rollback failed at statement {index + 1}: {_one_line(exc)}",
                        record.version,
                    ),
                )
                raise failure from exc
        self.delete_record(record.version)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def connect_error(dialect: str, url: str, exc: BaseException) -> SqlExecError:
    """A one-line connection failure that never shows the password."""
    from polaris.migrations.sqlexec.interface import ConnectError, redact_url

    return ConnectError(
        f"cannot connect to the {dialect} database {redact_url(url)}: {_one_line(exc)}",
        hint="check the URL in the environment variable named by url_env, and that the server runs",
    )
