"""server-side web sessions, one-time sign-in codes and per-user API tokens

A browser's cookie now carries only a random id; ``web_session`` holds its SHA-256 with who
it signs in and until when, so signing out or an admin's revocation ends it at once.
``sign_in_code`` holds the codes of the links printed at start (single use, minutes long),
which replace the admin token in that link. ``api_token`` holds each script's token by its
hash, with the person it acts for and whether it has been revoked.

Revision ID: 0008_sessions
Revises: 0007_outbox_delivery
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sessions"
down_revision = "0007_outbox_delivery"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
    )
    op.create_index("ix_web_session_user_name", "web_session", ["user_name"])
    op.create_index("ix_web_session_expires_at", "web_session", ["expires_at"])
    op.create_table(
        "sign_in_code",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_name", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
    )
    op.create_index("ix_api_token_user_name", "api_token", ["user_name"])


def downgrade() -> None:
    op.drop_index("ix_api_token_user_name", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("sign_in_code")
    op.drop_index("ix_web_session_expires_at", table_name="web_session")
    op.drop_index("ix_web_session_user_name", table_name="web_session")
    op.drop_table("web_session")
