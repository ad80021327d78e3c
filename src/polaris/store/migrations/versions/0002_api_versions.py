"""api versions: the lifecycle of HTTP API versions (seed 5.1.2, 5.1.3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "apis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("retirement_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apis")),
        sa.UniqueConstraint("name", name=op.f("uq_apis_name")),
    )
    op.create_table(
        "api_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("introduced", sa.Date(), nullable=True),
        sa.Column("deprecated_on", sa.Date(), nullable=True),
        sa.Column("retires_on", sa.Date(), nullable=True),
        sa.Column("planned_release", sa.Date(), nullable=True),
        sa.Column("breaking_changes", sa.JSON(), nullable=False),
        sa.Column("migration_guide", sa.Text(), nullable=True),
        sa.Column("sunset_link", sa.Text(), nullable=True),
        sa.Column("replacement", sa.String(length=50), nullable=True),
        sa.Column("compatible_clients", sa.JSON(), nullable=False),
        sa.Column("backward_compatible_with", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_pk"], ["apis.id"], name=op.f("fk_api_versions_api_pk_apis"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_versions")),
        sa.UniqueConstraint("api_pk", "version", name="uq_api_versions_api_version"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("api_versions")
    op.drop_table("apis")
