"""The view audit: who looked at which conference, and when. No content, no family's details.

It names no foreign key: the record of a view must outlive the conference it audits, which
the retention purge may remove first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base


class ViewAuditRow(Base):
    """One view of a conference's page, console, document or API answer."""

    __tablename__ = "view_audit"
    __table_args__ = (
        Index("ix_view_audit_conference_at", "conference_id", "at"),
        Index("ix_view_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    user_name: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    conference_id: Mapped[int] = mapped_column(Integer)
    # page | console | document | api | events | subject_access
    what: Mapped[str] = mapped_column(String(32))
