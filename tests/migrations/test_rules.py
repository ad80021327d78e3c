"""Migration files: parsing, checksums, ordering, status and up/down plans."""

from __future__ import annotations

from dataclasses import replace

import pytest

from polaris.core.errors import CheckFailed, Conflict, InvalidInput, NotFound
from polaris.migrations.rules import (
    AppliedRecord,
    Migration,
    checksum,
    migration_filename,
    next_number,
    order_migrations,
    parse_migration,
    plan_down,
    plan_up,
    skeleton,
    status,
    validation_problems,
)

SEED_003 = """\
-- migrations/mysql/003_create_incidents_table.sql
-- Migration: 003
-- Description: Create incidents table with enhanced fields
-- Dependencies: 002_add_user_roles.sql
-- Up Migration:
CREATE TABLE incidents (
    id INT AUTO_INCREMENT PRIMARY KEY
);

CREATE INDEX idx_incidents_severity ON incidents(severity);

-- Down Migration (Rollback):
DROP INDEX idx_incidents_severity ON incidents;
DROP TABLE incidents;
"""


def mig(number: int, deps: tuple[int, ...] = (), down: str = "DROP TABLE t{n};") -> Migration:
    dep_text = ", ".join(f"{d:03d}" for d in deps) or "none"
    text = (
        f"-- Migration: {number:03d}\n-- Dependencies: {dep_text}\n-- Up Migration:\n"
        f"CREATE TABLE t{number} (id INT);\n-- Down Migration (Rollback):\n" + down.format(n=number)
    )
    return parse_migration(text, f"{number:03d}_m{number}.sql")


def applied(m: Migration, rank: int, **kw: object) -> AppliedRecord:
    base = AppliedRecord(
        m.version, m.name, m.description, m.checksum, "applied", 1, 1, m.down_sql, rank=rank
    )
    return replace(base, **kw)  # type: ignore[arg-type]


class TestParse:
    def test_the_seed_example_parses(self) -> None:
        m = parse_migration(SEED_003, "003_create_incidents_table.sql")
        assert (m.number, m.version, m.name) == (3, "003", "create_incidents_table")
        assert m.description == "Create incidents table with enhanced fields"
        assert m.dependencies == ("002",)
        assert m.up_sql.startswith("CREATE TABLE incidents")
        assert m.up_sql.endswith("ON incidents(severity);")
        assert m.down_sql.splitlines() == [
            "DROP INDEX idx_incidents_severity ON incidents;",
            "DROP TABLE incidents;",
        ]
        assert m.up_line == 6
        assert m.down_line == 13
        assert m.checksum == checksum(m.up_sql)

    def test_checksum_is_versioned_and_ignores_line_endings(self) -> None:
        crlf = parse_migration(SEED_003.replace("\n", "\r\n"), "003_create_incidents_table.sql")
        lf = parse_migration(SEED_003, "003_create_incidents_table.sql")
        assert crlf.checksum == lf.checksum
        assert lf.checksum.startswith("sha256v1:")
        assert len(lf.checksum) == len("sha256v1:") + 64
        assert checksum("SELECT 1;") != checksum("SELECT 2;")

    @pytest.mark.parametrize(
        ("text", "line", "fragment"),
        [
            ("-- Migration: 004\n-- Up Migration:\nSELECT 1;\n", 1, "does not match"),
            ("-- Migration: 003\nSELECT 1;\n-- Up Migration:\nSELECT 1;\n", 2, "SQL before"),
            ("-- Migration: 003\n-- Description: x\n", 1, "no '-- Up Migration:'"),
            ("-- Up Migration:\nA;\n-- Up Migration:\nB;\n", 3, "a second"),
            ("-- Down Migration (Rollback):\nA;\n-- Up Migration:\nB;\n", 1, "before"),
            ("-- Dependencies: 002, !!\n-- Up Migration:\nA;\n", 1, "dependency '!!'"),
        ],
    )
    def test_errors_name_file_and_line(self, text: str, line: int, fragment: str) -> None:
        with pytest.raises(InvalidInput) as info:
            parse_migration(text, "003_x.sql", path="db/003_x.sql")
        assert fragment in info.value.message
        assert info.value.location.file == "db/003_x.sql"
        assert info.value.location.line == line

    @pytest.mark.parametrize("name", ["3.sql", "003-x.sql", "abc_x.sql", "003_x.txt"])
    def test_bad_file_names_are_refused(self, name: str) -> None:
        with pytest.raises(InvalidInput, match=r"NNN_name\.sql"):
            parse_migration("-- Up Migration:\nA;\n", name)

    def test_a_file_without_down_section_parses_but_cannot_be_rolled_back(self) -> None:
        m = parse_migration("-- Up Migration:\nCREATE TABLE x (i INT);\n", "001_x.sql")
        assert m.down_sql == ""
        with pytest.raises(Conflict, match="no down section"):
            plan_down([m], [applied(m, 1)])


class TestOrder:
    def test_by_number_then_dependencies(self) -> None:
        ms = [mig(1), mig(2, (3,)), mig(3), mig(4, (1,))]
        assert [m.number for m in order_migrations(ms)] == [1, 3, 2, 4]

    def test_missing_dependency_is_named(self) -> None:
        with pytest.raises(InvalidInput, match="depends on 009"):
            order_migrations([mig(1), mig(2, (9,))])

    def test_a_cycle_is_named(self) -> None:
        with pytest.raises(InvalidInput) as info:
            order_migrations([mig(1), mig(2, (3,)), mig(3, (4,)), mig(4, (2,))])
        message = info.value.message
        assert "cycle" in message
        for name in ("002_m2.sql", "003_m3.sql", "004_m4.sql"):
            assert name in message
        assert "001_m1.sql" not in message

    def test_duplicate_numbers_are_refused(self) -> None:
        a = mig(1)
        b = replace(a, filename="001_other.sql")
        with pytest.raises(InvalidInput, match="share the number 1"):
            order_migrations([a, b])


class TestPlans:
    def test_up_runs_pending_in_order_and_stops_at_to(self) -> None:
        ms = order_migrations([mig(1), mig(2), mig(3)])
        assert [s.migration.version for s in plan_up(ms, []).steps] == ["001", "002", "003"]
        assert [s.migration.version for s in plan_up(ms, [], to="2").steps] == ["001", "002"]
        done = [applied(ms[0], 1)]
        assert [s.migration.version for s in plan_up(ms, done).steps] == ["002", "003"]
        with pytest.raises(NotFound):
            plan_up(ms, [], to="7")

    def test_up_refuses_after_a_failure_and_resumes_a_repaired_one(self) -> None:
        ms = order_migrations([mig(1), mig(2)])
        failed = applied(ms[0], 1, state="failed", statements_applied=2, statements_total=5)
        with pytest.raises(Conflict, match="statement 3 of 5"):
            plan_up(ms, [failed])
        partial = replace(failed, state="partial")
        steps = plan_up(ms, [partial]).steps
        assert [(s.migration.version, s.start) for s in steps] == [("001", 2), ("002", 0)]

    def test_up_refuses_while_an_applied_file_is_edited(self) -> None:
        ms = order_migrations([mig(1), mig(2)])
        edited = applied(ms[0], 1, checksum="sha256v1:" + "0" * 64)
        with pytest.raises(CheckFailed, match="001"):
            plan_up(ms, [edited])
        entries = status(ms, [edited])
        assert [e.state for e in entries] == ["modified", "pending"]
        assert [e.version for e in validation_problems(entries)] == ["001"]

    def test_rows_without_a_comparable_checksum_are_not_edits(self) -> None:
        ms = order_migrations([mig(1), mig(2)])
        seed_era = applied(ms[0], 1, checksum="")
        future = applied(ms[1], 2, checksum="sha256v2:abc")
        assert [e.state for e in status(ms, [seed_era, future])] == ["applied", "applied"]
        assert plan_up(ms, [seed_era, future]).steps == ()

    def test_down_by_steps_and_to_newest_first(self) -> None:
        ms = order_migrations([mig(1), mig(2), mig(3)])
        recs = [applied(m, i) for i, m in enumerate(ms, start=1)]
        assert [r.version for r in plan_down(ms, recs).records] == ["003"]
        assert [r.version for r in plan_down(ms, recs, steps=2).records] == ["003", "002"]
        assert [r.version for r in plan_down(ms, recs, to="1").records] == ["003", "002"]
        assert [r.version for r in plan_down(ms, recs, to="0").records] == ["003", "002", "001"]
        assert plan_down(ms, recs, steps=1).down_sql == ("DROP TABLE t3;",)
        with pytest.raises(InvalidInput):
            plan_down(ms, recs, to="1", steps=1)
        with pytest.raises(NotFound):
            plan_down(ms, recs, to="9")

    def test_down_uses_the_recorded_sql_when_the_file_is_gone(self) -> None:
        ms = order_migrations([mig(1), mig(2)])
        recs = [applied(ms[0], 1), applied(ms[1], 2, down_sql="DROP TABLE saved;")]
        plan = plan_down(ms[:1], recs)
        assert plan.down_sql == ("DROP TABLE saved;",)
        assert [e.state for e in status(ms[:1], recs)] == ["applied", "missing"]

    def test_down_refuses_to_leave_a_dependent_applied(self) -> None:
        ms = order_migrations([mig(1), mig(2, (1,))])
        # Applied out of order: 002 first (rank 1), then 001 (rank 2).
        recs = [applied(ms[1], 1), applied(ms[0], 2)]
        with pytest.raises(Conflict, match="depends on 001"):
            plan_down(ms, recs)


def test_new_file_names_and_skeleton_round_trip() -> None:
    assert next_number([]) == (1, 3)
    assert next_number(["001", "0002"]) == (3, 4)
    name = migration_filename(5, 3, "Add incident tags")
    assert name == "005_add_incident_tags.sql"
    text = skeleton(name, description="Add tags", dependencies=["004_x.sql"], database="mysql")
    text = text.replace("-- Up Migration:\n", "-- Up Migration:\nCREATE TABLE tags (i INT);\n")
    m = parse_migration(text, name)
    assert (m.version, m.description, m.dependencies) == ("005", "Add tags", ("004",))
    with pytest.raises(InvalidInput):
        migration_filename(1, 3, "!!!")
