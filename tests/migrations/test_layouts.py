"""Other tools' layouts read in place, no-op sections, and ``import`` into the seed's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.core.errors import Conflict, InvalidInput
from polaris.migrations.foreign import apply_import, plan_import
from polaris.migrations.layouts import parse_layout
from polaris.migrations.rules import NOOP_DOWN, AppliedRecord, parse_migration, plan_down, status
from polaris.migrations.service import SchemaService
from polaris.project.databases import DatabaseSpec, load_databases


class TestNoOpSections:
    def test_explicit_markers_with_comments_only_do_nothing(self) -> None:
        m = parse_migration(
            "-- Migration: 007\n-- Up Migration:\n-- kept for numbering\n"
            "-- Down Migration (Rollback):\n-- nothing to undo\n",
            "007_align.sql",
        )
        assert (m.up_noop, m.down_noop, m.has_down) == (True, True, True)
        entry = status([m], [])[0]
        assert "up is a no-op" in entry.detail and "down is a no-op" in entry.detail

    def test_absent_down_marker_cannot_be_rolled_back(self) -> None:
        m = parse_migration("-- Up Migration:\nCREATE TABLE t (a INT);\n", "001_t.sql")
        assert not m.has_down and m.recorded_down == ""
        rec = AppliedRecord("001", "t", "", m.checksum, "applied", 1, 1, "", rank=1)
        assert "cannot be rolled back" in status([m], [rec])[0].detail
        with pytest.raises(Conflict, match="no down section"):
            plan_down([m], [rec], to="0")

    def test_empty_down_section_rolls_back_even_when_the_file_is_gone(self) -> None:
        m = parse_migration(
            "-- Up Migration:\nCREATE TABLE t (a INT);\n-- Down Migration (Rollback):\n",
            "001_t.sql",
        )
        assert m.recorded_down == NOOP_DOWN
        rec = AppliedRecord("001", "t", "", m.checksum, "applied", 1, 1, m.recorded_down, rank=1)
        assert plan_down([], [rec], to="0").down_sql == (NOOP_DOWN,)
        assert plan_down([m], [rec], to="0").records == (rec,)


class TestLayouts:
    def test_golang_migrate_pairs_and_empty_down_files(self) -> None:
        ms = parse_layout(
            "golang-migrate",
            {
                "000002_b.up.sql": "CREATE TABLE b (x INT);",
                "000002_b.down.sql": "",
                "000001_a.up.sql": "CREATE TABLE a (x INT);",
                "000001_a.down.sql": "DROP TABLE a;",
                "000003_c.up.sql": "",
                "README.md": "not a migration",
            },
        )
        assert [m.version for m in ms] == ["000001", "000002", "000003"]
        assert ms[1].down_noop and not ms[2].has_down and ms[2].up_noop
        with pytest.raises(InvalidInput, match="no matching up file"):
            parse_layout("golang-migrate", {"000001_a.down.sql": "DROP TABLE a;"})
        with pytest.raises(InvalidInput, match=r"NNN_name\.up\.sql"):
            parse_layout("golang-migrate", {"a.sql": "x"})

    def test_flyway_orders_dotted_versions_numerically_with_undo_and_repeatables(self) -> None:
        ms = parse_layout(
            "flyway",
            {
                "V1_10__ten.sql": "SELECT 10;",
                "V1_9__nine.sql": "SELECT 9;",
                "V2__two.sql": "SELECT 2;",
                "U1_9__nine.sql": "SELECT -9;",
                "R__views.sql": "SELECT 'r';",
            },
        )
        assert [m.version for m in ms] == ["1.9", "1.10", "2", "R__views"]
        assert ms[0].down_sql == "SELECT -9;" and not ms[1].has_down and ms[3].repeatable
        with pytest.raises(InvalidInput, match="undoes no versioned"):
            parse_layout("flyway", {"U3__x.sql": "SELECT 1;"})
        with pytest.raises(InvalidInput, match="share the version"):
            parse_layout("flyway", {"V1_1__a.sql": "SELECT 1;", "V1.1__b.sql": "SELECT 2;"})

    def test_goose_statement_blocks_and_no_transaction(self) -> None:
        text = (
            "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE a (x INT);\n"
            "-- +goose StatementBegin\n"
            "CREATE FUNCTION f() RETURNS int AS 'SELECT 1; ' LANGUAGE sql;\n"
            "-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f;\nDROP TABLE a;\n"
        )
        (m,) = parse_layout("goose", {"20240101120000_a.sql": text, "main.go": "package x"})
        assert m.version == "20240101120000" and not m.transaction
        assert [(c.whole, c.line) for c in m.up_chunks] == [(False, 3), (True, 5)]
        assert m.has_down and not m.down_noop
        with pytest.raises(InvalidInput, match="StatementBegin without StatementEnd"):
            parse_layout("goose", {"1_a.sql": "-- +goose Up\n-- +goose StatementBegin\nX;\n"})
        with pytest.raises(InvalidInput, match=r"no '-- \+goose Up'"):
            parse_layout("goose", {"1_a.sql": "CREATE TABLE a (x INT);\n"})

    def test_dbmate_markers_and_transaction_false(self) -> None:
        (m,) = parse_layout(
            "dbmate",
            {
                "20151129054053_idx.sql": "-- migrate:up transaction:false\n"
                "CREATE INDEX CONCURRENTLY i ON t (x);\n\n-- migrate:down\n"
            },
        )
        assert not m.transaction and m.down_noop and m.up_line == 2
        with pytest.raises(InvalidInput, match="one '-- migrate:up'"):
            parse_layout("dbmate", {"1_a.sql": "-- migrate:down\nX;\n-- migrate:up\nY;\n"})


def test_format_is_read_from_polaris_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "polaris.toml"
    cfg.write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "X"\nformat = "goose"\n', encoding="utf-8"
    )
    assert load_databases(cfg)[0].format == "goose"
    cfg.write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "X"\nformat = "liquibase"\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="format must be one of") as info:
        load_databases(cfg)
    assert info.value.location is not None and info.value.location.line == 4


def test_import_shows_a_diff_then_writes_files_that_run(tmp_path: Path) -> None:
    src = tmp_path / "goose"
    src.mkdir()
    (src / "00001_users.sql").write_text(
        "-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n"
        "-- +goose StatementBegin\nCREATE TRIGGER users_ai AFTER INSERT ON users BEGIN\n"
        "  SELECT 1;\nEND;\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE users;\n",
        encoding="utf-8",
    )
    (src / "00002_noop.sql").write_text("-- +goose Up\n-- +goose Down\n", encoding="utf-8")
    target = tmp_path / "migrations"
    plan = plan_import(src, "goose", target)
    assert [Path(f.path).name for f in plan.files] == ["00001_users.sql", "00002_noop.sql"]
    assert plan.files[0].change == "new" and "+-- Up Migration:" in plan.files[0].diff
    assert not target.exists()  # a dry run writes nothing

    apply_import(plan)
    again = plan_import(src, "goose", target)
    assert [f.change for f in again.files] == ["same", "same"]
    spec = DatabaseSpec("app", "sqlite", "DB", str(target), 5, (), "")
    svc = SchemaService([spec], environ={"DB": f"sqlite:///{tmp_path / 'a.db'}"}, actor="t")
    assert svc.up().ok and svc.down(to="0").ok
    entries = svc.status().entries
    assert [e.state for e in entries] == ["pending", "pending"]
    assert "up is a no-op" in entries[1].detail

    with pytest.raises(InvalidInput, match="--from must be one of"):
        plan_import(src, "liquibase", target)  # type: ignore[arg-type]
