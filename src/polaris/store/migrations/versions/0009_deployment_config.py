"""deployments: the configuration hash each deployment used (issue 14)

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-06 06:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(sa.Column("config_hash", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("config_hash")
