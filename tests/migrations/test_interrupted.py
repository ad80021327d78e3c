"""Interrupted runs: a runner killed between statements, its row, status, refusal, repair, resume;
the SQLite lock between concurrent runners; an edited baselined migration."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests._services import mysql_url, pg_url  # noqa: F401 - fixtures

from polaris.core.errors import CheckFailed, Conflict
from polaris.migrations.effects import Effect, statement_effect
from polaris.migrations.rules import AppliedRecord
from polaris.migrations.service import SchemaService
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec import open_executor
from polaris.project.databases import DatabaseSpec

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Dialect, str]:
    """(dialect, URL) of a fresh database of each kind."""
    dialect: Dialect = request.param
    if dialect == "sqlite":
        return dialect, f"sqlite:///{tmp_path / 'app.db'}"
    fixture = "pg_url" if dialect == "postgresql" else "mysql_url"
    return dialect, str(request.getfixturevalue(fixture))


def svc(db: tuple[Dialect, str], directory: Path, lock_timeout: float = 30) -> SchemaService:
    spec = DatabaseSpec("app", db[0], "APP_DB_URL", str(directory), lock_timeout, (), "")
    return SchemaService([spec], environ={"APP_DB_URL": db[1]}, actor="t")


def tables(db: tuple[Dialect, str]) -> set[str]:
    sql = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
        "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
        "mysql": "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    }[db[0]]
    with open_executor(*db) as ex:
        return {str(r[0]) for r in ex._exec(sql).fetchall()}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sql", "effect"),
    [
        ("CREATE TABLE IF NOT EXISTS `users` (id INT)", Effect("table", "users", "users", True)),
        ("DROP TABLE app.users", Effect("table", "users", "users", False)),
        ("ALTER TABLE t ADD COLUMN c DECIMAL(10,2)", Effect("column", "t", "c", True)),
        ("ALTER TABLE t ADD c INT", Effect("column", "t", "c", True)),
        ("ALTER TABLE t DROP COLUMN c", Effect("column", "t", "c", False)),
        ("CREATE UNIQUE INDEX i ON t (a)", Effect("index", "t", "i", True)),
        ("DROP INDEX i ON t", Effect("index", "t", "i", False)),
        ("ALTER TABLE t ADD INDEX i (a)", Effect("index", "t", "i", True)),
        ("ALTER TABLE t ADD COLUMN a INT, ADD COLUMN b INT", None),
        ("ALTER TABLE t DROP FOREIGN KEY fk", None),
        ("UPDATE t SET a = 1", None),
        ("DROP TABLE a, b", None),
    ],
)
def test_statement_effects(sql: str, effect: Effect | None) -> None:
    assert statement_effect(sql) == effect


def write_killable(d: Path, dialect: Dialect, slow: bool = True) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    sleep = {
        "mysql": "SELECT SLEEP(6)",
        "postgresql": "SELECT pg_sleep(6)",
        "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 2000000000) SELECT count(*) FROM c",
    }[dialect]
    path = d / "001_killable.sql"
    path.write_text(
        "-- Up Migration:\nCREATE TABLE k1 (id INT);\n"
        f"{sleep if slow else 'SELECT 1'};\nCREATE TABLE k2 (id INT);\n"
        "-- Down Migration (Rollback):\nDROP TABLE k2;\nDROP TABLE k1;\n",
        encoding="utf-8",
    )
    return path


def wait_until_in_second_statement(db: tuple[Dialect, str], tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db[0] == "sqlite":
            if (tmp_path / "app.db-journal").exists():  # the run's transaction has written
                time.sleep(0.5)
                return
        else:
            probe = {
                "mysql": "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                "WHERE INFO LIKE 'SELECT SLEEP(6)%'",
                "postgresql": "SELECT COUNT(*) FROM pg_stat_activity "
                "WHERE query LIKE 'SELECT pg_sleep(6)%' AND datname = current_database()",
            }[db[0]]
            with open_executor(*db) as ex:
                if ex._exec(probe).fetchone()[0]:  # type: ignore[attr-defined]
                    return
        time.sleep(0.1)
    raise AssertionError("the runner never reached its second statement")


def test_killing_schema_up_between_statements(db: tuple[Dialect, str], tmp_path: Path) -> None:
    """SIGKILL mid-migration: the row, status, refusal, repair and resume, per engine."""
    (tmp_path / "polaris.toml").write_text(
        f'[databases.app]\ndialect = "{db[0]}"\nurl_env = "APP_DB_URL"\n', encoding="utf-8"
    )
    mig = tmp_path / "migrations" / "app"
    path = write_killable(mig, db[0])
    env = {**os.environ, "APP_DB_URL": db[1], "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from polaris.main import main; raise SystemExit(main())",
            "schema",
            "up",
            "-C",
            str(tmp_path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_in_second_statement(db, tmp_path)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    s = svc(db, mig, lock_timeout=60)
    write_killable(mig, db[0], slow=False)  # statement 2 made quick for the resume
    if db[0] != "mysql":
        # Transactional DDL: the killed run left nothing, and its lock died with it.
        assert "k1" not in tables(db)
        assert [e.state for e in s.status().entries] == ["pending"]
    else:
        (entry,) = s.status().entries
        assert entry.state == "failed" and entry.statements_applied == 1
        assert "interrupted at statement 2 of 3" in entry.detail
        assert "may have completed" in entry.detail
        with pytest.raises(Conflict, match="repair"):
            s.up()
        result = s.repair(None, None)
        assert "statement 2 may have completed" in result.action  # SELECT: nothing to check
        assert "resumes at statement 2" in result.action
    report = s.up()
    assert report.ok, report.error
    assert {"k1", "k2"} <= tables(db)
    assert [e.state for e in s.status().entries] == ["applied"]
    assert path.read_text().count("CREATE TABLE") == 2


def test_mariadb_resume_checks_whether_the_interrupted_statement_committed(
    mysql_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    """Killed right after CREATE TABLE committed, before its progress was recorded."""
    db: tuple[Dialect, str] = ("mysql", mysql_url)
    mig = tmp_path / "m"
    write_killable(mig, "mysql", slow=False)
    s = svc(db, mig)
    assert [e.state for e in s.status().entries] == ["pending"]
    with open_executor(*db) as ex:
        ex.ensure_table()
        ex._exec("CREATE TABLE k1 (id INT)")  # type: ignore[attr-defined]
        ex.write_records(
            [AppliedRecord("001", "killable", "", "sha256v1:x", "running", 0, 3, "", rank=1)]
        )
    result = s.repair(None, "001")
    assert "statement 1 had completed (table k1 exists)" in result.action
    assert "resumes at statement 2" in result.action
    report = s.up()
    assert report.ok, report.error  # not "table k1 already exists"
    assert {"k1", "k2"} <= tables(db)

    # Not committed: resume at the statement itself.
    assert s.down().ok
    with open_executor(*db) as ex:
        ex.write_records(
            [AppliedRecord("001", "killable", "", "sha256v1:x", "running", 0, 3, "", rank=1)]
        )
    result = s.repair(None, "001")
    assert "statement 1 had not taken effect" in result.action
    assert "resumes at statement 1" in result.action
    assert s.up().ok


def test_sqlite_concurrent_runners_are_serialised_by_the_lock(tmp_path: Path) -> None:
    """Two runners on one SQLite file: the second waits, then finds nothing to do.

    Without the lock both plan the same migrations, and one of them fails on
    "table already exists": both reports must be clean.
    """
    db: tuple[Dialect, str] = ("sqlite", f"sqlite:///{tmp_path / 'app.db'}")
    mig = tmp_path / "m"
    mig.mkdir()
    slow = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) "
        "SELECT count(*) FROM c"
    )
    for n in range(1, 9):
        (mig / f"{n:03d}_t{n}.sql").write_text(
            f"-- Up Migration:\nCREATE TABLE t{n} (id INT);\n{slow};\n"
            f"-- Down Migration (Rollback):\nDROP TABLE t{n};\n",
            encoding="utf-8",
        )
    runners = [svc(db, mig, lock_timeout=120), svc(db, mig, lock_timeout=120)]
    barrier = threading.Barrier(2)
    reports = []
    errors: list[BaseException] = []

    def run(s: SchemaService) -> None:
        try:
            barrier.wait()
            reports.append(s.up())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert [r.error for r in reports] == ["", ""]
    applied = sorted(x.version for r in reports for x in r.steps if x.status == "applied")
    assert applied == [f"{n:03d}" for n in range(1, 9)]


def test_an_edited_baselined_migration_is_caught(tmp_path: Path) -> None:
    db: tuple[Dialect, str] = ("sqlite", f"sqlite:///{tmp_path / 'app.db'}")
    mig = tmp_path / "m"
    mig.mkdir()
    for n in (1, 2, 3):
        (mig / f"{n:03d}_t{n}.sql").write_text(
            f"-- Up Migration:\nCREATE TABLE t{n} (id INT);\n"
            f"-- Down Migration (Rollback):\nDROP TABLE t{n};\n",
            encoding="utf-8",
        )
    s = svc(db, mig)
    assert s.baseline(None, "2").ok
    (mig / "002_t2.sql").write_text(
        "-- Up Migration:\nCREATE TABLE t2 (id INT, extra TEXT);\n"
        "-- Down Migration (Rollback):\nDROP TABLE t2;\n",
        encoding="utf-8",
    )
    assert [(p.version, p.state) for p in s.validate().problems] == [("002", "modified")]
    with pytest.raises(CheckFailed, match="002"):
        s.up()
    assert "accepted checksum" in s.repair(None, "002").action
    assert [x.version for x in s.up().steps] == ["003"]
