"""What a schema migration breaks: seed 6.2.1's rules, and the bump they require (seed 2.2.2).

Each statement of a migration's up SQL is parsed with sqlglot (a pure-Python SQL parser: it does no
I/O, which is why it is the one third-party library allowed in ``core``) in the migration's dialect
and matched against rules with stable ids:

========================== =========== =====================================================
rule id                    verdict     what
========================== =========== =====================================================
add-table                  safe        CREATE TABLE (also views, functions, sequences...)
add-column                 safe        ADD COLUMN, nullable or with a default
add-index                  safe        CREATE INDEX / ADD INDEX
widen-column               safe        a column type made larger (VARCHAR(50) -> (100))
add-constraint             safe        ADD CONSTRAINT (validated by the database)
data-change                safe        INSERT / UPDATE / DELETE (a PATCH on its own)
drop-table                 breaking    DROP TABLE (and views, functions...)
drop-column                breaking    DROP COLUMN
change-column-type         breaking    a column's type changed (or its old type unknown)
narrow-column              breaking    a column type made smaller
add-not-null-column        breaking    ADD COLUMN ... NOT NULL without a default
set-not-null               breaking    an existing column made NOT NULL
drop-index                 breaking    DROP INDEX (may be used by the application)
rename-table               deprecation RENAME a table
rename-column              deprecation RENAME a column
change-constraint          deprecation DROP CONSTRAINT / FOREIGN KEY / PRIMARY KEY / CHECK
unique-on-existing-data    warning     a unique index/constraint on a table with rows
not-null-on-existing-data  warning     NOT NULL on an existing column fails on NULL rows
pg-index-not-concurrent    warning     PostgreSQL CREATE/DROP INDEX without CONCURRENTLY
pg-constraint-not-valid    warning     PostgreSQL FOREIGN KEY / CHECK without NOT VALID
pg-volatile-default        warning     PostgreSQL ADD COLUMN with a volatile default
wrong-dialect              unknown     another engine's syntax (AUTO_INCREMENT in PostgreSQL...)
unparsed                   unknown     sqlglot cannot parse the statement
unrecognized               unknown     parsed, but no rule knows the statement
========================== =========== =====================================================

A migration's verdict is its worst finding (breaking > unknown > deprecation > safe); warnings are
reported beside it. Required bump: breaking or unknown -> major, deprecation or a schema addition
-> minor, data changes only -> patch. Tables created in the same migration are empty, so the
data-dependent and lock warnings are not raised for them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from polaris.core.errors import InvalidInput
from polaris.migrations.lint_dialect import foreign_syntax
from polaris.migrations.sql_split import Dialect, split_sql

__all__ = [
    "RULES",
    "Bump",
    "Finding",
    "LintReport",
    "MigrationLint",
    "Verdict",
    "lint_migrations",
    "lint_sql",
]

# sqlglot logs (not warns) when it falls back to a raw Command; such statements are judged here.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

Verdict = Literal["safe", "deprecation", "breaking", "unknown", "warning"]
Bump = Literal["none", "patch", "minor", "major"]

#: rule id -> (verdict, bump it requires on its own).
RULES: Final[dict[str, tuple[Verdict, Bump]]] = {
    "add-table": ("safe", "minor"),
    "add-column": ("safe", "minor"),
    "add-index": ("safe", "minor"),
    "widen-column": ("safe", "minor"),
    "add-constraint": ("safe", "minor"),
    "data-change": ("safe", "patch"),
    "drop-table": ("breaking", "major"),
    "drop-column": ("breaking", "major"),
    "change-column-type": ("breaking", "major"),
    "narrow-column": ("breaking", "major"),
    "add-not-null-column": ("breaking", "major"),
    "set-not-null": ("breaking", "major"),
    "drop-index": ("breaking", "major"),
    "rename-table": ("deprecation", "minor"),
    "rename-column": ("deprecation", "minor"),
    "change-constraint": ("deprecation", "minor"),
    "unique-on-existing-data": ("warning", "none"),
    "not-null-on-existing-data": ("warning", "none"),
    "pg-index-not-concurrent": ("warning", "none"),
    "pg-constraint-not-valid": ("warning", "none"),
    "pg-volatile-default": ("warning", "none"),
    "wrong-dialect": ("unknown", "major"),
    "unparsed": ("unknown", "major"),
    "unrecognized": ("unknown", "major"),
}
_RANK: Final[dict[str, int]] = {"safe": 0, "deprecation": 1, "unknown": 2, "breaking": 3}
_BUMPS: Final[tuple[Bump, ...]] = ("none", "patch", "minor", "major")
_SQLGLOT: Final[dict[Dialect, str]] = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "mysql": "mysql",
}

_T = exp.DataType.Type
_INT_LADDER: Final = [_T.TINYINT, _T.SMALLINT, _T.MEDIUMINT, _T.INT, _T.BIGINT]
_FLOAT_LADDER: Final = [_T.FLOAT, _T.DOUBLE]
_TEXT_LADDER: Final = [_T.CHAR, _T.VARCHAR, _T.TINYTEXT, _T.TEXT, _T.MEDIUMTEXT, _T.LONGTEXT]
_VOLATILE: Final = {"clock_timestamp", "gen_random_uuid", "uuid_generate_v4", "random", "timeofday"}
_RENAME_TABLE: Final = re.compile(r"^\s*RENAME\s+TABLES?\b", re.IGNORECASE)
_VALIDATE: Final = re.compile(r"^\s*ALTER\s+TABLE\b.*\bVALIDATE\s+CONSTRAINT\b", re.I | re.S)
_ROUTINE: Final = re.compile(
    r"^\s*(?P<verb>CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:TEMP(?:ORARY)?\s+)?(?P<kind>TRIGGER|FUNCTION|PROCEDURE|VIEW|EVENT)\b",
    re.IGNORECASE,
)
_NOOP: Final = re.compile(r"^\s*(BEGIN|COMMIT|START\s+TRANSACTION|SET|PRAGMA)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule matched by one statement."""

    rule: str
    verdict: Verdict
    message: str
    file: str
    line: int
    statement: str


@dataclass(frozen=True, slots=True)
class MigrationLint:
    """The findings of one migration, its verdict and the bump it requires."""

    file: str
    verdict: Verdict
    bump: Bump
    findings: tuple[Finding, ...]

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning-level findings."""
        return tuple(f for f in self.findings if f.verdict == "warning")


@dataclass(frozen=True, slots=True)
class LintReport:
    """Every migration linted, in order, and the bump the whole change requires."""

    dialect: Dialect
    migrations: tuple[MigrationLint, ...]
    verdict: Verdict
    bump: Bump


class _Schema:
    """Column types known from earlier statements: table -> column -> type."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, exp.DataType]] = {}

    def set(self, table: str, column: str, dtype: exp.DataType | None) -> None:
        if dtype is not None:
            self.columns.setdefault(table, {})[column] = dtype

    def get(self, table: str, column: str) -> exp.DataType | None:
        return self.columns.get(table, {}).get(column)


def _name(node: exp.Expression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, exp.Table):
        return node.name.lower()
    return str(node.name if hasattr(node, "name") else node).lower()


def _size(dtype: exp.DataType) -> int | None:
    params = dtype.expressions
    if not params:
        return None
    first = params[0]
    text = first.this.name if isinstance(first, exp.DataTypeParam) else first.name
    return int(text) if str(text).isdigit() else None


def _compare(old: exp.DataType, new: exp.DataType) -> str:
    """``same``, ``widen``, ``narrow`` or ``change`` from ``old`` to ``new``."""
    a, b = old.this, new.this
    for ladder in (_INT_LADDER, _FLOAT_LADDER, _TEXT_LADDER):
        if a in ladder and b in ladder:
            ia, ib = ladder.index(a), ladder.index(b)
            if ia != ib:
                return "widen" if ib > ia else "narrow"
            break
    else:
        if a != b:
            return "change"
    sa, sb = _size(old), _size(new)
    if old.sql() == new.sql() or sa == sb:
        return "same" if old.sql() == new.sql() else "change"
    if sa is None or sb is None:
        return "widen" if sb is None else "narrow"
    return "widen" if sb > sa else "narrow"


def _constraints(col: exp.ColumnDef) -> list[exp.Expression]:
    return [c.args.get("kind") for c in col.args.get("constraints") or []]


def _not_null(kinds: Iterable[exp.Expression]) -> bool:
    """Whether the constraints say NOT NULL (sqlglot writes a plain ``NULL`` as allow_null)."""
    return any(
        isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds
    )


class _Linter:
    def __init__(self, dialect: Dialect, schema: _Schema) -> None:
        self.dialect = dialect
        self.schema = schema
        self.created: set[str] = set()
        self.found: list[Finding] = []
        self.file = ""
        self.line = 0
        self.stmt = ""

    def add(self, rule: str, message: str) -> None:
        verdict = RULES[rule][0]
        self.found.append(Finding(rule, verdict, message, self.file, self.line, self.stmt))

    def existing(self, table: str) -> bool:
        return table not in self.created

    def statement(self, text: str) -> None:
        if _NOOP.match(text):
            return
        foreign = foreign_syntax(text, self.dialect)
        if foreign is not None:
            self.add("wrong-dialect", foreign)
            return
        stored = _ROUTINE.match(text)
        if stored and stored.group("kind").upper() != "VIEW":
            # Stored programs' bodies are beyond the SQL parser; what they add or drop is not.
            kind = stored.group("kind").lower()
            if stored.group("verb").upper() == "CREATE":
                self.add("add-table", f"adds a {kind}")
            else:
                self.add("drop-table", f"drops a {kind}")
            return
        try:
            tree = sqlglot.parse_one(text, read=_SQLGLOT[self.dialect])
        except SqlglotError as exc:
            self.add("unparsed", f"cannot parse: {str(exc).splitlines()[0]}")
            return
        routine = _ROUTINE.match(text)
        if routine and not isinstance(tree, exp.Create | exp.Drop):
            kind = routine.group("kind").lower()
            if routine.group("verb").upper() == "CREATE":
                self.add("add-table", f"adds a {kind}")
            else:
                self.add("drop-table", f"drops a {kind}")
        elif isinstance(tree, exp.Command):
            if _RENAME_TABLE.match(text):
                self.add("rename-table", "RENAME TABLE: readers of the old name break")
            elif _VALIDATE.match(text):
                self.add("add-constraint", "validates a NOT VALID constraint")
            else:
                self.add("unparsed", "statement not understood by the SQL parser")
        elif isinstance(tree, exp.Create):
            self.create(tree)
        elif isinstance(tree, exp.Drop):
            self.drop(tree, _name(tree.args.get("cluster") and tree.args["cluster"].this))
        elif isinstance(tree, exp.Alter):
            table = _name(tree.this)
            for action in tree.args.get("actions") or []:
                self.alter(table, action, tree)
        elif isinstance(tree, exp.Insert | exp.Update | exp.Delete):
            self.add("data-change", f"{tree.key.upper()} changes data, not the schema")
        else:
            self.add("unrecognized", f"no rule for a {tree.key.upper()} statement")

    def create(self, tree: exp.Create) -> None:
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "INDEX":
            index = tree.this
            table = _name(index.args.get("table"))
            self.add("add-index", f"adds index {_name(index)} on {table}")
            existing = self.existing(table)
            if tree.args.get("unique") and existing:
                self.add(
                    "unique-on-existing-data",
                    f"unique index on {table} fails if existing rows hold duplicates",
                )
            if self.dialect == "postgresql" and existing and not tree.args.get("concurrently"):
                self.add(
                    "pg-index-not-concurrent",
                    f"CREATE INDEX without CONCURRENTLY blocks writes to {table} while it builds",
                )
            return
        if kind == "TABLE":
            schema = tree.this
            table = _name(schema.this if isinstance(schema, exp.Schema) else schema)
            self.created.add(table)
            if isinstance(schema, exp.Schema):
                for col in schema.expressions:
                    if isinstance(col, exp.ColumnDef):
                        self.schema.set(table, col.name.lower(), col.args.get("kind"))
            self.add("add-table", f"adds table {table}")
            return
        self.add("add-table", f"adds {kind.lower() or 'an object'} {_name(tree.this)}")

    def drop(self, tree: exp.Drop, on_table: str) -> None:
        kind = str(tree.args.get("kind") or "").upper()
        names = ", ".join(_name(t) for t in tree.args.get("tables") or [])
        if kind == "INDEX":
            self.add("drop-index", f"drops index {names}: queries using it slow down or fail")
            if self.dialect == "postgresql" and not tree.args.get("concurrently"):
                self.add("pg-index-not-concurrent", "DROP INDEX without CONCURRENTLY takes a lock")
            return
        self.add("drop-table", f"drops {kind.lower() or 'table'} {names}")

    def alter(self, table: str, action: exp.Expression, tree: exp.Alter) -> None:
        existing = self.existing(table)
        if isinstance(action, exp.ColumnDef):
            self.add_column(table, action, existing)
        elif isinstance(action, exp.Drop):
            kind = str(action.args.get("kind") or "").upper()
            names = ", ".join(_name(t) for t in action.args.get("tables") or [])
            if kind == "COLUMN":
                self.add("drop-column", f"drops column {table}.{names}")
            elif kind == "INDEX":
                self.add("drop-index", f"drops index {names} of {table}")
            else:
                self.add("change-constraint", f"drops {kind.lower() or 'constraint'} {names}")
        elif isinstance(action, exp.AlterRename):
            self.add("rename-table", f"renames table {table} to {_name(action.this)}")
        elif isinstance(action, exp.RenameColumn):
            self.add(
                "rename-column",
                f"renames column {table}.{_name(action.this)} to {_name(action.args.get('to'))}",
            )
        elif isinstance(action, exp.AlterColumn):
            self.alter_column(table, action, existing)
        elif isinstance(action, exp.ModifyColumn):
            self.modify_column(table, action, existing)
        elif isinstance(action, exp.AddConstraint):
            self.add_constraint(table, action, tree, existing)
        else:
            self.add("unrecognized", f"no rule for ALTER TABLE action {action.key.upper()}")

    def add_column(self, table: str, col: exp.ColumnDef, existing: bool) -> None:
        kinds = _constraints(col)
        not_null = _not_null(kinds)
        defaults = [k for k in kinds if isinstance(k, exp.DefaultColumnConstraint)]
        column = col.name.lower()
        self.schema.set(table, column, col.args.get("kind"))
        if not_null and not defaults and existing:
            self.add(
                "add-not-null-column",
                f"adds {table}.{column} NOT NULL without a default: existing inserts break",
            )
        else:
            self.add("add-column", f"adds column {table}.{column}")
        if self.dialect == "postgresql" and existing and defaults:
            value = defaults[0].this
            if isinstance(value, exp.Rand | exp.Uuid) or (
                isinstance(value, exp.Anonymous) and value.name.lower() in _VOLATILE
            ):
                self.add(
                    "pg-volatile-default",
                    f"volatile default {value.sql('postgres')} rewrites all of {table} under lock",
                )

    def retype(self, table: str, column: str, new: exp.DataType | None) -> None:
        if new is None:
            return
        old = self.schema.get(table, column)
        self.schema.set(table, column, new)
        if old is None:
            self.add(
                "change-column-type",
                f"changes the type of {table}.{column} to {new.sql()} (previous type unknown)",
            )
            return
        how = _compare(old, new)
        if how == "widen":
            self.add("widen-column", f"widens {table}.{column} from {old.sql()} to {new.sql()}")
        elif how == "narrow":
            self.add("narrow-column", f"narrows {table}.{column} from {old.sql()} to {new.sql()}")
        elif how == "change":
            self.add(
                "change-column-type",
                f"changes {table}.{column} from {old.sql()} to {new.sql()}",
            )

    def set_not_null(self, table: str, column: str, existing: bool) -> None:
        self.add("set-not-null", f"makes {table}.{column} NOT NULL: writers of NULL break")
        if existing:
            self.add(
                "not-null-on-existing-data",
                f"fails if {table}.{column} holds NULL in existing rows",
            )

    def alter_column(self, table: str, action: exp.AlterColumn, existing: bool) -> None:
        column = action.name.lower()
        if action.args.get("dtype") is not None:
            self.retype(table, column, action.args["dtype"])
        elif action.args.get("allow_null") is False:
            self.set_not_null(table, column, existing)
        elif action.args.get("allow_null") is True:
            self.add("change-constraint", f"drops NOT NULL of {table}.{column}")
        elif "default" in action.args or action.args.get("drop"):
            self.add("change-constraint", f"changes the default of {table}.{column}")
        else:
            self.add("unrecognized", f"no rule for this ALTER COLUMN of {table}.{column}")

    def modify_column(self, table: str, action: exp.ModifyColumn, existing: bool) -> None:
        col = action.this
        column = col.name.lower()
        old_name = _name(action.args.get("rename_from")) or column
        if old_name != column:
            self.add("rename-column", f"renames column {table}.{old_name} to {column}")
            old = self.schema.get(table, old_name)
            if old is not None:
                self.schema.set(table, column, old)
        self.retype(table, column, col.args.get("kind"))
        if _not_null(_constraints(col)):
            self.set_not_null(table, column, existing)

    def add_constraint(
        self, table: str, action: exp.AddConstraint, tree: exp.Alter, existing: bool
    ) -> None:
        for c in action.expressions:
            parts = c.expressions if isinstance(c, exp.Constraint) else [c]
            for part in parts:
                if isinstance(part, exp.IndexColumnConstraint):
                    self.add("add-index", f"adds index {_name(part.this)} on {table}")
                    continue
                self.add("add-constraint", f"adds {part.key.lower()} on {table}")
                unique = isinstance(part, exp.UniqueColumnConstraint | exp.PrimaryKey)
                if unique and existing:
                    self.add(
                        "unique-on-existing-data",
                        f"unique constraint on {table} fails if existing rows hold duplicates",
                    )
                fk_or_check = isinstance(part, exp.ForeignKey | exp.CheckColumnConstraint)
                if (
                    self.dialect == "postgresql"
                    and existing
                    and fk_or_check
                    and not tree.args.get("not_valid")
                ):
                    self.add(
                        "pg-constraint-not-valid",
                        f"{part.key.lower()} without NOT VALID scans {table} under lock; "
                        "add it NOT VALID, then VALIDATE CONSTRAINT",
                    )


def _summarise(file: str, findings: Sequence[Finding]) -> MigrationLint:
    classified = [f for f in findings if f.verdict != "warning"]
    verdict: Verdict = "safe"
    bump: Bump = "none"
    for f in classified:
        if _RANK[f.verdict] > _RANK[verdict]:
            verdict = f.verdict
        rule_bump = RULES[f.rule][1]
        if _BUMPS.index(rule_bump) > _BUMPS.index(bump):
            bump = rule_bump
    return MigrationLint(file, verdict, bump, tuple(findings))


def lint_migrations(migrations: Iterable[tuple[str, str, int]], dialect: Dialect) -> LintReport:
    """Lint migrations in order: ``(file, up_sql, first line of up_sql in the file)`` each.

    Earlier migrations teach column types, so a later ``MODIFY``/``ALTER TYPE`` is judged a
    widening or a narrowing.
    """
    schema = _Schema()
    out: list[MigrationLint] = []
    for file, sql, first_line in migrations:
        linter = _Linter(dialect, schema)
        linter.file = file
        try:
            statements = split_sql(sql, dialect, source=file)
        except InvalidInput as exc:
            linter.line = first_line
            linter.stmt = ""
            linter.add("unparsed", exc.message)
            statements = ()
        for s in statements:
            linter.line = first_line + s.line - 1
            linter.stmt = s.text
            linter.statement(s.text)
        out.append(_summarise(file, linter.found))
    verdict: Verdict = "safe"
    bump: Bump = "none"
    for m in out:
        if _RANK[m.verdict] > _RANK[verdict]:
            verdict = m.verdict
        if _BUMPS.index(m.bump) > _BUMPS.index(bump):
            bump = m.bump
    return LintReport(dialect, tuple(out), verdict, bump)


def lint_sql(sql: str, dialect: Dialect, *, file: str = "<sql>") -> MigrationLint:
    """Lint one piece of SQL on its own (no earlier schema known)."""
    return lint_migrations([(file, sql, 1)], dialect).migrations[0]
