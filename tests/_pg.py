"""Registry test databases: SQLite files and PostgreSQL schemas, plus a live HTTP server.

PostgreSQL is the machine's (``127.0.0.1:5432``, trust auth, database ``test``; override with
``POLARIS_TEST_PG_URL``). Each use gets a fresh schema with a unique name, reached through the
connection's ``search_path``, dropped afterwards, so parallel runs never collide. An absent server
skips the test with the reason, unless ``POLARIS_REQUIRE_SERVICES=1``, where it fails.

Import into a test module: ``from tests._pg import registry_db_url  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

__all__ = [
    "LiveServer",
    "migrated_db_url",
    "pg_schema_url",
    "registry_db_url",
    "unavailable",
]

PG_URL = os.environ.get("POLARIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def unavailable(reason: str) -> None:
    """Skip, or fail under ``POLARIS_REQUIRE_SERVICES=1``."""
    if os.environ.get("POLARIS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (POLARIS_REQUIRE_SERVICES=1 requires it)")
    pytest.skip(reason)


@contextlib.contextmanager
def _pg_schema() -> Iterator[str]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        unavailable("psycopg is not installed")
        raise
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL is not reachable at {PG_URL}: {' '.join(str(exc).split())[:150]}")
        raise
    schema = f"polaris_t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"'.encode())
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as again:
            again.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A SQLAlchemy URL (psycopg 3) whose search_path is a fresh, empty schema."""
    with _pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty registry database URL: SQLite in tmp_path, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from polaris.store.migrate import upgrade
    from polaris.store.session import Database

    path = tmp_path_factory.mktemp("template") / "polaris.db"
    db = Database(f"sqlite+pysqlite:///{path}", pool_size=1)
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_session_schema() -> Iterator[str]:
    """One migrated PostgreSQL schema for the whole session (tables truncated per test)."""
    with _pg_schema() as url:
        from polaris.store.migrate import upgrade
        from polaris.store.session import Database

        db = Database(url, pool_size=1)
        upgrade(db)
        db.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty registry database: a copy of a SQLite template, or a truncated schema."""
    if request.param == "sqlite":
        dest = tmp_path / "polaris.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), dest)
        return f"sqlite+pysqlite:///{dest}"
    url: str = request.getfixturevalue("_pg_session_schema")
    from sqlalchemy import create_engine, text

    from polaris.store.tables import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        # DELETE beats TRUNCATE on tables this small (no file rewrites).
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return url


class LiveServer:
    """A real uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
