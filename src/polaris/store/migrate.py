"""Apply Polaris's own schema migrations (Alembic), under a lock so concurrent servers agree.

``polaris store upgrade`` calls :func:`upgrade`; ``polaris serve`` calls it at start. The lock is a
PostgreSQL advisory lock, or an exclusive ``flock`` on ``<database>.migrate.lock`` for SQLite.
:func:`pending_revisions` (``polaris store upgrade --dry-run``) lists what ``upgrade`` would apply.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from polaris.store.session import Database

__all__ = ["current_revision", "head_revision", "pending_revisions", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x504F4C41  # "POLA"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this Polaris."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("no migrations shipped")
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending_revisions(db: Database, revision: str = "head") -> list[dict[str, str]]:
    """The revisions ``upgrade(db, revision)`` would apply, oldest first; reads only.

    Each is ``{"revision": ..., "down_revision": ..., "message": ...}``.
    """
    script = ScriptDirectory.from_config(_config())
    current = current_revision(db)
    steps = script.iterate_revisions(revision, current or "base")
    return [
        {
            "revision": sc.revision,
            "down_revision": str(sc.down_revision or ""),
            "message": (sc.doc or "").strip().splitlines()[0] if sc.doc else "",
        }
        for sc in reversed(list(steps))
    ]


@contextmanager
def _lock(db: Database, conn: Connection) -> Iterator[None]:
    if db.is_sqlite:
        path = db.url.database
        if not path or path == ":memory:":
            yield
            return
        lock_path = Path(path).with_name(Path(path).name + ".migrate.lock")
        with lock_path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
    conn.commit()
    try:
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
        conn.commit()


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Migrate ``db`` to ``revision``; return ``(before, after)`` revisions. Idempotent."""
    with db.engine.connect() as lock_conn, _lock(db, lock_conn):
        before = current_revision(db)
        with db.engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        after = current_revision(db)
    return before, after or ""
