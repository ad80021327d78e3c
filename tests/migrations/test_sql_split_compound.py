"""Compound statements kept whole: MySQL routines without DELIMITER, PostgreSQL bodies, SQLite
triggers, in the shapes migration files take."""

from __future__ import annotations

import pytest

from polaris.migrations.sql_split import split_sql

# A migration as written for a MySQL driver with multi-statement support: no DELIMITER line.
MYSQL_IDEMPOTENT_COLUMN = """\
-- add the column only where it is missing
DROP PROCEDURE IF EXISTS add_col_if_missing;
CREATE PROCEDURE add_col_if_missing()
BEGIN
    IF NOT EXISTS (
        SELECT * FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'jobs' AND COLUMN_NAME = 'priority'
    ) THEN
        ALTER TABLE jobs ADD COLUMN priority INT NOT NULL DEFAULT 0;
    END IF;
END;
CALL add_col_if_missing();
DROP PROCEDURE add_col_if_missing;
"""

MYSQL_NESTED = """\
CREATE DEFINER = CURRENT_USER PROCEDURE drain(IN batch INT)
MODIFIES SQL DATA
proc: BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN SET done = 1; END;
  outer_loop: LOOP
    IF done = 1 THEN LEAVE outer_loop; END IF;
    WHILE batch > 0 DO
      SET batch = batch - 1;
      CASE WHEN batch % 2 = 0 THEN SET @even = 1; ELSE SET @even = 0; END CASE;
    END WHILE;
    REPEAT SET done = done + 1; UNTIL done >= 1 END REPEAT;
  END LOOP outer_loop;
  SET @label = CASE batch WHEN 0 THEN 'done;' ELSE 'left' END;
END proc;
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE TRIGGER jobs_bi BEFORE INSERT ON jobs FOR EACH ROW
BEGIN
  IF NEW.priority < 0 THEN SET NEW.priority = 0; END IF;
END;
CREATE EVENT IF NOT EXISTS nightly ON SCHEDULE EVERY 1 DAY DO
BEGIN
  DELETE FROM jobs WHERE priority = -1;
  UPDATE jobs SET priority = priority - 1 WHERE priority > 10;
END;
CREATE TABLE `begin` (`end` INT, `case` INT);
INSERT INTO `begin` VALUES (1, 2);
"""


def texts(sql: str, dialect: str = "mysql") -> list[str]:
    return [s.text for s in split_sql(sql, dialect)]  # type: ignore[arg-type]


def test_mysql_procedure_without_delimiter_is_one_statement() -> None:
    out = texts(MYSQL_IDEMPOTENT_COLUMN)
    assert len(out) == 4
    assert out[0] == "DROP PROCEDURE IF EXISTS add_col_if_missing"
    assert out[1].startswith("CREATE PROCEDURE") and out[1].endswith("END")
    assert "END IF;" in out[1]
    assert out[2:] == ["CALL add_col_if_missing()", "DROP PROCEDURE add_col_if_missing"]


def test_mysql_nested_blocks_labels_and_every_routine_kind() -> None:
    out = texts(MYSQL_NESTED)
    assert [s.split()[0:2] for s in out] == [
        ["CREATE", "DEFINER"],
        ["CREATE", "FUNCTION"],
        ["CREATE", "TRIGGER"],
        ["CREATE", "EVENT"],
        ["CREATE", "TABLE"],
        ["INSERT", "INTO"],
    ]
    assert out[0].endswith("END proc")
    assert out[2].endswith("END") and out[3].endswith("END")


def test_mysql_lines_point_at_each_statement() -> None:
    lines = [s.line for s in split_sql(MYSQL_IDEMPOTENT_COLUMN, "mysql")]
    assert lines == [2, 3, 12, 13]


def test_mysql_delimiter_files_still_split() -> None:
    sql = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\nCALL p();\n"
    assert texts(sql) == ["CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND", "CALL p()"]


def test_mariadb_anonymous_block() -> None:
    sql = "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  SELECT x;\nEND;\nSELECT 2;"
    assert texts(sql) == [
        "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  SELECT x;\nEND",
        "SELECT 2",
    ]


def test_begin_and_end_outside_routines_do_not_glue_statements() -> None:
    assert texts("START TRANSACTION; SELECT 1; COMMIT;") == [
        "START TRANSACTION",
        "SELECT 1",
        "COMMIT",
    ]
    assert texts("CREATE TABLE t (a INT DEFAULT (CASE WHEN 1 THEN 2 END)); SELECT 1;") == [
        "CREATE TABLE t (a INT DEFAULT (CASE WHEN 1 THEN 2 END))",
        "SELECT 1",
    ]


@pytest.mark.parametrize("tag", ["$$", "$body$", "$fn_1$"])
def test_postgres_do_and_function_bodies_in_any_dollar_quoting(tag: str) -> None:
    sql = (
        f"DO {tag}\nBEGIN\n  IF 1 = 1 THEN RAISE NOTICE 'x;'; END IF;\nEND\n{tag};\n"
        f"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS {tag}\nBEGIN RETURN 1; END;\n{tag};\n"
        "SELECT f();"
    )
    out = texts(sql, "postgresql")
    assert len(out) == 3
    assert out[0].startswith("DO") and out[0].endswith(tag)
    assert out[1].startswith("CREATE FUNCTION") and out[2] == "SELECT f()"


def test_sqlite_trigger_with_case_stays_whole() -> None:
    sql = (
        "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN\n"
        "  INSERT INTO log VALUES (CASE WHEN NEW.a > 1 THEN 'big;' ELSE 'small' END);\n"
        "  UPDATE t SET a = 0 WHERE a < 0;\nEND;\nSELECT 1;"
    )
    out = texts(sql, "sqlite")
    assert len(out) == 2 and out[0].endswith("END") and out[1] == "SELECT 1"
