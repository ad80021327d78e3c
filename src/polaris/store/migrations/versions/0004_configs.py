"""configs: configuration versions per environment and the expected one (seed 7.1)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "config_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(length=100), nullable=False),
        sa.Column("platform_version", sa.String(length=100), nullable=False),
        sa.Column("hash", sa.String(length=12), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_versions")),
        sa.UniqueConstraint("environment", "digest", name="uq_config_versions_env_digest"),
    )
    op.create_index("ix_config_versions_hash", "config_versions", ["hash"])
    op.create_index("ix_config_versions_env_page", "config_versions", ["environment", "id"])
    op.create_table(
        "config_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(length=100), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_environment", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_pk"],
            ["config_versions.id"],
            name=op.f("fk_config_deployments_version_pk_config_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_deployments")),
    )
    op.create_index("ix_config_deployments_env_page", "config_deployments", ["environment", "id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("config_deployments")
    op.drop_index("ix_config_versions_env_page", table_name="config_versions")
    op.drop_index("ix_config_versions_hash", table_name="config_versions")
    op.drop_table("config_versions")
