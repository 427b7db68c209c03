"""Teams conversation references and prompt cards

Revision ID: 0002_conversation_reference
Revises: 0001
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_conversation_reference"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=True),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    with op.batch_alter_table("conversation_reference", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_reference_user_key"), ["user_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_reference_conference_id"), ["conference_id"], unique=False
        )
    op.create_table(
        "teams_prompt_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("activity_id", sa.String(length=512), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conference_id", "prompt_id"),
    )
    with op.batch_alter_table("teams_prompt_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teams_prompt_card_conference_id"), ["conference_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_prompt_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_prompt_card_conference_id"))
    op.drop_table("teams_prompt_card")
    with op.batch_alter_table("conversation_reference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_reference_conference_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_reference_user_key"))
    op.drop_table("conversation_reference")
