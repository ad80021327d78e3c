"""Lint verdicts: every rule, in every dialect it applies to, with stable rule ids."""

from __future__ import annotations

import pytest

from polaris.migrations.lint import RULES, lint_migrations, lint_sql
from polaris.migrations.sql_split import Dialect

ALL: tuple[Dialect, ...] = ("sqlite", "postgresql", "mysql")
BASE = "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50), qty INT, a INT);"

# rule id -> {dialect: SQL run after BASE (so table t exists and holds data)}
CASES: dict[str, dict[Dialect, str]] = {
    "add-table": dict.fromkeys(ALL, "CREATE TABLE u (id INT);"),
    "add-column": dict.fromkeys(ALL, "ALTER TABLE t ADD COLUMN note TEXT;"),
    "add-index": dict.fromkeys(ALL, "CREATE INDEX i_name ON t (name);"),
    "widen-column": {
        "postgresql": "ALTER TABLE t ALTER COLUMN name TYPE VARCHAR(200);",
        "mysql": "ALTER TABLE t MODIFY COLUMN name VARCHAR(200);",
    },
    "add-constraint": {
        "postgresql": "ALTER TABLE t ADD CONSTRAINT ck CHECK (qty > 0) NOT VALID;",
        "mysql": "ALTER TABLE t ADD CONSTRAINT ck CHECK (qty > 0);",
    },
    "data-change": dict.fromkeys(ALL, "INSERT INTO t (id) VALUES (1);"),
    "drop-table": dict.fromkeys(ALL, "DROP TABLE t;"),
    "drop-column": dict.fromkeys(ALL, "ALTER TABLE t DROP COLUMN name;"),
    "change-column-type": {
        "postgresql": "ALTER TABLE t ALTER COLUMN qty TYPE TEXT;",
        "mysql": "ALTER TABLE t MODIFY qty DATE;",
    },
    "narrow-column": {
        "postgresql": "ALTER TABLE t ALTER COLUMN name TYPE VARCHAR(10);",
        "mysql": "ALTER TABLE t MODIFY name VARCHAR(10);",
    },
    "add-not-null-column": dict.fromkeys(ALL, "ALTER TABLE t ADD COLUMN must INT NOT NULL;"),
    "set-not-null": {
        "postgresql": "ALTER TABLE t ALTER COLUMN name SET NOT NULL;",
        "mysql": "ALTER TABLE t MODIFY name VARCHAR(50) NOT NULL;",
    },
    "drop-index": {
        "sqlite": "DROP INDEX i_name;",
        "postgresql": "DROP INDEX CONCURRENTLY i_name;",
        "mysql": "DROP INDEX i_name ON t;",
    },
    "rename-table": {
        "sqlite": "ALTER TABLE t RENAME TO t2;",
        "postgresql": "ALTER TABLE t RENAME TO t2;",
        "mysql": "RENAME TABLE t TO t2;",
    },
    "rename-column": dict.fromkeys(ALL, "ALTER TABLE t RENAME COLUMN name TO title;"),
    "change-constraint": {
        "postgresql": "ALTER TABLE t DROP CONSTRAINT ck;",
        "mysql": "ALTER TABLE t DROP FOREIGN KEY fk;",
    },
    "unique-on-existing-data": dict.fromkeys(ALL, "CREATE UNIQUE INDEX u_name ON t (name);"),
    "not-null-on-existing-data": {
        "postgresql": "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        "mysql": "ALTER TABLE t MODIFY a INT NOT NULL;",
    },
    "pg-index-not-concurrent": {"postgresql": "CREATE INDEX i_qty ON t (qty);"},
    "pg-constraint-not-valid": {
        "postgresql": "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id);"
    },
    "pg-volatile-default": {
        "postgresql": "ALTER TABLE t ADD COLUMN token UUID DEFAULT gen_random_uuid();"
    },
    "unparsed": dict.fromkeys(ALL, "CREATE TABLE (((;"),
    "unrecognized": dict.fromkeys(ALL, "SELECT 1;"),
    "wrong-dialect": {
        "sqlite": "UPDATE t SET name = qty::text;",
        "postgresql": "CREATE TABLE w (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;",
        "mysql": "CREATE INDEX CONCURRENTLY i_qty ON t (qty);",
    },
}
PARAMS = [
    pytest.param(rule, dialect, sql, id=f"{rule}-{dialect}")
    for rule, by_dialect in CASES.items()
    for dialect, sql in by_dialect.items()
]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize(("rule", "dialect", "sql"), PARAMS)
def test_rule_fires_with_its_verdict(rule: str, dialect: Dialect, sql: str) -> None:
    report = lint_migrations([("001_base.sql", BASE, 1), ("002_change.sql", sql, 10)], dialect)
    change = report.migrations[1]
    hits = [f for f in change.findings if f.rule == rule]
    assert hits, f"{rule} not found in {[f.rule for f in change.findings]}"
    verdict, _ = RULES[rule]
    assert hits[0].verdict == verdict
    assert hits[0].line == 10
    assert hits[0].file == "002_change.sql"
    if verdict != "warning":
        assert change.verdict in (verdict, "breaking", "unknown")
    if verdict in ("breaking", "unknown"):
        assert change.bump == "major"
    assert report.migrations[0].verdict == "safe"


def test_safe_alternatives_do_not_warn_in_postgresql() -> None:
    sql = (
        "CREATE INDEX CONCURRENTLY i ON t (qty);\n"
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT fk;\n"
        "ALTER TABLE t ADD COLUMN created TIMESTAMP DEFAULT now();\n"
        "ALTER TABLE t ADD COLUMN flag INT NOT NULL DEFAULT 0;\n"
    )
    report = lint_migrations([("001.sql", BASE, 1), ("002.sql", sql, 1)], "postgresql")
    change = report.migrations[1]
    assert change.warnings == ()
    assert change.verdict == "safe"
    assert change.bump == "minor"


@pytest.mark.parametrize("dialect", ALL)
def test_an_explicitly_nullable_column_is_safe(dialect: Dialect) -> None:
    lint = lint_migrations(
        [("1", BASE, 1), ("2", "ALTER TABLE t ADD COLUMN r INT NULL;", 1)], dialect
    )
    assert [f.rule for f in lint.migrations[1].findings] == ["add-column"]


def test_a_new_table_is_empty_so_no_data_or_lock_warnings() -> None:
    sql = "CREATE TABLE n (id INT, v INT);\nCREATE UNIQUE INDEX u ON n (v);\n"
    lint = lint_sql(sql, "postgresql")
    assert [f.rule for f in lint.findings] == ["add-table", "add-index"]
    assert lint.verdict == "safe"


def test_the_worst_finding_decides_and_data_only_is_a_patch() -> None:
    assert lint_sql("UPDATE t SET qty = 1;", "mysql").bump == "patch"
    mixed = lint_sql("CREATE TABLE x (i INT);\nALTER TABLE t RENAME COLUMN a TO b;", "mysql")
    assert (mixed.verdict, mixed.bump) == ("deprecation", "minor")
    worst = lint_migrations(
        [("a.sql", "CREATE TABLE x (i INT);", 1), ("b.sql", "DROP TABLE x;", 1)], "sqlite"
    )
    assert (worst.verdict, worst.bump) == ("breaking", "major")


@pytest.mark.parametrize(
    ("dialect", "sql", "rule"),
    [
        ("sqlite", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END;", "add-table"),
        ("mysql", "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\n", "add-table"),
        (
            "postgresql",
            "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
            "add-table",
        ),
        ("mysql", "DROP TRIGGER tr;", "drop-table"),
    ],
)
def test_routines_and_triggers(dialect: Dialect, sql: str, rule: str) -> None:
    assert [f.rule for f in lint_sql(sql, dialect).findings] == [rule]


def test_unparseable_sql_is_unknown_never_safe() -> None:
    lint = lint_sql("CREATE TABLE ok (i INT);\nFROBNICATE THE DATABASE;", "postgresql")
    assert lint.verdict == "unknown"
    assert lint.bump == "major"


def test_stored_programs_are_classified_without_parsing_their_bodies() -> None:
    from polaris.migrations.lint import lint_sql

    proc = "CREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\nEND;\nDROP TRIGGER trg;"
    rules = [f.rule for f in lint_sql(proc, "mysql", file="x.sql").findings]
    assert rules == ["add-table", "drop-table"]


@pytest.mark.parametrize(
    ("sql", "dialect", "foreign"),
    [
        ("CREATE TABLE t (a INT UNSIGNED, b LONGTEXT, c JSONB);", "sqlite", False),
        ("CREATE TABLE t (a INT UNSIGNED);", "postgresql", True),
        ("CREATE TABLE t (a JSONB);", "mysql", True),
        ("CREATE TABLE `t` (a INT);", "sqlite", False),
        ("CREATE TABLE `t` (a INT);", "postgresql", True),
        ("INSERT INTO t (note) VALUES ('AUTO_INCREMENT; ENGINE=x');", "postgresql", False),
        ("ALTER TABLE t ADD COLUMN first_name TEXT;", "postgresql", False),
        ("ALTER TABLE t ADD COLUMN b INT AFTER a;", "postgresql", True),
    ],
)
def test_wrong_dialect_is_about_syntax_not_names(sql: str, dialect: Dialect, foreign: bool) -> None:
    from polaris.migrations.lint import lint_sql

    rules = {f.rule for f in lint_sql(sql, dialect).findings}
    assert ("wrong-dialect" in rules) is foreign
