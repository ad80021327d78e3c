"""SQL another engine's syntax, found in a migration linted for this one (rule ``wrong-dialect``).

sqlglot reads leniently: MySQL's ``AUTO_INCREMENT`` or ``ENGINE=InnoDB`` parse under PostgreSQL,
so a migration written for one engine would be judged "safe" for another where it cannot run. This
module names such syntax; the lint reports it instead of classifying the statement. Quoted strings
and comments are ignored. Pure: text in, a reason (or None) out.
"""

from __future__ import annotations

import re
from typing import Final

from polaris.migrations.sql_split import Dialect

__all__ = ["DIALECT_NAMES", "foreign_syntax", "parse_dialect"]

#: The names people type for each dialect.
DIALECT_NAMES: Final[dict[str, Dialect]] = {
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "pg": "postgresql",
    "psql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}

_F = re.IGNORECASE
_MYSQL_ONLY: Final = (
    (re.compile(r"\bAUTO_INCREMENT\b", _F), "AUTO_INCREMENT"),
    (re.compile(r"\bENGINE\s*=", _F), "ENGINE="),
    (re.compile(r"\bDEFAULT\s+CHARSET\b|\bCHARSET\s*=", _F), "CHARSET"),
    (re.compile(r"\bALTER\s+TABLE\b.*\bMODIFY\s+(?:COLUMN\s+)?\w", _F | re.S), "MODIFY COLUMN"),
    (re.compile(r"\bALTER\s+TABLE\b.*\bCHANGE\s+(?:COLUMN\s+)?\w+\s+\w", _F | re.S), "CHANGE"),
    (re.compile(r"\bADD\s+(?:COLUMN\s+)?.*\s(?:AFTER\s+\w+|FIRST)\s*$", _F | re.S), "AFTER/FIRST"),
    (re.compile(r"\bON\s+UPDATE\s+CURRENT_TIMESTAMP\b", _F), "ON UPDATE CURRENT_TIMESTAMP"),
    (re.compile(r"\bDROP\s+INDEX\s+\w+\s+ON\s+\w", _F), "DROP INDEX ... ON table"),
)
#: Type names: SQLite takes any name as a type (``UNSIGNED BIG INT`` is in its manual), so these
#: only matter for the other server.
_MYSQL_TYPES: Final = (
    (re.compile(r"\bUNSIGNED\b", _F), "UNSIGNED"),
    (re.compile(r"\b(?:TINY|MEDIUM|LONG)TEXT\b|\bTINYINT\b|\bDATETIME\(\d", _F), "MySQL type"),
)
_BACKTICK: Final = (re.compile(r"`"), "backtick-quoted names")
_PG_ONLY: Final = (
    (re.compile(r"::\s*[A-Za-z_]"), ":: cast"),
    (re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$"), "dollar quoting"),
    (re.compile(r"\bCONCURRENTLY\b", _F), "CONCURRENTLY"),
    (re.compile(r"\bNOT\s+VALID\b", _F), "NOT VALID"),
    (re.compile(r"\bCREATE\s+EXTENSION\b", _F), "CREATE EXTENSION"),
    (re.compile(r"\bUSING\s+(?:GIN|GIST|BRIN)\b", _F), "GIN/GiST index"),
    (re.compile(r"\bALTER\s+COLUMN\s+\w+\s+(?:SET\s+DATA\s+)?TYPE\b", _F), "ALTER COLUMN TYPE"),
)
_PG_TYPES: Final = (
    (re.compile(r"\b(?:JSONB|BYTEA|TIMESTAMPTZ|BIGSERIAL|CITEXT)\b", _F), "PostgreSQL type"),
)
_STRINGS: Final = re.compile(r"'(?:[^'\\]|\\.|'')*'|--[^\n]*|/\*.*?\*/", re.S)
_LABEL: Final[dict[Dialect, str]] = {
    "mysql": "MySQL/MariaDB",
    "postgresql": "PostgreSQL",
    "sqlite": "SQLite",
}


def parse_dialect(name: str) -> Dialect | None:
    """The dialect a typed name means (``pg``, ``postgres``, ``mariadb``...), or None."""
    return DIALECT_NAMES.get(name.strip().lower())


def foreign_syntax(statement: str, dialect: Dialect) -> str | None:
    """Why ``statement`` is written for another engine than ``dialect``, or None.

    >>> foreign_syntax("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)", "postgresql")
    'MySQL/MariaDB syntax (AUTO_INCREMENT) in a PostgreSQL migration: it would not run there'
    """
    code = _STRINGS.sub("''", statement)
    checks: list[tuple[tuple[re.Pattern[str], str], Dialect]] = []
    if dialect != "mysql":
        checks += [(c, "mysql") for c in _MYSQL_ONLY]
    if dialect == "postgresql":
        checks.append((_BACKTICK, "mysql"))
        checks += [(c, "mysql") for c in _MYSQL_TYPES]
    if dialect != "postgresql":
        checks += [(c, "postgresql") for c in _PG_ONLY]
    if dialect == "mysql":
        checks += [(c, "postgresql") for c in _PG_TYPES]
    for (pattern, what), other in checks:
        if pattern.search(code):
            return (
                f"{_LABEL[other]} syntax ({what}) in a {_LABEL[dialect]} migration: "
                "it would not run there"
            )
    return None
