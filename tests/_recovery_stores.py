"""Fresh real stores for recovery tests: PostgreSQL and MariaDB databases, private Redis servers.

Every database gets a unique name and is dropped afterwards. Redis tests get their own
``redis-server`` processes on free loopback ports (the shared one on 6379 is left alone), started
with ``repl-diskless-sync-delay 0`` so ``redis-cli --rdb`` does not wait the default 5 s.
An absent server skips the test (fails under ``POLARIS_REQUIRE_SERVICES=1``).

Import: ``from tests._recovery_stores import stores  # noqa: F401``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from tests._services import MYSQL_ADMIN_URL, PG_ADMIN_URLS, service_unavailable

__all__ = [
    "Stores",
    "module_stores",
    "mysql_rows",
    "pg_rows",
    "redis_items",
    "sqlite_rows",
    "stores",
]


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}", query=""))


@dataclass
class Stores:
    """Creates fresh databases and servers; removes them all at teardown."""

    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def postgres(self) -> str:
        """URL of a new, empty PostgreSQL database."""
        import psycopg

        try:
            admin = psycopg.connect(PG_ADMIN_URLS[0], autocommit=True, connect_timeout=3)
        except psycopg.Error as exc:
            service_unavailable("PostgreSQL", exc)
        name = f"polaris_rt_{uuid.uuid4().hex[:12]}"
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"'.encode())

        def drop() -> None:
            with psycopg.connect(PG_ADMIN_URLS[0], autocommit=True) as again:
                again.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

        self.cleanups.append(drop)
        return _with_db(PG_ADMIN_URLS[0], name)

    def mysql(self) -> str:
        """URL of a new, empty MariaDB database."""
        import pymysql

        parts = urlsplit(MYSQL_ADMIN_URL)
        params: dict[str, Any] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 3306,
            "user": parts.username or "root",
            "password": parts.password or "",
            "ssl_disabled": True,
        }
        try:
            admin = pymysql.connect(**params, autocommit=True, connect_timeout=3)
        except pymysql.MySQLError as exc:
            service_unavailable("MariaDB", exc)
        name = f"polaris_rt_{uuid.uuid4().hex[:12]}"
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        admin.close()

        def drop() -> None:
            again = pymysql.connect(**params, autocommit=True)
            with again.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            again.close()

        self.cleanups.append(drop)
        return _with_db(MYSQL_ADMIN_URL, name)

    def redis(self, db: int = 0) -> str:
        """URL of a database of a new private ``redis-server``."""
        import redis

        program = shutil.which("redis-server")
        if program is None:
            service_unavailable("redis-server", FileNotFoundError("redis-server not on PATH"))
        tmp = tempfile.mkdtemp(prefix="polaris-rt-redis-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                tmp,
                "--save",
                "",
                "--appendonly",
                "no",
                "--repl-diskless-sync-delay",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def stop() -> None:
            proc.terminate()
            proc.wait(timeout=10)
            shutil.rmtree(tmp, ignore_errors=True)

        self.cleanups.append(stop)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=port, socket_connect_timeout=0.5).ping():
                    break
            except redis.exceptions.ConnectionError as exc:
                if time.monotonic() > deadline:
                    service_unavailable("a private redis-server", exc)
                time.sleep(0.02)
        return f"redis://127.0.0.1:{port}/{db}"


def _stores() -> Iterator[Stores]:
    s = Stores()
    try:
        yield s
    finally:
        for cleanup in reversed(s.cleanups):
            cleanup()


@pytest.fixture
def stores() -> Iterator[Stores]:
    """Fresh stores for one test."""
    yield from _stores()


@pytest.fixture(scope="module")
def module_stores() -> Iterator[Stores]:
    """Fresh stores shared by a module's tests (sources they only read)."""
    yield from _stores()


def pg_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table``, in a stable order."""
    import psycopg

    with psycopg.connect(url) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}".encode()).fetchall(), key=repr)  # noqa: S608 - test table names


def mysql_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table``, in a stable order."""
    import pymysql

    p = urlsplit(url)
    conn = pymysql.connect(
        host=p.hostname,
        port=p.port or 3306,
        user=p.username or "root",
        password=p.password or "",
        database=p.path.lstrip("/"),
        ssl_disabled=True,
    )
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT * FROM `{table}`")  # noqa: S608 - test table names
        return sorted(cur.fetchall(), key=repr)


def sqlite_rows(path: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` in the SQLite file, in a stable order."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)  # noqa: S608 - test table names


def redis_items(url: str) -> dict[bytes, tuple[str, Any, bool]]:
    """Every key of the URL's database: its type, value and whether it has a TTL."""
    import redis

    r = redis.Redis.from_url(url)
    out: dict[bytes, tuple[str, Any, bool]] = {}
    for key in r.scan_iter():
        kind = r.type(key).decode()
        value: Any
        if kind == "string":
            value = r.get(key)
        elif kind == "hash":
            value = r.hgetall(key)
        elif kind == "list":
            value = r.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(r.smembers(key))
        elif kind == "zset":
            value = r.zrange(key, 0, -1, withscores=True)
        else:
            value = r.dump(key)
        out[key] = (kind, value, r.pttl(key) > 0)
    return out
