"""A small platform with real stores for recovery tests: SQLite, PostgreSQL, MariaDB and Redis,
their schemas applied by ``polaris schema up`` (so the tracking tables are real), seeded with data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests._recovery_stores import Stores

from polaris.artifacts.store import LocalArtifactStore
from polaris.migrations.service import SchemaService
from polaris.models.service import RegistryService
from polaris.platform.recovery_facts import RegistryFacts
from polaris.platform.releases import PlatformReleaseService
from polaris.project.databases import load_databases
from polaris.recovery.config import RecoveryConfig, load_recovery_config
from polaris.recovery.service import RecoveryService
from polaris.store.migrate import upgrade
from polaris.store.session import Database

TOML = """\
[databases.app]
dialect = "sqlite"
url_env = "APP_URL"

[databases.ledger]
dialect = "postgresql"
url_env = "LEDGER_URL"

[databases.orders]
dialect = "mysql"
url_env = "ORDERS_URL"

[recovery]
keep = 3
max_age_days = 30

[recovery.stores.cache]
kind = "redis"
url_env = "CACHE_URL"

[recovery.environments.production]

[recovery.environments.fresh]
app = "FRESH_APP_URL"
ledger = "FRESH_LEDGER_URL"
orders = "FRESH_ORDERS_URL"
cache = "FRESH_CACHE_URL"
"""

MIGRATIONS = {
    "app": [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL, raw BLOB);",
        "CREATE TABLE tags (note_id INTEGER, tag TEXT);",
    ],
    "ledger": [
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL,"
        " balance NUMERIC(12,2));",
        "CREATE TABLE entries (id SERIAL PRIMARY KEY, account_id INTEGER REFERENCES accounts(id),"
        " amount NUMERIC(12,2), meta JSONB, at TIMESTAMPTZ);",
    ],
    "orders": [
        "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(100), total DECIMAL(10,2),"
        " payload VARBINARY(64)) ENGINE=InnoDB;",
        "CREATE TABLE order_lines (order_id INT, sku VARCHAR(20), qty INT) ENGINE=InnoDB;",
    ],
}


def _migration(directory: Path, number: int, up: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{number:03d}_m{number}.sql").write_text(
        f"-- Migration: {number:03d}\n-- Description: migration {number}\n-- Dependencies: none\n"
        f"-- Up Migration:\n{up}\n-- Down Migration (Rollback):\nSELECT 1;\n",
        encoding="utf-8",
    )


@dataclass
class Platform:
    """The project, its source and fresh target URLs, and a recovery service over a store."""

    root: Path
    environ: dict[str, str]
    config: RecoveryConfig
    service: RecoveryService
    registry: RegistryService
    artifacts: LocalArtifactStore
    db: Database

    def url(self, var: str) -> str:
        """A URL by variable name."""
        return self.environ[var]


def seed(environ: dict[str, str]) -> None:
    """Rows with NULLs, unicode, binary, decimals, JSON; Redis keys of every type, one with TTL."""
    import sqlite3
    from contextlib import closing

    import psycopg
    import pymysql
    import redis

    path = environ["APP_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, ?)",
            [(1, "héllo ✓", 1.5, b"\x00\xff"), (2, None, None, None), (3, "x" * 300, -2.0, b"")],
        )
        conn.executemany("INSERT INTO tags VALUES (?, ?)", [(1, "a"), (1, "b"), (3, "c")])
    with psycopg.connect(environ["LEDGER_URL"]) as conn:
        conn.execute("INSERT INTO accounts VALUES (1, 'ana', 10.50), (2, 'bo''b', NULL)")
        conn.execute(
            "INSERT INTO entries (account_id, amount, meta, at) VALUES "
            "(1, 3.25, '{\"k\": [1, 2]}', '2026-12-01T10:00:00Z'), (2, -1.00, NULL, NULL)"
        )
    p = environ["ORDERS_URL"].split("/")
    conn2 = pymysql.connect(
        host="127.0.0.1", user="root", database=p[-1], autocommit=True, ssl_disabled=True
    )
    with conn2, conn2.cursor() as cur:
        cur.executemany(
            "INSERT INTO orders VALUES (%s, %s, %s, %s)",
            [(1, "Zoë", "19.99", b"\x01\x02\x00"), (2, None, None, None)],
        )
        cur.executemany(
            "INSERT INTO order_lines VALUES (%s, %s, %s)", [(1, "A-1", 2), (1, "B-2", 1)]
        )
    r = redis.Redis.from_url(environ["CACHE_URL"])
    r.set("greeting", "héllo")
    r.set("bin", b"\x00\xff\x10")
    r.hset("user:1", mapping={"name": "ana", "age": "31"})
    r.rpush("queue", "a", "b", "a")
    r.sadd("set", "x", "y")
    r.zadd("board", {"ana": 3.5, "bob": 1})
    r.set("session", "s1", ex=3600)


@dataclass(frozen=True)
class Sources:
    """The project and its seeded source stores (shared by a module's tests; never written)."""

    root: Path
    environ: dict[str, str]


def make_sources(tmp_path: Path, stores: Stores) -> Sources:
    """Create the source stores, apply the schemas with ``polaris schema up``, seed the data."""
    root = tmp_path / "platform"
    root.mkdir()
    (root / "polaris.toml").write_text(TOML, encoding="utf-8")
    for name, ups in MIGRATIONS.items():
        for i, up in enumerate(ups, start=1):
            _migration(root / "migrations" / name, i, up)
    environ = {
        "APP_URL": f"sqlite:///{root / 'app.db'}",
        "LEDGER_URL": stores.postgres(),
        "ORDERS_URL": stores.mysql(),
        "CACHE_URL": stores.redis(db=3),
    }
    schema = SchemaService(load_databases(root / "polaris.toml"), environ=environ, actor="test")
    for name in MIGRATIONS:
        schema.up(name)
    seed(environ)
    return Sources(root, environ)


def make_platform(tmp_path: Path, stores: Stores, sources: Sources) -> Platform:
    """Fresh (empty) targets, a Polaris store and artifact store of its own, the service."""
    environ = {
        **sources.environ,
        "FRESH_APP_URL": f"sqlite:///{tmp_path / 'fresh' / 'app.db'}",
        "FRESH_LEDGER_URL": stores.postgres(),
        "FRESH_ORDERS_URL": stores.mysql(),
        "FRESH_CACHE_URL": stores.redis(db=5),
    }
    db = Database(f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}", pool_size=0)
    upgrade(db)
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    registry = RegistryService(db, artifacts)
    service = RecoveryService(
        db, artifacts, RegistryFacts(registry, PlatformReleaseService(db)), environ=environ
    )
    config = load_recovery_config(sources.root / "polaris.toml")
    return Platform(sources.root, environ, config, service, registry, artifacts, db)


def blob_path(p: Platform, sha: str) -> Path:
    """Where a blob lives on disk."""
    return p.artifacts.path(sha)


def everything(p: Platform, prefix: str) -> dict[str, Any]:
    """Every row of every table and every Redis key of one environment (``""`` or ``FRESH_``)."""
    from tests._recovery_stores import mysql_rows, pg_rows, redis_items, sqlite_rows

    app = p.url(f"{prefix}APP_URL").removeprefix("sqlite:///")
    return {
        "notes": sqlite_rows(app, "notes"),
        "tags": sqlite_rows(app, "tags"),
        "accounts": pg_rows(p.url(f"{prefix}LEDGER_URL"), "accounts"),
        "entries": pg_rows(p.url(f"{prefix}LEDGER_URL"), "entries"),
        "orders": mysql_rows(p.url(f"{prefix}ORDERS_URL"), "orders"),
        "lines": mysql_rows(p.url(f"{prefix}ORDERS_URL"), "order_lines"),
        "cache": redis_items(p.url(f"{prefix}CACHE_URL")),
    }
