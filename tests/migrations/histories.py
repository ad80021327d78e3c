"""Migration histories written for the tests, one per engine, laid out as each tool lays them out.

A history is a list of :class:`Step` (tables, indexes, constraints, data moves, no-op sections,
stored routines and triggers). :func:`write_layout` writes it as a real project in that tool's
layout would: the seed's single files, golang-migrate's ``.up.sql``/``.down.sql`` pairs,
Flyway's ``V``/``U``/``R`` files (dotted versions), goose's annotated files with ``StatementBegin``
blocks and ``NO TRANSACTION``, dbmate's ``-- migrate:up``/``-- migrate:down`` files with
``transaction:false``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from polaris.migrations.sql_split import Dialect

__all__ = ["LAYOUTS", "Step", "history", "schema_snapshot", "write_layout"]

LAYOUTS = ("seed", "golang-migrate", "flyway", "goose", "dbmate")


@dataclass(frozen=True)
class Step:
    """One migration: its statements up and down (empty: a no-op section)."""

    name: str
    up: list[str]
    down: list[str]
    #: Indexes of ``up``/``down`` statements that hold ';' inside (goose wraps them).
    whole_up: set[int] = field(default_factory=set)
    whole_down: set[int] = field(default_factory=set)
    #: Must run outside a transaction where the layout can say so (PostgreSQL CONCURRENTLY).
    no_transaction: bool = False
    #: Text of the no-op comment, as projects write it.
    noop_note: str = "-- nothing to do here for this database"


def _common(d: Dialect) -> list[Step]:
    serial = {
        "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "postgresql": "SERIAL PRIMARY KEY",
        "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
    }[d]
    now = "CURRENT_TIMESTAMP"
    fk_col = "ALTER TABLE users ADD COLUMN team_id INTEGER"
    return [
        Step(
            "create_users",
            [
                f"CREATE TABLE users (id {serial}, email VARCHAR(200) NOT NULL, "
                f"name VARCHAR(100), created_at TIMESTAMP DEFAULT {now})"
            ],
            ["DROP TABLE users"],
        ),
        Step(
            "users_email_index",
            ["CREATE UNIQUE INDEX users_email_uq ON users (email)"],
            ["DROP INDEX users_email_uq" + (" ON users" if d == "mysql" else "")],
        ),
        Step(
            "create_teams",
            [f"CREATE TABLE teams (id {serial}, name VARCHAR(100) NOT NULL)"],
            ["DROP TABLE teams"],
        ),
        Step(
            "users_team",
            [fk_col]
            + (
                []
                if d == "sqlite"
                else [
                    "ALTER TABLE users ADD CONSTRAINT users_team_fk "
                    "FOREIGN KEY (team_id) REFERENCES teams (id)"
                ]
            ),
            (
                ["ALTER TABLE users DROP COLUMN team_id"]
                if d == "sqlite"
                else [
                    "ALTER TABLE users DROP "
                    + ("FOREIGN KEY" if d == "mysql" else "CONSTRAINT")
                    + " users_team_fk",
                    "ALTER TABLE users DROP COLUMN team_id",
                ]
            ),
        ),
        Step(
            "create_projects",
            [
                f"CREATE TABLE projects (id {serial}, team_id INTEGER NOT NULL "
                "REFERENCES teams (id), title VARCHAR(200) NOT NULL, budget INTEGER "
                "CHECK (budget >= 0))"
            ],
            ["DROP TABLE projects"],
        ),
        Step(
            "seed_teams",
            [
                "INSERT INTO teams (name) VALUES ('core'), ('ml; ops')",
                "INSERT INTO users (email, name, team_id) VALUES "
                "('ana@example.com', 'Ana', 1), ('bo@example.com', 'Bo', 2)",
            ],
            ["DELETE FROM users", "DELETE FROM teams"],
        ),
        # Numbering kept aligned with the other dialects: nothing to do on this one.
        Step("align_numbering", [], []),
        Step(
            "projects_status",
            ["ALTER TABLE projects ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'active'"],
            ["ALTER TABLE projects DROP COLUMN status"],
        ),
        Step(
            "split_user_emails",
            [
                "CREATE TABLE user_emails (user_id INTEGER NOT NULL, email VARCHAR(200) NOT NULL, "
                "PRIMARY KEY (user_id, email))",
                "INSERT INTO user_emails (user_id, email) SELECT id, email FROM users",
            ],
            ["DROP TABLE user_emails"],
        ),
        Step(
            "projects_team_title_index",
            ["CREATE INDEX projects_team_title ON projects (team_id, title)"],
            # Nothing to undo: the index goes with its table.
            [],
        ),
        Step(
            "create_audit_log",
            [
                f"CREATE TABLE audit_log (id {serial}, entity VARCHAR(50) NOT NULL, "
                f"entity_id INTEGER, note VARCHAR(200), at TIMESTAMP DEFAULT {now})"
            ],
            ["DROP TABLE audit_log"],
        ),
    ]


def _mysql_routines() -> list[Step]:
    proc = """CREATE PROCEDURE add_project_code()
BEGIN
  -- add the column only where it is missing, as projects' idempotent migrations do
  IF NOT EXISTS (SELECT 1 FROM information_schema.COLUMNS
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'projects'
                   AND COLUMN_NAME = 'code') THEN
    ALTER TABLE projects ADD COLUMN code VARCHAR(20) NULL;
  END IF;
END"""
    backfill = """CREATE PROCEDURE backfill_audit(IN how_many INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE kind VARCHAR(10);
  fill: LOOP
    SET i = i + 1;
    IF i > how_many THEN
      LEAVE fill;
    END IF;
    SET kind = CASE WHEN MOD(i, 2) = 0 THEN 'even' ELSE 'odd' END;
    CASE kind
      WHEN 'even' THEN INSERT INTO audit_log (entity, entity_id, note) VALUES ('seed', i, 'even;');
      ELSE BEGIN
        INSERT INTO audit_log (entity, entity_id, note) VALUES ('seed', i, 'odd');
      END;
    END CASE;
  END LOOP fill;
  WHILE i > 100 DO
    SET i = i - 1;
  END WHILE;
  REPEAT
    SET i = i - 1;
  UNTIL i <= 0 END REPEAT;
END"""
    func = """CREATE FUNCTION project_label(p_title VARCHAR(200), p_status VARCHAR(20))
RETURNS VARCHAR(240) DETERMINISTIC
BEGIN
  DECLARE label VARCHAR(240);
  IF p_status = 'archived' THEN
    SET label = CONCAT('[old] ', p_title);
  ELSEIF p_status IS NULL THEN
    SET label = p_title;
  ELSE
    SET label = CONCAT(p_title, ' (', p_status, ')');
  END IF;
  RETURN label;
END"""
    trigger = """CREATE TRIGGER projects_audit AFTER INSERT ON projects FOR EACH ROW
BEGIN
  IF NEW.budget IS NOT NULL AND NEW.budget > 1000 THEN
    INSERT INTO audit_log (entity, entity_id, note) VALUES ('project', NEW.id, 'big; budget');
  END IF;
END"""
    event = """CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY DISABLE
DO BEGIN
  DELETE FROM audit_log WHERE at < NOW() - INTERVAL 90 DAY;
END"""
    return [
        Step(
            "add_project_code_routine",
            [proc, "CALL add_project_code()", "DROP PROCEDURE add_project_code"],
            ["ALTER TABLE projects DROP COLUMN code"],
            whole_up={0},
        ),
        Step(
            "backfill_audit",
            [backfill, "CALL backfill_audit(4)"],
            ["DELETE FROM audit_log WHERE entity = 'seed'", "DROP PROCEDURE backfill_audit"],
            whole_up={0},
        ),
        Step("project_label_function", [func], ["DROP FUNCTION project_label"], whole_up={0}),
        Step("projects_audit_trigger", [trigger], ["DROP TRIGGER projects_audit"], whole_up={0}),
        Step("purge_audit_event", [event], ["DROP EVENT purge_audit"], whole_up={0}),
    ]


def _pg_routines() -> list[Step]:
    func = """CREATE FUNCTION project_label(p_title text, p_status text) RETURNS text
LANGUAGE plpgsql AS $body$
BEGIN
  IF p_status = 'archived' THEN
    RETURN '[old] ' || p_title;
  END IF;
  RETURN p_title || ' (' || coalesce(p_status, '?') || ')';
END;
$body$"""
    trig_fn = """CREATE FUNCTION projects_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.budget > 1000 THEN
    INSERT INTO audit_log (entity, entity_id, note) VALUES ('project', NEW.id, 'big; budget');
  END IF;
  RETURN NEW;
END;
$$"""
    do_block = """DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_name = 'projects' AND column_name = 'code') THEN
    ALTER TABLE projects ADD COLUMN code varchar(20);
  END IF;
END
$$"""
    backfill = """DO $fill$
DECLARE i int;
BEGIN
  FOR i IN 1..4 LOOP
    INSERT INTO audit_log (entity, entity_id, note)
    VALUES ('seed', i, CASE WHEN i % 2 = 0 THEN 'even;' ELSE 'odd' END);
  END LOOP;
END
$fill$"""
    return [
        Step(
            "add_project_code_routine",
            [do_block],
            ["ALTER TABLE projects DROP COLUMN code"],
            whole_up={0},
        ),
        Step(
            "backfill_audit",
            [backfill],
            ["DELETE FROM audit_log WHERE entity = 'seed'"],
            whole_up={0},
        ),
        Step(
            "project_label_function",
            [func],
            ["DROP FUNCTION project_label(text, text)"],
            whole_up={0},
        ),
        Step(
            "projects_audit_trigger",
            [
                trig_fn,
                "CREATE TRIGGER projects_audit AFTER INSERT ON projects "
                "FOR EACH ROW EXECUTE FUNCTION projects_audit()",
            ],
            ["DROP TRIGGER projects_audit ON projects", "DROP FUNCTION projects_audit()"],
            whole_up={0},
        ),
        Step(
            "audit_entity_index",
            ["CREATE INDEX CONCURRENTLY audit_entity ON audit_log (entity, entity_id)"],
            ["DROP INDEX CONCURRENTLY audit_entity"],
            no_transaction=True,
        ),
    ]


def _sqlite_routines() -> list[Step]:
    trigger = """CREATE TRIGGER projects_audit AFTER INSERT ON projects
WHEN NEW.budget > 1000
BEGIN
  INSERT INTO audit_log (entity, entity_id, note)
  VALUES ('project', NEW.id, CASE WHEN NEW.budget > 5000 THEN 'huge; budget' ELSE 'big' END);
END"""
    touch = """CREATE TRIGGER users_touch AFTER UPDATE OF email ON users
BEGIN
  UPDATE user_emails SET email = NEW.email WHERE user_id = NEW.id;
  INSERT INTO audit_log (entity, entity_id, note) VALUES ('user', NEW.id, 'email changed');
END"""
    return [
        Step(
            "add_project_code",
            ["ALTER TABLE projects ADD COLUMN code VARCHAR(20)"],
            ["ALTER TABLE projects DROP COLUMN code"],
        ),
        Step(
            "backfill_audit",
            [
                "INSERT INTO audit_log (entity, entity_id, note) VALUES "
                "('seed', 1, 'odd'), ('seed', 2, 'even;')"
            ],
            ["DELETE FROM audit_log WHERE entity = 'seed'"],
        ),
        Step("projects_audit_trigger", [trigger], ["DROP TRIGGER projects_audit"], whole_up={0}),
        Step("users_touch_trigger", [touch], ["DROP TRIGGER users_touch"], whole_up={0}),
        Step(
            "audit_entity_index",
            ["CREATE INDEX audit_entity ON audit_log (entity, entity_id)"],
            ["DROP INDEX audit_entity"],
        ),
    ]


def _tail(d: Dialect) -> list[Step]:
    rename = "ALTER TABLE users RENAME COLUMN name TO display_name"
    return [
        Step(
            "rename_user_name", [rename], ["ALTER TABLE users RENAME COLUMN display_name TO name"]
        ),
        Step(
            "active_projects_view",
            [
                "CREATE VIEW active_projects AS SELECT id, title FROM projects "
                "WHERE status = 'active'"
            ],
            ["DROP VIEW active_projects"],
        ),
        Step(
            "create_tags",
            [
                "CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(50) NOT NULL UNIQUE)",
                "CREATE TABLE project_tags (project_id INTEGER NOT NULL REFERENCES projects (id), "
                "tag_id INTEGER NOT NULL REFERENCES tags (id), PRIMARY KEY (project_id, tag_id))",
            ],
            ["DROP TABLE project_tags", "DROP TABLE tags"],
        ),
        # Reference data: rolling back the tables removes it, so the down section does nothing.
        Step(
            "seed_tags",
            ["INSERT INTO tags (id, label) VALUES (1, 'urgent'), (2, 'it''s; fine')"],
            [],
            noop_note="-- the rows go with the tags table (see create_tags)",
        ),
        Step(
            "projects_budget_default",
            ["UPDATE projects SET budget = 0 WHERE budget IS NULL"],
            [],
        ),
        Step(
            "teams_name_unique",
            ["CREATE UNIQUE INDEX teams_name_uq ON teams (name)"],
            ["DROP INDEX teams_name_uq" + (" ON teams" if d == "mysql" else "")],
        ),
        Step("placeholder_for_other_dialects", [], []),
    ]


def history(d: Dialect) -> list[Step]:
    """The test history of dialect ``d`` (23 migrations)."""
    routines = {"mysql": _mysql_routines, "postgresql": _pg_routines, "sqlite": _sqlite_routines}
    return [*_common(d), *routines[d](), *_tail(d)]


def repeatable(d: Dialect) -> str:
    """A Flyway repeatable migration (objects no versioned migration depends on)."""
    return {
        "sqlite": "DROP VIEW IF EXISTS app_constants;\n"
        "CREATE VIEW app_constants AS SELECT 'v1' AS schema_label;\n",
        "postgresql": "CREATE OR REPLACE FUNCTION schema_label() RETURNS text "
        "LANGUAGE sql AS $$ SELECT 'v1' $$;\n",
        "mysql": "DROP FUNCTION IF EXISTS schema_label;\n"
        "CREATE FUNCTION schema_label() RETURNS VARCHAR(10) DETERMINISTIC RETURN 'v1';\n",
    }[d]


def _plain(stmts: list[str], note: str) -> str:
    return "".join(f"{s};\n" for s in stmts) if stmts else f"{note}\n"


def _goose_body(stmts: list[str], whole: set[int], note: str) -> str:
    if not stmts:
        return f"{note}\n"
    out = []
    for i, s in enumerate(stmts):
        if i in whole:
            out.append(f"-- +goose StatementBegin\n{s};\n-- +goose StatementEnd\n")
        else:
            out.append(f"{s};\n")
    return "".join(out)


def write_layout(layout: str, d: Dialect, directory: Path, limit: int | None = None) -> int:
    """Write the history of ``d`` (its first ``limit`` steps) into ``directory`` in ``layout``.

    :returns: the number of migrations written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    steps = history(d)[:limit]
    for i, step in enumerate(steps, start=1):
        st = step
        if st.no_transaction and layout not in ("goose", "dbmate"):
            # Only goose and dbmate can say "outside a transaction"; elsewhere it runs in one.
            st = Step(
                st.name,
                [s.replace(" CONCURRENTLY", "") for s in st.up],
                [s.replace(" CONCURRENTLY", "") for s in st.down],
                st.whole_up,
                st.whole_down,
            )
        up = _plain(st.up, st.noop_note)
        down = _plain(st.down, st.noop_note)
        if layout == "seed":
            (directory / f"{i:03d}_{st.name}.sql").write_text(
                f"-- Migration: {i:03d}\n-- Description: {st.name.replace('_', ' ')}\n"
                f"-- Dependencies: none\n-- Up Migration:\n{up}"
                f"-- Down Migration (Rollback):\n{down}",
                encoding="utf-8",
            )
        elif layout == "golang-migrate":
            (directory / f"{i:06d}_{st.name}.up.sql").write_text(up, encoding="utf-8")
            # An empty down file: golang-migrate's way of saying "nothing to undo".
            (directory / f"{i:06d}_{st.name}.down.sql").write_text(
                down if st.down else "", encoding="utf-8"
            )
        elif layout == "flyway":
            title = st.name.replace("_", " ").title().replace(" ", "_")
            (directory / f"V1_{i}__{title}.sql").write_text(up, encoding="utf-8")
            (directory / f"U1_{i}__{title}.sql").write_text(down, encoding="utf-8")
        elif layout == "goose":
            notx = "-- +goose NO TRANSACTION\n" if st.no_transaction else ""
            (directory / f"{20261100000000 + i}_{st.name}.sql").write_text(
                f"{notx}-- +goose Up\n{_goose_body(st.up, st.whole_up, st.noop_note)}\n"
                f"-- +goose Down\n{_goose_body(st.down, st.whole_down, st.noop_note)}",
                encoding="utf-8",
            )
        elif layout == "dbmate":
            opt = " transaction:false" if st.no_transaction else ""
            (directory / f"{20261200000000 + i}_{st.name}.sql").write_text(
                f"-- migrate:up{opt}\n{up}\n-- migrate:down{opt}\n{down}", encoding="utf-8"
            )
        else:  # pragma: no cover
            raise ValueError(layout)
    if layout == "flyway" and limit is None:
        (directory / "R__Schema_Label.sql").write_text(repeatable(d), encoding="utf-8")
    return len(steps)


def schema_snapshot(d: Dialect, ex: object) -> dict[str, list[tuple[object, ...]]]:
    """Tables, columns, indexes, constraints, views and routines of the database (sorted)."""
    run = ex._exec  # type: ignore[attr-defined]
    queries = {
        "sqlite": {
            "objects": "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%'",
        },
        "postgresql": {
            "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema()",
            "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema()",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace",
            "routines": "SELECT proname, prosrc FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace",
            "triggers": "SELECT event_object_table, trigger_name, action_statement "
            "FROM information_schema.triggers WHERE trigger_schema = current_schema()",
            "views": "SELECT table_name, view_definition FROM information_schema.views "
            "WHERE table_schema = current_schema()",
        },
        "mysql": {
            "columns": "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()",
            "indexes": "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE "
            "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()",
            "constraints": "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE "
            "FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()",
            "routines": "SELECT ROUTINE_TYPE, ROUTINE_NAME, ROUTINE_DEFINITION "
            "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
            "triggers": "SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS "
            "WHERE TRIGGER_SCHEMA = DATABASE()",
            "events": "SELECT EVENT_NAME, EVENT_DEFINITION FROM information_schema.EVENTS "
            "WHERE EVENT_SCHEMA = DATABASE()",
            "views": "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
            "WHERE TABLE_SCHEMA = DATABASE()",
        },
    }[d]
    out: dict[str, list[tuple[object, ...]]] = {}
    for key, sql in queries.items():
        rows = [tuple(str(v) for v in r) for r in run(sql).fetchall()]
        rows = [r for r in rows if not any("schema_migrations" in str(v) for v in r[:2])]
        out[key] = sorted(rows)
    return out
