"""Each layout's history on each engine: ``up``, ``down --to 0``, ``up`` again, same schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._services import mysql_url, pg_url  # noqa: F401 - fixtures
from tests.migrations.histories import LAYOUTS, history, schema_snapshot, write_layout

from polaris.migrations.layouts import Format
from polaris.migrations.service import SchemaService
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec import open_executor
from polaris.project.databases import DatabaseSpec


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
    spec = DatabaseSpec(
        "main", dialect, "DB_URL", str(directory), 30, (), "polaris.toml", format=fmt
    )
    return SchemaService([spec], environ={"DB_URL": url}, actor="tester@host pid 1")


def snapshot(db: tuple[Dialect, str]) -> dict[str, list[tuple[object, ...]]]:
    dialect, url = db
    with open_executor(dialect, url) as ex:
        return schema_snapshot(dialect, ex)


def count(db: tuple[Dialect, str], sql: str) -> int:
    dialect, url = db
    with open_executor(dialect, url) as ex:
        return int(ex._exec(sql).fetchone()[0])  # type: ignore[attr-defined]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_history_up_down_up(layout: Format, db: tuple[Dialect, str], tmp_path: Path) -> None:
    """Every migration applies, rolls back to nothing, and applies again to the same schema."""
    dialect = db[0]
    directory = tmp_path / "migrations"
    n = write_layout(layout, dialect, directory)
    assert n >= 20
    svc = make_service(db, directory, layout)
    empty = snapshot(db)

    first = svc.up()
    assert first.ok, first.error
    repeatables = 1 if layout == "flyway" else 0
    assert len(first.steps) == n + repeatables
    after_first = snapshot(db)
    assert count(db, "SELECT COUNT(*) FROM user_emails") == 2
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'seed'") >= 2
    assert count(db, "SELECT COUNT(*) FROM tags") == 2

    st = svc.status()
    by_name = {e.name.lower(): e for e in st.entries}
    assert all(e.state == "applied" for e in st.entries), [
        (e.version, e.state) for e in st.entries if e.state != "applied"
    ]
    assert "up is a no-op" in by_name["align_numbering"].detail
    assert "down is a no-op" in by_name["align_numbering"].detail
    assert "down is a no-op" in by_name["seed_tags"].detail
    assert "cannot be rolled back" not in " ".join(e.detail for e in st.entries)
    if layout in ("goose", "dbmate") and dialect == "postgresql":
        assert "outside a transaction" in by_name["audit_entity_index"].detail

    down = svc.down(to="0")
    assert down.ok, down.error
    assert len(down.steps) == n
    after_down = snapshot(db)
    if layout == "flyway":  # the repeatable's object stays (Flyway has no undo for it)
        after_down = {
            k: [r for r in v if "schema_label" not in str(r)] for k, v in after_down.items()
        }
        after_down = {
            k: [r for r in v if "app_constants" not in str(r)] for k, v in after_down.items()
        }
    assert after_down == empty

    second = svc.up()
    assert second.ok, second.error
    assert len(second.steps) == n  # the unchanged repeatable does not run again
    assert snapshot(db) == after_first
    assert len(history(dialect)) == n
