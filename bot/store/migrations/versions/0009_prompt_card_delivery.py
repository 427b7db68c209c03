"""where each Teams prompt card's delivery stands

``teams_prompt_card`` had a row only once Teams had answered with the card's activity id.
Now a row is written as ``sending`` before each attempt and becomes ``sent`` with the id, so
an attempt whose outcome was never learnt (a timeout, a 5xx, a crash) is known: sending it
again may show the chair the card twice, and that is counted on the status page. Rows
already held were sent.

Revision ID: 0009_prompt_card_delivery
Revises: 0008_sessions
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_prompt_card_delivery"
down_revision = "0008_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams_prompt_card") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="sent"))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    op.execute("DELETE FROM teams_prompt_card WHERE state != 'sent'")
    with op.batch_alter_table("teams_prompt_card") as batch:
        batch.drop_column("attempts")
        batch.drop_column("state")
