"""Server settings from ``POLARIS_*`` environment variables (pydantic-settings).

=============================  ===========================================================
``POLARIS_HOME``               data directory (default: the platform's user data directory)
``POLARIS_DATABASE_URL``       SQLAlchemy URL; default SQLite ``$POLARIS_HOME/polaris.db``;
                               PostgreSQL as ``postgresql+psycopg://user@host/db``
``POLARIS_DB_POOL_SIZE``       connection pool size (seed 7.1.1 ``connection_pool_size``: 20)
``POLARIS_ARTIFACT_URL``       artifact store: a directory or fsspec URL (``s3://bucket/x``);
                               default ``$POLARIS_HOME/artifacts``
``POLARIS_ANONYMOUS_READ``     let requests without a token read (``--demo`` turns it on)
``POLARIS_METRICS_ENABLED``    serve Prometheus ``/metrics`` (seed 7.1.1 ``monitoring``)
``POLARIS_AUTO_MIGRATE``       apply schema migrations at server start (default on)
``POLARIS_URL``/``POLARIS_TOKEN`` where the CLI sends requests, and with which token
``POLARIS_GOVERNANCE_DIR``     approval-matrix.yml, release_schedule.yml, notifications.yml
``POLARIS_GOVERNANCE_GATE``    production promotions need an approved request
``POLARIS_PROJECT``            the platform's ``polaris.toml`` (or its directory) the server acts
                               on: stores backed up by recovery points
=============================  ===========================================================

Nothing is read at import time: :func:`get_settings` builds and caches one instance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Settings of ``polaris serve`` and of the CLI's store access."""

    model_config = SettingsConfigDict(env_prefix="POLARIS_", extra="ignore", frozen=True)

    home: Path | None = None
    database_url: str | None = None
    db_pool_size: int = Field(default=20, ge=1, le=500)
    artifact_url: str | None = None
    anonymous_read: bool = False
    metrics_enabled: bool = True
    auto_migrate: bool = True
    demo: bool = False
    url: str | None = None
    token: SecretStr | None = None
    #: compatibility.yml the server checks platform releases against (the dashboard matrix).
    compat_file: Path | None = None
    #: Directory of approval-matrix.yml, release_schedule.yml, notifications.yml (default: the
    #: platform repository around the working directory).
    governance_dir: Path | None = None
    #: Production promotions need an approved request (the approval matrix) instead of an
    #: approver-role token alone.
    governance_gate: bool = False
    #: The platform repository (or its polaris.toml) the server acts on: [environments.*] for
    #: deployments, [recovery] for recovery points.
    project: Path | None = None
    #: Run the deployment watcher (health analysis, automatic rollback) inside ``polaris serve``.
    watcher: bool = True

    @property
    def data_dir(self) -> Path:
        """``$POLARIS_HOME`` or the platform's user data directory."""
        if self.home is not None:
            return self.home
        return Path(platformdirs.user_data_dir("polaris", appauthor=False))

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+pysqlite:///{self.data_dir / 'polaris.db'}"

    @property
    def resolved_artifact_location(self) -> str:
        """The artifact store location, defaulting to ``artifacts/`` in the data directory."""
        return self.artifact_url or str(self.data_dir / "artifacts")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
