"""Alembic environment: runs on the connection given by ``polaris.store.migrate.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

import polaris.access.tables
import polaris.approvals.tables
import polaris.configs.tables
import polaris.deployments.tables
import polaris.notify.tables  # noqa: F401  (notification outbox)
from polaris.recovery import tables as _recovery_tables  # noqa: F401 - registers its rows
from polaris.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the given connection, or on one built from ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():  # pragma: no cover - Polaris always migrates online
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
