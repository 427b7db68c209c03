"""who viewed which conference: the view audit

One row per view of a conference's page, chair console, document or API answer: who, with
which role, when, and which conference. No foreign key, so the audit outlives a conference
the retention purge removes.

Revision ID: 0010_view_audit
Revises: 0009_prompt_card_delivery
Create Date: 2026-12-06 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_view_audit"
down_revision = "0009_prompt_card_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "view_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_view_audit_conference_at", "view_audit", ["conference_id", "at"])
    op.create_index("ix_view_audit_at", "view_audit", ["at"])
    op.create_index(op.f("ix_view_audit_user_name"), "view_audit", ["user_name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_view_audit_user_name"), table_name="view_audit")
    op.drop_index("ix_view_audit_at", table_name="view_audit")
    op.drop_index("ix_view_audit_conference_at", table_name="view_audit")
    op.drop_table("view_audit")
