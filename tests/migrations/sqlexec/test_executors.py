"""Executors against the real databases: tracking table, statements, failures, locks."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests._services import mysql_url, pg_url  # noqa: F401 - fixtures

from polaris.migrations.rules import AppliedRecord
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec import (
    ConnectError,
    Executor,
    LockTimeout,
    MigrationFailed,
    RunStatements,
    open_executor,
)
from polaris.migrations.sqlexec.interface import redact_url
from polaris.migrations.sqlexec.mysql import mysql_params

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Dialect, str]:
    dialect: Dialect = request.param
    if dialect == "sqlite":
        return dialect, f"sqlite:///{tmp_path / 'x.db'}"
    return dialect, str(
        request.getfixturevalue("pg_url" if dialect == "postgresql" else "mysql_url")
    )


def record(version: str, **kw: object) -> AppliedRecord:
    base: dict[str, object] = {
        "version": version,
        "name": f"m{version}",
        "description": "d",
        "checksum": "sha256v1:" + "a" * 64,
        "state": "applied",
        "statements_applied": 0,
        "statements_total": 0,
        "down_sql": f"DROP TABLE t{version};",
        "applied_at": NOW,
        "applied_by": "me",
        "rank": int(version),
    }
    base.update(kw)
    return AppliedRecord(**base)  # type: ignore[arg-type]


def run(version: str, *statements: str) -> RunStatements:
    return RunStatements(version, statements, tuple(range(1, len(statements) + 1)), "f.sql")


def table_names(ex: Executor) -> set[str]:
    q = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
        "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
        "mysql": "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    }[ex.dialect]
    return {str(r[0]) for r in ex._exec(q).fetchall()}  # type: ignore[attr-defined]


def test_tracking_table_round_trip(db: tuple[Dialect, str]) -> None:
    with open_executor(*db) as ex:
        assert ex.records() == []
        ex.ensure_table()
        ex.ensure_table()  # idempotent
        done = ex.apply(run("001", "CREATE TABLE t001 (id INT)"), record("001"))
        assert done.statements_applied == done.statements_total == 1
        rows = ex.records()
        assert len(rows) == 1
        row = rows[0]
        assert (row.version, row.state, row.applied_at, row.applied_by) == (
            "001",
            "applied",
            NOW,
            "me",
        )
        assert row.down_sql == "DROP TABLE t001;"
        ex.revert(run("001", "DROP TABLE t001"), row)
        assert ex.records() == []
        assert "t001" not in table_names(ex)


def test_a_seed_era_tracking_table_is_adopted(db: tuple[Dialect, str]) -> None:
    with open_executor(*db) as ex:
        ex._exec(  # type: ignore[attr-defined]
            "CREATE TABLE schema_migrations (version VARCHAR(50) PRIMARY KEY, description TEXT, "
            "applied_at TIMESTAMP NULL, rollback_sql TEXT)"
        )
        ex._exec(  # type: ignore[attr-defined]
            "INSERT INTO schema_migrations (version, description, rollback_sql) "
            "VALUES ('001', 'old', 'DROP TABLE x')"
        )
        ex.ensure_table()
        (row,) = ex.records()
        assert (row.version, row.description, row.state, row.down_sql) == (
            "001",
            "old",
            "applied",
            "DROP TABLE x",
        )
        assert row.checksum == ""


def test_a_failing_statement(db: tuple[Dialect, str]) -> None:
    with open_executor(*db) as ex:
        ex.ensure_table()
        bad = run("002", "CREATE TABLE t002 (id INT)", "INSERT INTO missing VALUES (1)")
        with pytest.raises(MigrationFailed) as info:
            ex.apply(bad, record("002"))
        err = info.value
        assert (err.version, err.index, err.statement) == (
            "002",
            1,
            "INSERT INTO missing VALUES (1)",
        )
        assert err.location.file == "f.sql"
        assert err.location.line == 2
        if ex.transactional_ddl:
            assert not err.recorded
            assert ex.records() == []
            assert "t002" not in table_names(ex)
        else:
            assert err.recorded
            (row,) = ex.records()
            assert (row.state, row.statements_applied, row.statements_total) == ("failed", 1, 2)
            assert row.failed_statement == "INSERT INTO missing VALUES (1)"
            assert "missing" in row.error
            assert "t002" in table_names(ex)


_HOLD = """
import sys, time
from polaris.migrations.sqlexec import open_executor
ex = open_executor(sys.argv[1], sys.argv[2], application_name="doomed-runner")
with ex.lock(5, "doomed"):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("which", ["postgresql", "mysql"])
def test_a_killed_runners_lock_dies_with_it(which: str, request: pytest.FixtureRequest) -> None:
    url = str(request.getfixturevalue("pg_url" if which == "postgresql" else "mysql_url"))
    dialect: Dialect = "postgresql" if which == "postgresql" else "mysql"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, dialect, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        with open_executor(dialect, url) as ex:
            with pytest.raises(LockTimeout, match="locked by") as info, ex.lock(0.2, "me"):
                pass
            if dialect == "postgresql":
                assert "doomed-runner" in info.value.message
            proc.kill()
            proc.wait(10)
            with ex.lock(10, "me"):  # no stale lock to break
                pass
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_urls_are_checked_and_passwords_never_shown() -> None:
    assert redact_url("mysql://u:secret@h:3306/db") == "mysql://u:***@h:3306/db"
    assert redact_url("postgresql://h/db") == "postgresql://h/db"
    assert mysql_params("mariadb://u:p%40ss@db.example:3307/app")["password"] == "p@ss"  # noqa: S105
    with pytest.raises(ConnectError, match="not a MySQL URL"):
        mysql_params("mysql://u@h/")
    with pytest.raises(ConnectError, match="not a SQLite URL"):
        open_executor("sqlite", "app.db")
    with pytest.raises(ConnectError) as info:
        open_executor("mysql", "mysql://root:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(info.value)
    assert "***" in str(info.value)
    with pytest.raises(ConnectError) as pg:
        open_executor("postgresql", "postgresql://root:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(pg.value)
