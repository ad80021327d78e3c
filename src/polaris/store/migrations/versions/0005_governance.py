"""governance: users, approval requests and reviews, checklists, release stages, notification outbox

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("subject_kind", sa.String(length=50), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("declared_level", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("level_reason", sa.Text(), nullable=False),
        sa.Column("impact", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("overridden_by", sa.String(length=200), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("review_after", sa.Boolean(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
        sa.UniqueConstraint("key", name=op.f("uq_approval_requests_key")),
    )
    op.create_index("ix_approval_requests_state", "approval_requests", ["state"], unique=False)
    op.create_index(
        "ix_approval_requests_subject",
        "approval_requests",
        ["subject_kind", "subject_name", "version"],
        unique=False,
    )
    op.create_table(
        "approval_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_pk", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _at("at"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("dismissed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_pk"],
            ["approval_requests.id"],
            name=op.f("fk_approval_reviews_request_pk_approval_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_reviews")),
        sa.UniqueConstraint(
            "request_pk", "reviewer", "revision", name="uq_approval_reviews_request_reviewer"
        ),
    )
    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=200), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("ticked_by", sa.String(length=200), nullable=True),
        _at("ticked_at", nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("release", "item_key", name="uq_checklist_items_release_item"),
    )
    op.create_table(
        "release_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_stages")),
    )
    op.create_index("ix_release_stages_release", "release_stages", ["release", "id"], unique=False)
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _at("created_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_at"),
        _at("sent_at", nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
    )
    op.create_index("ix_notify_outbox_due", "notify_outbox", ["sent_at", "next_at"], unique=False)
    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_pk", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=False),
        _at("at"),
        sa.ForeignKeyConstraint(
            ["outbox_pk"],
            ["notify_outbox.id"],
            name=op.f("fk_notify_deliveries_outbox_pk_notify_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
    )
    op.create_index("ix_notify_deliveries_outbox", "notify_deliveries", ["outbox_pk"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for table in (
        "notify_deliveries",
        "notify_outbox",
        "release_stages",
        "checklist_items",
        "approval_reviews",
        "approval_requests",
        "users",
    ):
        op.drop_table(table)
