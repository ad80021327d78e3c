"""deployments: deployments, their timeline and samples, bad releases (seed 10.1)

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-06 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(length=100), nullable=False),
        sa.Column("release", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("env_config", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.Column("analysing_since", tz, nullable=True),
        sa.Column("finished_at", tz, nullable=True),
        sa.Column("rollback_of", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("deployer_state", sa.JSON(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("lease_holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", tz, nullable=True),
        sa.Column("scale_down_at", tz, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    op.create_index("ix_deployments_env_state", "deployments", ["environment", "state"])
    op.create_index("ix_deployments_state", "deployments", ["state"])
    op.create_table(
        "deployment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_pk", sa.Integer(), nullable=False),
        sa.Column("at", tz, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_pk"],
            ["deployments.id"],
            name=op.f("fk_deployment_events_deployment_pk_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_events")),
    )
    op.create_index("ix_deployment_events_deployment", "deployment_events", ["deployment_pk", "id"])
    op.create_table(
        "deployment_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_pk", sa.Integer(), nullable=False),
        sa.Column("at", tz, nullable=False),
        sa.Column("error_rate", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("probe_ok", sa.Boolean(), nullable=True),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_pk"],
            ["deployments.id"],
            name=op.f("fk_deployment_samples_deployment_pk_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_samples")),
    )
    op.create_index(
        "ix_deployment_samples_deployment", "deployment_samples", ["deployment_pk", "id"]
    )
    op.create_table(
        "bad_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=200), nullable=False),
        sa.Column("marked_at", tz, nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bad_releases")),
        sa.UniqueConstraint("release", name=op.f("uq_bad_releases_release")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("bad_releases")
    op.drop_table("deployment_samples")
    op.drop_table("deployment_events")
    op.drop_table("deployments")
