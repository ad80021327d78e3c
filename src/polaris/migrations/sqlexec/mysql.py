"""MySQL and MariaDB through PyMySQL: DDL commits implicitly, so progress is recorded.

The lock is ``GET_LOCK`` (session-level, released when the connection ends) named after the
database and the tracking table. Each migration's row is written before its first statement and
updated after every statement, so a failure, or a runner killed mid-way, leaves a row saying which
statement to resume at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

from polaris.core.errors import Location
from polaris.migrations.effects import Effect
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec._dbapi import DbApiExecutor, connect_error
from polaris.migrations.sqlexec.interface import ConnectError, LockTimeout

__all__ = ["MysqlExecutor", "mysql_params"]

_SCHEMES = ("mysql", "mariadb", "mysql+pymysql", "mariadb+pymysql")


def mysql_params(url: str) -> dict[str, Any]:
    """PyMySQL ``connect`` keyword arguments from ``mysql://user:pass@host:port/db``.

    :raises ConnectError: not a MySQL URL, or no database named.
    """
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if parts.scheme not in _SCHEMES or not database:
        raise ConnectError(
            "not a MySQL URL with a database",
            location=Location(field="url"),
            hint="write mysql://user:password@host:3306/database",
        )
    params: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "database": database,
    }
    query = parse_qs(parts.query)
    if "unix_socket" in query:
        params["unix_socket"] = query["unix_socket"][0]
    return params


class MysqlExecutor(DbApiExecutor):
    """A MySQL or MariaDB database."""

    dialect: Dialect = "mysql"
    transactional_ddl = False
    column_types: ClassVar[dict[str, str]] = {
        "version": "VARCHAR(50)",
        "name": "VARCHAR(255)",
        "description": "TEXT",
        "checksum": "VARCHAR(80)",
        "state": "VARCHAR(16)",
        "statements_applied": "INT",
        "statements_total": "INT",
        "rollback_sql": "LONGTEXT",
        "applied_at": "DATETIME(6) NULL",
        "applied_by": "VARCHAR(255)",
        "execution_ms": "INT",
        "installed_rank": "INT",
        "failed_statement": "LONGTEXT",
        "error": "TEXT",
    }

    def __init__(self, url: str, *, table: str = "schema_migrations") -> None:
        params = mysql_params(url)
        try:
            conn = pymysql.connect(**params, autocommit=True, charset="utf8mb4", connect_timeout=10)
        except pymysql.MySQLError as exc:
            raise connect_error("mysql", url, exc) from exc
        super().__init__(conn, table=table)
        self.database = str(params["database"])
        digest = hashlib.sha256(f"{self.database}.{self.table}".encode()).hexdigest()
        # GET_LOCK names are server-wide and at most 64 characters.
        self._lock_name = f"polaris:schema:{digest[:40]}"

    def _table_exists(self, name: str | None = None) -> bool:
        cur = self._exec(
            "SELECT 1 FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            (name or self.table,),
        )
        return cur.fetchone() is not None

    def _existing_columns(self, name: str | None = None) -> set[str]:
        cur = self._exec(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            (name or self.table,),
        )
        return {str(r[0]) for r in cur.fetchall()}

    def effect_holds(self, effect: Effect) -> bool | None:
        if effect.kind == "table":
            return self._table_exists(effect.table)
        if effect.kind == "column":
            return effect.name.lower() in {c.lower() for c in self._existing_columns(effect.table)}
        row = self._exec(
            "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = %s AND INDEX_NAME = %s LIMIT 1",
            (effect.table, effect.name),
        ).fetchone()
        return row is not None

    def _holder(self) -> str:
        row = self._exec(
            "SELECT p.ID, p.USER, p.HOST, p.TIME FROM information_schema.PROCESSLIST p "
            "WHERE p.ID = IS_USED_LOCK(%s)",
            (self._lock_name,),
        ).fetchone()
        if row is None:
            return "a session that has just ended"
        conn_id, user, host, seconds = row
        return f"connection {conn_id} ({user}@{host}, connected {seconds}s)"

    @contextmanager
    def lock(self, timeout: float, owner: str) -> Iterator[None]:
        got = self._exec(
            "SELECT GET_LOCK(%s, %s)", (self._lock_name, max(0, round(timeout)))
        ).fetchone()[0]
        if got != 1:
            raise LockTimeout(
                f"schema migrations of {self.database} are locked by {self._holder()}; "
                f"waited {timeout:g}s",
                hint="wait for that run to finish; a killed run's lock ends with its connection",
            )
        try:
            yield
        finally:
            if self._conn.open:
                self._exec("SELECT RELEASE_LOCK(%s)", (self._lock_name,))
