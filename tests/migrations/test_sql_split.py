"""Statement splitting: a delimiter inside a literal, name, comment or body does not count."""

from __future__ import annotations

import pytest

from polaris.core.errors import InvalidInput
from polaris.migrations.sql_split import Dialect, split_sql


def texts(sql: str, dialect: Dialect) -> list[str]:
    return [s.text for s in split_sql(sql, dialect)]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_plain_statements_split_on_semicolons_and_comments_before_are_dropped(
    dialect: Dialect,
) -> None:
    sql = "-- first\nCREATE TABLE a (id INT);\n\n/* second */ INSERT INTO a VALUES (1);\n-- end\n"
    assert texts(sql, dialect) == ["CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)"]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_semicolons_inside_string_literals_do_not_split(dialect: Dialect) -> None:
    sql = "INSERT INTO a VALUES ('x;y', 'it''s; fine');SELECT 2"
    assert texts(sql, dialect) == ["INSERT INTO a VALUES ('x;y', 'it''s; fine')", "SELECT 2"]


def test_last_statement_without_delimiter_is_kept_and_line_numbers_are_1_based() -> None:
    stmts = split_sql("\n\nSELECT 1;\n  SELECT\n 2", "sqlite")
    assert [(s.text, s.line) for s in stmts] == [("SELECT 1", 3), ("SELECT\n 2", 4)]


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        ("postgresql", 'CREATE TABLE "a;b" (id INT); SELECT 1', ['CREATE TABLE "a;b" (id INT)']),
        ("sqlite", 'CREATE TABLE "a;b" (id INT); SELECT 1', ['CREATE TABLE "a;b" (id INT)']),
        ("mysql", "CREATE TABLE `a;b` (id INT); SELECT 1", ["CREATE TABLE `a;b` (id INT)"]),
        ("sqlite", "CREATE TABLE `a;b` (id INT); SELECT 1", ["CREATE TABLE `a;b` (id INT)"]),
        ("mysql", 'SELECT "a;\\"b"; SELECT 1', ['SELECT "a;\\"b"']),
        ("mysql", "SELECT 'a\\';b'; SELECT 1", ["SELECT 'a\\';b'"]),
        ("postgresql", "SELECT E'a\\';b'; SELECT 1", ["SELECT E'a\\';b'"]),
    ],
)
def test_quoted_names_and_escapes(dialect: Dialect, sql: str, expected: list[str]) -> None:
    assert texts(sql, dialect) == [*expected, "SELECT 1"]


def test_comments_inside_a_statement_are_kept_and_hide_semicolons() -> None:
    sql = "SELECT 1 -- not; here\n, 2 /* nor; here */;SELECT 3"
    assert texts(sql, "sqlite") == ["SELECT 1 -- not; here\n, 2 /* nor; here */", "SELECT 3"]


def test_postgresql_block_comments_nest() -> None:
    sql = "/* outer /* inner; */ still; comment */ SELECT 1; SELECT 2"
    assert texts(sql, "postgresql") == ["SELECT 1", "SELECT 2"]


def test_mysql_hash_comments_and_double_dash_needs_a_space() -> None:
    assert texts("# c; c\nSELECT 1; SELECT 5--1;", "mysql") == ["SELECT 1", "SELECT 5--1"]


def test_postgresql_dollar_quoted_bodies_keep_their_semicolons() -> None:
    sql = (
        "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.x := 1; RETURN NEW;\n"
        "END;\n$body$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\nSELECT $1"
    )
    out = texts(sql, "postgresql")
    assert len(out) == 3
    assert out[0].endswith("$body$ LANGUAGE plpgsql")
    assert out[1] == "DO $$ BEGIN PERFORM 1; END $$"


def test_mysql_delimiter_lines_change_the_delimiter_and_are_not_statements() -> None:
    sql = (
        "CREATE TABLE t (id INT);\n"
        "DELIMITER //\n"
        "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND //\n"
        "DELIMITER ;\n"
        "DROP TABLE t;\n"
    )
    out = split_sql(sql, "mysql")
    assert [s.text for s in out] == [
        "CREATE TABLE t (id INT)",
        "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND",
        "DROP TABLE t",
    ]
    assert [s.line for s in out] == [1, 3, 9]


def test_sqlite_trigger_bodies_are_one_statement() -> None:
    sql = (
        "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET s = CASE WHEN 1 THEN 'x' END;\n  DELETE FROM b;\nEND;\nSELECT 1;"
    )
    out = texts(sql, "sqlite")
    assert len(out) == 2
    assert out[0].endswith("DELETE FROM b;\nEND")


def test_crlf_is_normalised() -> None:
    assert texts("SELECT 1;\r\nSELECT 2;\r\n", "sqlite") == ["SELECT 1", "SELECT 2"]


@pytest.mark.parametrize(
    ("dialect", "sql", "what", "line"),
    [
        ("sqlite", "SELECT 1;\nSELECT 'oops;\n", "string literal", 2),
        ("postgresql", "SELECT 1;\n\n/* never closed", "comment", 3),
        ("postgresql", "DO $x$ BEGIN END", "dollar-quoted body $x$", 1),
        ("mysql", "SELECT `a", "quoted name (`)", 1),
    ],
)
def test_unterminated_constructs_name_the_line(
    dialect: Dialect, sql: str, what: str, line: int
) -> None:
    with pytest.raises(InvalidInput) as info:
        split_sql(sql, dialect, source="m.sql")
    assert what in info.value.message
    assert info.value.location.file == "m.sql"
    assert info.value.location.line == line
