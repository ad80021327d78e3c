"""SQLite: the stdlib driver; the lock is SQLite's own write lock, held for the whole run.

A run is one ``BEGIN IMMEDIATE`` transaction (the write lock: a second runner waits up to the
timeout, then gives up); each migration is a ``SAVEPOINT`` inside it, so a failing migration is
rolled back alone and the ones before it are committed when the run ends. A killed runner's lock
and uncommitted work vanish with its connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from polaris.core.errors import Location
from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec._dbapi import DbApiExecutor, connect_error
from polaris.migrations.sqlexec.interface import ConnectError, LockTimeout

__all__ = ["SqliteExecutor", "sqlite_path"]


def sqlite_path(url: str) -> str:
    """The file path of ``sqlite:///relative.db``, ``sqlite:////abs.db`` or ``sqlite:///:memory:``.

    :raises ConnectError: not a ``sqlite:///`` URL.
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ConnectError(
            f"not a SQLite URL: {url!r}",
            location=Location(field="url"),
            hint="write sqlite:///relative/path.db or sqlite:////absolute/path.db",
        )
    return url[len(prefix) :]


class SqliteExecutor(DbApiExecutor):
    """A SQLite database file."""

    dialect: Dialect = "sqlite"
    transactional_ddl = True
    can_leave_transaction = False
    ph: ClassVar[str] = "?"

    def __init__(self, url: str, *, table: str = "schema_migrations") -> None:
        path = sqlite_path(url)
        if path != ":memory:" and not Path(path).parent.is_dir():
            raise connect_error("sqlite", url, FileNotFoundError(f"no directory for {path}"))
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:  # pragma: no cover - connect only fails on odd paths
            raise connect_error("sqlite", url, exc) from exc
        super().__init__(conn, table=table)
        self.path = path
        self._in_run = False
        self._sp = 0
        self._closed = False

    def close(self) -> None:
        self._closed = True
        super().close()

    def _finish_run(self) -> None:
        self._in_run = False
        # Migrations that completed inside the run stay applied.
        if not self._closed and self._conn.in_transaction:
            self._exec("COMMIT")

    # Inside a run the migration "transaction" is a savepoint of the run's transaction.
    def _begin(self) -> None:
        if self._in_run:
            self._sp += 1
            self._exec(f"SAVEPOINT polaris_{self._sp}")
        else:
            self._exec("BEGIN")

    def _commit(self) -> None:
        if self._in_run:
            self._exec(f"RELEASE polaris_{self._sp}")
        else:
            self._exec("COMMIT")

    def _rollback(self) -> None:
        if self._in_run:
            self._exec(f"ROLLBACK TO polaris_{self._sp}")
            self._exec(f"RELEASE polaris_{self._sp}")
        else:
            self._exec("ROLLBACK")

    def _table_exists(self, name: str | None = None) -> bool:
        cur = self._exec(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name or self.table,)
        )
        return cur.fetchone() is not None

    def _existing_columns(self, name: str | None = None) -> set[str]:
        cur = self._exec(f"PRAGMA table_info({name or self.table})")
        return {str(row[1]) for row in cur.fetchall()}

    def _time_param(self, value: datetime | None) -> object:
        # ISO text: the sqlite3 default datetime adapter is deprecated since Python 3.12.
        return None if value is None else value.isoformat()

    @contextmanager
    def lock(self, timeout: float, owner: str) -> Iterator[None]:
        self._exec(f"PRAGMA busy_timeout = {max(0, int(timeout * 1000))}")
        try:
            self._exec("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LockTimeout(
                f"the SQLite database {self.path} is locked by another writer "
                f"(waited {timeout:g}s): {exc}",
                hint="another 'polaris schema' run or an application transaction holds it; retry",
            ) from exc
        self._in_run = True
        try:
            yield
        finally:
            self._finish_run()
