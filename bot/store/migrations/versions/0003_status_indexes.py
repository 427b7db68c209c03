"""status page indexes: failed actions by kind, steps by conference, list filters

Revision ID: 0003
Revises: 0002_conversation_reference
Create Date: 2026-11-23 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002_conversation_reference"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The overview's failed-actions list reads timeline lines by kind, newest first.
    op.create_index("ix_timeline_kind_at", "timeline_entry", ["kind", "at"])
    # "Has this step succeeded since it failed?" and the detail page's done steps.
    op.create_index("ix_timeline_conference_step", "timeline_entry", ["conference_id", "step_id"])
    # The conferences list filters by type and playbook, soonest first.
    op.create_index("ix_conference_type_start", "conference", ["conference_type", "start_at"])
    op.create_index("ix_conference_playbook", "conference", ["playbook"])


def downgrade() -> None:
    op.drop_index("ix_conference_playbook", table_name="conference")
    op.drop_index("ix_conference_type_start", table_name="conference")
    op.drop_index("ix_timeline_conference_step", table_name="timeline_entry")
    op.drop_index("ix_timeline_kind_at", table_name="timeline_entry")
