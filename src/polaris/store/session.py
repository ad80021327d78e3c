"""Engine and session factory. Nothing happens at import time.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout; write
transactions start with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing on
lock upgrade, while read transactions stay deferred and run beside a writer. PostgreSQL is used
when the URL says so (``postgresql+psycopg://...``); writers that must serialise (version bumps)
lock their model row with ``SELECT ... FOR UPDATE``.

Hot single-statement reads (one version, one page of versions) skip the session and its
``BEGIN``/``ROLLBACK`` round: :meth:`Database.driver` lends a pooled driver connection on which a
lone ``SELECT`` is its own consistent snapshot (SQLite autocommit; PostgreSQL's implicit
transaction is rolled back when the pool takes the connection back).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from polaris.core.errors import Conflict

__all__ = ["Database", "DuplicateRow", "sqlite_url"]


class DuplicateRow(Conflict):
    """A write lost a race: a unique constraint was taken by a concurrent writer."""

    slug = "conflict"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+pysqlite:///{path}"


class Database:
    """One database: an engine, a read-session factory and a write-transaction factory.

    :param url: SQLAlchemy URL; ``sqlite+pysqlite:///path`` or ``postgresql+psycopg://...``.
    :param pool_size: connection pool size for server engines (seed 7.1.1 ``connection_pool_size``);
        0 for no pool (a connection per transaction, closed after it: one-shot commands).
    """

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            db = self.url.database
            if db and db != ":memory:":
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif pool_size:
            kwargs["pool_pre_ping"] = True
        if pool_size:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
        else:
            kwargs["poolclass"] = NullPool
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(polaris_write=True)
        self._reader = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits at the end, or rolls back entirely on an exception."""
        try:
            with self._writer() as session, session.begin():
                yield session
        except IntegrityError as exc:
            if not _unique_violation(exc):
                raise
            # A unique constraint said no: in Polaris that is a concurrent writer that got there
            # first (inputs are checked before they reach the database).
            raise DuplicateRow(
                "a concurrent write changed the same record",
                hint="read it again and retry",
            ) from exc

    @contextmanager
    def driver(self) -> Iterator[DBAPIConnection]:
        """A pooled driver (DBAPI) connection for one read-only statement, returned after it.

        No session, no ``BEGIN``: SQLAlchemy's per-statement result processing costs more than
        SQLite's work on a page of versions, so hot reads run precompiled SQL here.
        """
        conn = self.engine.raw_connection()
        try:
            yield conn
        finally:
            conn.close()

    def ping(self) -> None:
        """Run ``SELECT 1``; raises if the database is unreachable."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _unique_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a unique-key violation (SQLite, PostgreSQL 23505, MySQL 1062)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    args = getattr(orig, "args", ())
    if args and args[0] == 1062:
        return True
    return "UNIQUE constraint failed" in str(orig)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the driver so BEGIN is ours (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # WAL makes NORMAL durable against application crashes (a power cut may lose the last
        # commits, never corrupt); readers map the file instead of copying pages.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.execute("PRAGMA cache_size=-16000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("polaris_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
