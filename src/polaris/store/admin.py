"""Administration of Polaris's own database: ``polaris store upgrade|status``.

Local operations on the configured database (never over HTTP): they act on the store itself,
before any server runs on it.
"""

from __future__ import annotations

from typing import Any

from polaris.settings import Settings
from polaris.store.migrate import current_revision, head_revision, pending_revisions, upgrade
from polaris.store.session import Database

__all__ = ["pending", "redact_url", "status", "upgrade_store"]


def upgrade_store(settings: Settings | None = None) -> tuple[str | None, str]:
    """Apply the shipped migrations to the configured database: ``(before, after)``."""
    settings = settings or Settings()
    db = Database(settings.resolved_database_url, pool_size=1)
    try:
        return upgrade(db)
    finally:
        db.dispose()


def pending(settings: Settings | None = None) -> dict[str, Any]:
    """What :func:`upgrade_store` would do: the current and shipped revisions, those pending."""
    settings = settings or Settings()
    db = Database(settings.resolved_database_url, pool_size=0)
    try:
        current = current_revision(db)
        return {"before": current, "pending": pending_revisions(db), "after": head_revision()}
    finally:
        db.dispose()


def status(settings: Settings | None = None) -> dict[str, Any]:
    """Where the configured database is and which schema revision it is at."""
    settings = settings or Settings()
    db = Database(settings.resolved_database_url, pool_size=0)
    try:
        current = current_revision(db)
    finally:
        db.dispose()
    return {
        "database": redact_url(settings.resolved_database_url),
        "artifacts": settings.resolved_artifact_location,
        "current": current,
        "head": head_revision(),
    }


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: it must not reach a terminal or CI log."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        rest = f"{user}:***@{rest.split('@', 1)[1]}"
    return f"{scheme}{sep}{rest}"
