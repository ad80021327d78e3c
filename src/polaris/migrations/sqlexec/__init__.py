"""Executors for databases under migration: SQLite, PostgreSQL, MySQL/MariaDB.

:func:`open_executor` picks one by dialect; drivers are imported only when used.
"""

from __future__ import annotations

from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec.interface import (
    TABLE,
    ConnectError,
    Executor,
    LockTimeout,
    MigrationFailed,
    RunStatements,
    SqlExecError,
)

__all__ = [
    "TABLE",
    "ConnectError",
    "Executor",
    "LockTimeout",
    "MigrationFailed",
    "RunStatements",
    "SqlExecError",
    "open_executor",
]


def open_executor(dialect: Dialect, url: str, *, application_name: str = "polaris") -> Executor:
    """Connect to the database at ``url`` with the executor of ``dialect``.

    :raises ConnectError: the URL does not fit the dialect or the server cannot be reached.
    """
    if dialect == "sqlite":
        from polaris.migrations.sqlexec.sqlite import SqliteExecutor

        return SqliteExecutor(url)
    if dialect == "postgresql":
        from polaris.migrations.sqlexec.postgres import PostgresExecutor

        return PostgresExecutor(url, application_name=application_name)
    from polaris.migrations.sqlexec.mysql import MysqlExecutor

    return MysqlExecutor(url)
