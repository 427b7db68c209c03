"""triage keeps what was read: the draft request, its problems and sources; threshold items

A triage item now holds the draft the reader filled (children, people, dates) and the
problems by field, so the triage page can show it pre-filled; ``kind`` tells a broken
request ("request") from a social worker's request for a threshold discussion
("threshold"), which carries the ``summary`` the duty chair reads, and ``notified_at``
once the duty chair has been emailed about it (so a replayed email never mails them twice).

Revision ID: 0006_triage_draft
Revises: 0005_child_record
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_triage_draft"
down_revision = "0005_child_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triage_item") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="request"))
        batch.add_column(sa.Column("draft", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("problems", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("triage_item") as batch:
        for column in ("notified_at", "summary", "sources", "problems", "draft", "kind"):
            batch.drop_column(column)
