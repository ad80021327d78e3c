"""stage events by stage: "was this model ever in production?" is an index lookup

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 06:55:00.000000

Every promotion asks whether the model ever had a production version. With only the
``(model_pk, at)`` index that walked the model's whole stage history, a cost that grows with every
stage change; ``(model_pk, to_stage)`` answers it directly.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.create_index("ix_stage_events_model_stage", ["model_pk", "to_stage"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_events_model_stage")
