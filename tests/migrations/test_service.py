"""The schema use cases against real SQLite, PostgreSQL and MariaDB databases."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from tests._services import mysql_url, pg_url  # noqa: F401 - fixtures

from polaris.core.errors import CheckFailed, Conflict, InvalidInput
from polaris.migrations.service import SchemaService
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec import LockTimeout, open_executor
from polaris.project.databases import DatabaseSpec

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris" / "migrations" / "mysql"
)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Dialect, str]:
    """(dialect, URL) of a fresh database of each kind."""
    dialect: Dialect = request.param
    if dialect == "sqlite":
        return dialect, f"sqlite:///{tmp_path / 'app.db'}"
    fixture = "pg_url" if dialect == "postgresql" else "mysql_url"
    return dialect, str(request.getfixturevalue(fixture))


def write(directory: Path, number: int, up: str, down: str, deps: str = "none") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{number:03d}_m{number}.sql"
    path.write_text(
        f"-- Migration: {number:03d}\n-- Description: migration {number}\n"
        f"-- Dependencies: {deps}\n-- Up Migration:\n{up}\n-- Down Migration (Rollback):\n{down}\n",
        encoding="utf-8",
    )
    return path


def service(
    db: tuple[Dialect, str],
    directory: Path,
    *,
    lock_timeout: float = 30,
    platform_versions: tuple[tuple[str, str], ...] = (),
    name: str = "main",
) -> SchemaService:
    dialect, url = db
    spec = DatabaseSpec(
        name, dialect, "DB_URL", str(directory), lock_timeout, platform_versions, "polaris.toml"
    )
    return SchemaService([spec], environ={"DB_URL": url}, actor="tester@host pid 1")


def tables(db: tuple[Dialect, str]) -> set[str]:
    dialect, url = db
    with open_executor(dialect, url) as ex:
        sql = {
            "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
            "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
            "mysql": "SELECT TABLE_NAME FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE()",
        }[dialect]
        rows = ex._exec(sql).fetchall()  # type: ignore[attr-defined]
    return {str(r[0]).lower() for r in rows} - {"schema_migrations"}


def three(directory: Path) -> None:
    for n in (1, 2, 3):
        write(
            directory,
            n,
            f"CREATE TABLE t{n} (id INT PRIMARY KEY, note VARCHAR(20));\n"
            f"INSERT INTO t{n} (id, note) VALUES (1, 'a;b');",
            f"DROP TABLE t{n};",
            deps=f"{n - 1:03d}" if n > 1 else "none",
        )


def test_apply_and_roll_back_to_a_target(db: tuple[Dialect, str], tmp_path: Path) -> None:
    three(tmp_path / "m")
    s = service(db, tmp_path / "m")
    plan = s.up(dry_run=True)
    assert [st.status for st in plan.steps] == ["pending"] * 3
    assert (plan.locked, tables(db)) == (False, set())

    report = s.up()
    assert report.ok
    assert [(st.version, st.statements, st.status) for st in report.steps] == [
        ("001", 2, "applied"),
        ("002", 2, "applied"),
        ("003", 2, "applied"),
    ]
    assert tables(db) == {"t1", "t2", "t3"}
    st = s.status()
    assert st.current == "003"
    assert {e.state for e in st.entries} == {"applied"}
    assert all(e.applied_by == "tester@host pid 1" and e.applied_at for e in st.entries)

    assert s.up().steps == ()  # nothing pending
    assert [x.version for x in s.down(to="1", dry_run=True).steps] == ["003", "002"]
    assert tables(db) == {"t1", "t2", "t3"}
    assert [x.version for x in s.down(to="1").steps] == ["003", "002"]
    assert tables(db) == {"t1"}
    assert [x.version for x in s.up(to="2").steps] == ["002"]
    assert [x.version for x in s.down(steps=2).steps] == ["002", "001"]
    assert tables(db) == set()
    assert s.status().current is None


def test_a_failing_migration(db: tuple[Dialect, str], tmp_path: Path) -> None:
    d = tmp_path / "m"
    write(d, 1, "CREATE TABLE ok1 (id INT);", "DROP TABLE ok1;")
    bad = write(
        d,
        2,
        "CREATE TABLE half (id INT);\nINSERT INTO no_such_table VALUES (1);\n"
        "CREATE TABLE after_it (id INT);",
        "DROP TABLE after_it;\nDROP TABLE half;",
    )
    s = service(db, d)
    report = s.up()
    assert not report.ok
    assert [(x.version, x.status) for x in report.steps] == [("001", "applied"), ("002", "failed")]
    assert "statement 2 of 3" in report.error
    assert f"{bad}:6" in report.error  # file and line of the failed statement
    states = {e.version: e.state for e in s.status().entries}
    if db[0] in ("sqlite", "postgresql"):
        # Transactional DDL: nothing of 002 is left behind, and it can simply be run again.
        assert tables(db) == {"ok1"}
        assert states == {"001": "applied", "002": "pending"}
        return
    # MariaDB: DDL committed; the row says where it stopped, and further runs refuse.
    assert tables(db) == {"ok1", "half"}
    assert states == {"001": "applied", "002": "failed"}
    entry = s.status().entries[1]
    assert (entry.statements_applied, entry.statements_total) == (1, 3)
    with pytest.raises(Conflict, match="repair"):
        s.up()
    assert [p.state for p in s.validate().problems] == ["failed"]
    # A human fixes the statement in the file, then repairs: up resumes at statement 2.
    bad.write_text(
        bad.read_text().replace("INSERT INTO no_such_table", "INSERT INTO half"), encoding="utf-8"
    )
    assert "resumes at statement 2" in s.repair().action
    resumed = s.up()
    assert resumed.ok
    assert [(x.version, x.start) for x in resumed.steps] == [("002", 2)]
    assert tables(db) == {"ok1", "half", "after_it"}
    assert s.validate().problems == ()
    s.down(to="0")
    assert tables(db) == set()


def test_mariadb_failed_state_can_be_forgotten_after_manual_cleanup(
    mysql_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    db: tuple[Dialect, str] = ("mysql", mysql_url)
    d = tmp_path / "m"
    bad = write(d, 1, "CREATE TABLE half (id INT);\nSELECT * FROM nope;", "DROP TABLE half;")
    s = service(db, d)
    assert not s.up().ok
    assert "forgotten" in s.repair(None, "001", mode="forget").action
    assert [e.state for e in s.status().entries] == ["pending"]
    bad.write_text(bad.read_text().replace("SELECT * FROM nope", "SELECT 1"), encoding="utf-8")
    with open_executor("mysql", mysql_url) as ex:
        ex._exec("DROP TABLE half")  # type: ignore[attr-defined]
    assert s.up().ok
    assert tables(db) == {"half"}


def test_an_edited_applied_file_is_caught(db: tuple[Dialect, str], tmp_path: Path) -> None:
    three(tmp_path / "m")
    s = service(db, tmp_path / "m")
    s.up(to="2")
    first = tmp_path / "m" / "001_m1.sql"
    first.write_text(first.read_text().replace("VARCHAR(20)", "VARCHAR(30)"), encoding="utf-8")
    problems = s.validate().problems
    assert [(p.version, p.state) for p in problems] == [("001", "modified")]
    with pytest.raises(CheckFailed, match="001"):
        s.up()
    with pytest.raises(InvalidInput, match="named on purpose"):
        s.repair()
    assert "accepted checksum sha256v1:" in s.repair(version="001").action
    assert s.validate().problems == ()
    assert [x.version for x in s.up().steps] == ["003"]
    # Line endings alone never count as an edit.
    first.write_bytes(first.read_bytes().replace(b"\n", b"\r\n"))
    assert s.validate().problems == ()


def test_two_concurrent_runs_apply_each_migration_once(
    db: tuple[Dialect, str], tmp_path: Path
) -> None:
    d = tmp_path / "m"
    for n in range(1, 13):
        write(d, n, f"CREATE TABLE c{n} (id INT);", f"DROP TABLE c{n};")
    # A generous lock wait: under heavy machine load twelve DDL statements on MariaDB can take
    # longer than the 30 s default, and this test is about exactly-once, not about timing.
    runners = [service(db, d, lock_timeout=300), service(db, d, lock_timeout=300)]
    barrier = threading.Barrier(2)
    applied: list[str] = []
    errors: list[BaseException] = []

    def run(s: SchemaService) -> None:
        try:
            barrier.wait()
            applied.extend(x.version for x in s.up().steps if x.status == "applied")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Counter(applied) == Counter(f"{n:03d}" for n in range(1, 13))
    assert len(tables(db)) == 12
    entries = runners[0].status().entries
    assert [e.state for e in entries] == ["applied"] * 12


def test_lock_timeout_says_who_and_dies_with_the_connection(
    db: tuple[Dialect, str], tmp_path: Path
) -> None:
    three(tmp_path / "m")
    s = service(db, tmp_path / "m", lock_timeout=0.3)
    holder = open_executor(db[0], db[1], application_name="holder-runner")
    cm = holder.lock(5, "holder")
    cm.__enter__()
    try:
        with pytest.raises(LockTimeout) as info:
            s.up()
        message = info.value.message
        assert "locked by" in message
        if db[0] == "postgresql":
            assert "holder-runner" in message
        if db[0] == "mysql":
            assert "connection" in message
    finally:
        holder.close()  # the runner "dies": its lock goes with its connection
    assert len(s.up().steps) == 3


def test_nothing_pending_takes_no_lock(db: tuple[Dialect, str], tmp_path: Path) -> None:
    three(tmp_path / "m")
    s = service(db, tmp_path / "m", lock_timeout=0.2)
    s.up()
    with open_executor(db[0], db[1]) as holder, holder.lock(5, "holder"):
        report = s.up()
        assert (report.steps, report.locked) == ((), False)


def test_baseline_adopts_an_existing_database(db: tuple[Dialect, str], tmp_path: Path) -> None:
    three(tmp_path / "m")
    with open_executor(db[0], db[1]) as ex:
        ex._exec("CREATE TABLE t1 (id INT PRIMARY KEY, note VARCHAR(20))")  # type: ignore[attr-defined]
        ex._exec("CREATE TABLE t2 (id INT PRIMARY KEY, note VARCHAR(20))")  # type: ignore[attr-defined]
    s = service(db, tmp_path / "m")
    report = s.baseline(None, "2")
    assert [x.status for x in report.steps] == ["baseline", "baseline"]
    assert [e.state for e in s.status().entries] == ["baseline", "baseline", "pending"]
    assert [x.version for x in s.up().steps] == ["003"]
    with pytest.raises(Conflict):
        s.baseline(None, "1")


def test_sync_brings_every_database_to_the_platform_version(
    pg_url: str,  # noqa: F811 - fixture
    mysql_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    dbs: list[tuple[str, Dialect, str]] = [
        ("lite", "sqlite", f"sqlite:///{tmp_path / 'lite.db'}"),
        ("pg", "postgresql", pg_url),
        ("my", "mysql", mysql_url),
    ]
    specs = []
    env = {}
    for name, dialect, url in dbs:
        three(tmp_path / name)
        versions = (("2.0.0", "001"), ("2.1.0", "003"))
        env[f"{name.upper()}_URL"] = url
        specs.append(
            DatabaseSpec(name, dialect, f"{name.upper()}_URL", str(tmp_path / name), 30, versions)
        )
    s = SchemaService(specs, environ=env)
    report = s.sync("2.1.5")
    assert report.ok
    assert {r.database: [x.version for x in r.steps] for r in report.reports} == {
        "lite": ["001", "002", "003"],
        "pg": ["001", "002", "003"],
        "my": ["001", "002", "003"],
    }
    back = s.sync("2.0.0")
    assert back.ok
    assert all([x.status for x in r.steps] == ["reverted"] * 2 for r in back.reports)
    missing = s.sync("1.0.0")
    assert not missing.ok
    assert all("no migration listed for platform 1.0.0" in r.error for r in missing.reports)


def test_the_example_mysql_migrations_apply_and_roll_back_on_mariadb(
    mysql_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    d = tmp_path / "mysql"
    shutil.copytree(EXAMPLE, d)
    db: tuple[Dialect, str] = ("mysql", mysql_url)
    s = service(db, d, name="mysql")
    report = s.up()
    assert report.ok, report.error
    assert [x.version for x in report.steps] == ["001", "002", "003", "004"]
    assert tables(db) == {"users", "roles", "incidents"}
    assert s.validate().problems == ()
    assert [x.version for x in s.down(to="2").steps] == ["004", "003"]
    assert tables(db) == {"users", "roles"}
    s.down(to="0")
    assert tables(db) == set()
    lint = s.lint()
    assert [m.verdict for m in lint.migrations] == ["safe", "safe", "safe", "safe"]


def test_dry_runs_of_repair_baseline_and_new_write_nothing(
    db: tuple[Dialect, str], tmp_path: Path
) -> None:
    d = tmp_path / "m"
    write(d, 1, "CREATE TABLE t1 (id INT);", "DROP TABLE t1;")
    write(d, 2, "CREATE TABLE t2 (id INT);", "DROP TABLE t2;")
    s = service(db, d)
    # baseline --dry-run: reports the rows, records none (not even the tracking table's rows).
    planned = s.baseline(None, "2", dry_run=True)
    assert planned.dry_run
    assert [x.version for x in planned.steps] == ["001", "002"]
    assert [e.state for e in s.status().entries] == ["pending", "pending"]
    # new --dry-run: the path and skeleton, no file.
    path, text = s.plan_new(None, "add_index")
    assert path.name == "003_add_index.sql"
    assert "-- Migration: 003" in text
    assert "-- Dependencies: 002_m2.sql" in text
    assert not path.exists()
    # repair --dry-run on an edited applied migration: says what it would accept, keeps the row.
    assert s.up().ok
    first = d / "001_m1.sql"
    first.write_text(first.read_text().replace("id INT", "id BIGINT"), encoding="utf-8")
    result = s.repair(version="001", dry_run=True)
    assert result.action.startswith("dry run, nothing written; it would be: accepted checksum")
    assert [p.version for p in s.validate().problems] == ["001"]
    assert "accepted checksum" in s.repair(version="001").action
    assert s.validate().problems == ()
