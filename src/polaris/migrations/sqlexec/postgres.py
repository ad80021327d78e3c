"""PostgreSQL through psycopg 3: transactional DDL and a session-level advisory lock.

The lock is ``pg_try_advisory_lock`` polled until the timeout, keyed on the tracking table's schema
and name: advisory locks are per database and belong to the session, so a killed runner's lock dies
with its connection and no stale lock row is ever left to break.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from polaris.migrations.sql_split import Dialect
from polaris.migrations.sqlexec._dbapi import DbApiExecutor, connect_error
from polaris.migrations.sqlexec.interface import LockTimeout

__all__ = ["PostgresExecutor"]

_POLL = 0.05


class PostgresExecutor(DbApiExecutor):
    """A PostgreSQL database (the tracking table lives in the first schema of ``search_path``)."""

    dialect: Dialect = "postgresql"
    transactional_ddl = True

    def __init__(
        self, url: str, *, table: str = "schema_migrations", application_name: str = "polaris"
    ) -> None:
        conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        try:
            conn: Any = psycopg.connect(
                conninfo, autocommit=True, application_name=application_name[:63]
            )
        except psycopg.Error as exc:
            raise connect_error("postgresql", url, exc) from exc
        super().__init__(conn, table=table)
        schema = self._exec("SELECT current_schema()").fetchone()[0]
        digest = hashlib.sha256(f"polaris:{schema}.{self.table}".encode()).digest()
        self._key = int.from_bytes(digest[:8], "big", signed=True)

    def _exec(self, sql: str, params: Any = None) -> Any:
        # psycopg wants literal query strings for type checkers; ours are fixed text or the
        # user's own migration SQL, run as written.
        return self._conn.execute(sql.encode(), params)

    def _table_exists(self, name: str | None = None) -> bool:
        row = self._exec("SELECT to_regclass(%s)", (name or self.table,)).fetchone()
        return row is not None and row[0] is not None

    def _existing_columns(self, name: str | None = None) -> set[str]:
        cur = self._exec(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            (name or self.table,),
        )
        return {str(r[0]) for r in cur.fetchall()}

    def _holder(self) -> str:
        hi, lo = (self._key >> 32) & 0xFFFFFFFF, self._key & 0xFFFFFFFF
        row = self._exec(
            "SELECT a.pid, a.usename, a.application_name, a.client_addr, a.backend_start "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (hi, lo),
        ).fetchone()
        if row is None:
            return "an unknown session"
        pid, user, app, addr, started = row
        since = started.strftime("%Y-%m-%d %H:%M:%S") if started else "?"
        return (
            f"{app or 'a session'} (backend pid {pid}, user {user}, "
            f"from {addr or 'local'}, since {since})"
        )

    @contextmanager
    def lock(self, timeout: float, owner: str) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        while True:
            got = self._exec("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()[0]
            if got:
                break
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"schema migrations are locked by {self._holder()}; waited {timeout:g}s",
                    hint="wait for that run to finish; a killed run's lock ends with its session",
                )
            time.sleep(_POLL)
        try:
            yield
        finally:
            if not self._conn.closed:
                self._exec("SELECT pg_advisory_unlock(%s)", (self._key,))
