"""playbooks per conference, request mailboxes, and the outbox's record of every send

Revision ID: 0004_runtime_by_use_case
Revises: 0003
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_runtime_by_use_case"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playbook_version",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("conference") as batch:
        batch.add_column(sa.Column("playbook_version", sa.String(64), nullable=True))
        batch.add_column(sa.Column("mailbox", sa.String(320), nullable=True))
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conference_id", sa.Integer, sa.ForeignKey("conference.id"), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("purpose", sa.String(256), nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_conference_purpose", "outbox_message", ["conference_id", "purpose"])


def downgrade() -> None:
    op.drop_index("ix_outbox_conference_purpose", table_name="outbox_message")
    op.drop_table("outbox_message")
    with op.batch_alter_table("conference") as batch:
        batch.drop_column("mailbox")
        batch.drop_column("playbook_version")
    op.drop_table("playbook_version")
