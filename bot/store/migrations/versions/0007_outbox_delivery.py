"""the outbox's exactly-once record: one row per message, by its idempotency key

``outbox_delivery`` says where each message stands: ``sending`` (written before every
attempt, so a crash or a lost answer leaves it), ``unclear`` (an error answer after which it
may have gone), ``sent`` or ``not_sent``. The outbox asks the sending mailbox's Drafts and
Sent Items for such a message's key before it sends it again, so a retry never repeats an
email that went.

Revision ID: 0007_outbox_delivery
Revises: 0006_triage_draft
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_delivery"
down_revision = "0006_triage_draft"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_delivery",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("conference_id", sa.Integer, sa.ForeignKey("conference.id"), nullable=True),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("purpose", sa.String(256), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_delivery")
