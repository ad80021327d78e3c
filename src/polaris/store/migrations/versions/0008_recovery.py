"""recovery points: one row per point, its manifest in the artifact store

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-06 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "recovery_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("environment", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("release", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_points")),
        sa.UniqueConstraint("name", name=op.f("uq_recovery_points_name")),
    )
    with op.batch_alter_table("recovery_points", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recovery_points_env_created", ["environment", "created_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("recovery_points")
