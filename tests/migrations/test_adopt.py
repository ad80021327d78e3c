# ruff: noqa: S608 - the tests build fixed SQL from constants, never from input
"""Adopting databases Flyway, golang-migrate, goose and dbmate migrated, on every engine."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from tests._services import mysql_url, pg_url  # noqa: F401 - fixtures
from tests.migrations.histories import write_layout

from polaris.core.errors import Conflict, InvalidInput, NotFound
from polaris.migrations.adopt import Tool
from polaris.migrations.foreign import adopt
from polaris.migrations.layouts import Format
from polaris.migrations.service import SchemaService
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec import open_executor
from polaris.project.databases import DatabaseSpec

BOOL = {"sqlite": "BOOLEAN", "postgresql": "BOOLEAN", "mysql": "BOOLEAN"}
SERIAL = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
}


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Dialect, str]:
    """(dialect, URL) of a fresh database of each kind."""
    dialect: Dialect = request.param
    if dialect == "sqlite":
        return dialect, f"sqlite:///{tmp_path / 'app.db'}"
    fixture = "pg_url" if dialect == "postgresql" else "mysql_url"
    return dialect, str(request.getfixturevalue(fixture))


def make_service(db: tuple[Dialect, str], directory: Path, fmt: Format) -> SchemaService:
    dialect, url = db
    spec = DatabaseSpec("main", dialect, "DB_URL", str(directory), 30, (), "", format=fmt)
    return SchemaService([spec], environ={"DB_URL": url}, actor="tester@host pid 1")


def run(db: tuple[Dialect, str], *statements: str) -> list[tuple[object, ...]]:
    dialect, url = db
    rows: list[tuple[object, ...]] = []
    with open_executor(dialect, url) as ex:
        for s in statements:
            cur = ex._exec(s)  # type: ignore[attr-defined]
            if cur.description:
                rows = [tuple(r) for r in cur.fetchall()]
    return rows


def tool_history(tool: Tool, d: Dialect, versions: list[str], *, bad: bool = False) -> list[str]:
    """The DDL and rows ``tool`` leaves after applying ``versions`` (``bad``: dirty/failed)."""
    t = "TRUE" if d != "sqlite" else "1"
    f = "FALSE" if d != "sqlite" else "0"
    if tool == "golang-migrate":
        return [
            f"CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
            f"dirty {BOOL[d]} NOT NULL)",
            f"INSERT INTO schema_migrations (version, dirty) VALUES "
            f"({int(versions[-1])}, {t if bad else f})",
        ]
    if tool == "dbmate":
        return [
            "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY)",
            *(f"INSERT INTO schema_migrations (version) VALUES ('{v}')" for v in versions),
        ]
    if tool == "goose":
        rows = [(0, True), *((int(v), True) for v in versions)]
        # goose down then up again of the last one: the latest row counts.
        rows += [(int(versions[-1]), False), (int(versions[-1]), True)]
        return [
            f"CREATE TABLE goose_db_version (id {SERIAL[d]}, version_id BIGINT NOT NULL, "
            f"is_applied {BOOL[d]} NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
            *(
                f"INSERT INTO goose_db_version (version_id, is_applied) VALUES "
                f"({v}, {t if on else f})"
                for v, on in rows
            ),
        ]
    out = [
        "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, "
        "version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, "
        "script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, "
        "installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
        f"execution_time INT NOT NULL, success {BOOL[d]} NOT NULL)"
    ]
    for rank, v in enumerate(versions, start=1):
        ok = f if bad and rank == len(versions) else t
        out.append(
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
            f"script, checksum, installed_by, execution_time, success) VALUES ({rank}, '{v}', "
            f"'step {rank}', 'SQL', 'V{v.replace('.', '_')}__step.sql', 12345, 'flyway', 3, {ok})"
        )
    return out


TOOL_FORMAT: dict[Tool, Format] = {
    "flyway": "flyway",
    "golang-migrate": "golang-migrate",
    "goose": "goose",
    "dbmate": "dbmate",
}


@pytest.mark.parametrize("tool", ["flyway", "golang-migrate", "goose", "dbmate"])
def test_adopt_then_up_continues(tool: Tool, db: tuple[Dialect, str], tmp_path: Path) -> None:
    """The tool applied the first 4 of 6 migrations: adopt records them, up runs the last 2."""
    dialect = db[0]
    directory = tmp_path / "migrations"
    write_layout(TOOL_FORMAT[tool], dialect, directory, limit=6)
    svc = make_service(db, directory, TOOL_FORMAT[tool])
    ordered = svc.status().entries
    # What the tool did: the first four migrations' schema, and its own history table.
    assert svc.up(to=ordered[3].version).ok
    run(db, "DROP TABLE schema_migrations")
    versions = [e.version for e in ordered[:4]]
    run(db, *tool_history(tool, dialect, versions))

    shares_name = tool in ("golang-migrate", "dbmate")
    with pytest.raises(Conflict, match="adopt") if shares_name else nullcontext():
        svc.status()  # Polaris does not misread the tool's schema_migrations as its own

    preview = adopt(svc, None, dry_run=True)
    assert preview.dry_run and [s.version for s in preview.steps] == versions
    assert run(db, f"SELECT COUNT(*) FROM {_table(tool)}")[0][0] >= 1  # untouched

    report = adopt(svc, None)
    assert [s.version for s in report.steps] == versions
    assert all(s.status == "baseline" for s in report.steps)
    st = svc.status()
    assert [e.state for e in st.entries] == ["baseline"] * 4 + ["pending"] * 2
    if tool in ("golang-migrate", "dbmate"):
        kept = f"schema_migrations_{tool.replace('-', '_')}"
        assert kept in report.note
        assert run(db, f"SELECT COUNT(*) FROM {kept}")[0][0] >= 1  # the tool's table, kept

    up = svc.up()
    assert up.ok and [s.version for s in up.steps] == [e.version for e in ordered[4:]]
    with pytest.raises(Conflict, match="already"):
        adopt(svc, None)


def _table(tool: Tool) -> str:
    return {"flyway": "flyway_schema_history", "goose": "goose_db_version"}.get(
        tool, "schema_migrations"
    )


@pytest.mark.parametrize(
    ("tool", "words"),
    [
        ("golang-migrate", r"Dirty database version \d+\. Fix and force version\."),
        ("flyway", r"Detected failed migration to version 1\.4 \(step 4\)"),
    ],
)
def test_dirty_or_failed_state_is_refused_in_the_tools_words(
    tool: Tool, words: str, db: tuple[Dialect, str], tmp_path: Path
) -> None:
    dialect = db[0]
    directory = tmp_path / "migrations"
    write_layout(TOOL_FORMAT[tool], dialect, directory, limit=5)
    svc = make_service(db, directory, TOOL_FORMAT[tool])
    versions = [e.version for e in svc.status().entries][:4]
    run(db, *tool_history(tool, dialect, versions, bad=True))
    with pytest.raises(Conflict, match=words):
        adopt(svc, None)
    with open_executor(*db) as ex:  # nothing written, the tool's table as it was
        if tool == "flyway":
            assert ex.records() == []
        found = ex.read_table(_table(tool))
        assert found is not None and "state" not in found[0] and len(found[1]) >= 1


def test_adopt_refuses_a_version_without_file_and_a_missing_table(tmp_path: Path) -> None:
    db: tuple[Dialect, str] = ("sqlite", f"sqlite:///{tmp_path / 'app.db'}")
    directory = tmp_path / "migrations"
    write_layout("dbmate", "sqlite", directory, limit=3)
    svc = make_service(db, directory, "dbmate")
    with pytest.raises(NotFound, match="no schema_migrations table"):
        adopt(svc, None)
    run(db, *tool_history("dbmate", "sqlite", ["20261200000001", "20991231000000"]))
    with pytest.raises(Conflict, match="20991231000000, which have no migration file"):
        adopt(svc, None)
    with pytest.raises(InvalidInput, match="does not have golang-migrate's columns"):
        adopt(svc, None, "golang-migrate")
    seed = make_service(db, directory, "seed")
    with pytest.raises(InvalidInput, match="--from"):
        adopt(seed, None)
