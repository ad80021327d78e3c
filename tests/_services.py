"""Real PostgreSQL and MariaDB databases for tests, fresh for every test.

The servers are the machine's (127.0.0.1, PostgreSQL with trust auth, MariaDB root without a
password); override with ``POLARIS_TEST_PG_URL`` / ``POLARIS_TEST_MYSQL_URL``. A test that needs an
absent server is skipped with the reason, unless ``POLARIS_REQUIRE_SERVICES=1``, where it fails.
Every schema or database gets a unique name, so parallel runs (pytest-xdist) never collide.

Import the fixtures into a test module: ``from tests._services import mysql_url, pg_url``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

__all__ = ["mysql_url", "pg_url", "require_services", "service_unavailable"]

PG_ADMIN_URLS = (
    [os.environ["POLARIS_TEST_PG_URL"]]
    if os.environ.get("POLARIS_TEST_PG_URL")
    else ["postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test"]
)
MYSQL_ADMIN_URL = os.environ.get("POLARIS_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")


def require_services() -> bool:
    """Whether an absent server must fail the test instead of skipping it."""
    return os.environ.get("POLARIS_REQUIRE_SERVICES") == "1"


def service_unavailable(what: str, exc: BaseException) -> NoReturn:
    """Skip (or, with POLARIS_REQUIRE_SERVICES=1, fail) because ``what`` is not reachable."""
    reason = f"{what} is not reachable on 127.0.0.1: {' '.join(str(exc).split())[:200]}"
    if require_services():
        pytest.fail(f"{reason} (POLARIS_REQUIRE_SERVICES=1 requires it)")
    pytest.skip(reason)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema (first in ``search_path``), dropped after the test.

    A schema rather than a database: CREATE DATABASE costs about a second here, a schema nothing.
    """
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a test dependency
        service_unavailable("PostgreSQL (psycopg missing)", exc)
    admin = None
    admin_url = PG_ADMIN_URLS[0]
    error: BaseException | None = None
    for candidate in PG_ADMIN_URLS:
        try:
            admin = psycopg.connect(candidate, autocommit=True, connect_timeout=3)
            admin_url = candidate
            break
        except psycopg.Error as exc:
            error = exc
    if admin is None:
        service_unavailable("PostgreSQL", error or RuntimeError("no admin URL"))
    name = _unique("polaris_t")
    with admin:
        admin.execute(f'CREATE SCHEMA "{name}"'.encode())
    sep = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{sep}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as again:
            again.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'.encode())


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """URL of a fresh, empty MariaDB/MySQL database, dropped after the test."""
    try:
        import pymysql
    except ImportError as exc:  # pragma: no cover - PyMySQL is a test dependency
        service_unavailable("MariaDB (PyMySQL missing)", exc)
    parts = urlsplit(MYSQL_ADMIN_URL)
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": parts.username or "root",
        "password": parts.password or "",
    }
    try:
        admin = pymysql.connect(**params, autocommit=True, connect_timeout=3)
    except pymysql.MySQLError as exc:
        service_unavailable("MariaDB", exc)
    name = _unique("polaris_t")
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    admin.close()
    try:
        yield _with_database(MYSQL_ADMIN_URL, name)
    finally:
        again = pymysql.connect(**params, autocommit=True)
        with again.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        again.close()
