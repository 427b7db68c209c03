"""The view audit's store: each view of a conference written once, and queried by admins."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.access import ViewRecord
from bot.store.audit_models import ViewAuditRow
from bot.store.base import Store

MOST = 1000  # one answer's rows at most: a query narrows by conference, person or time


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ViewAudit(Store):
    """Writes and reads the record of who viewed which conference."""

    def record(self, user: str, role: str, conference_id: int, what: str) -> None:
        """Note one view, now."""
        with self.db.session() as session:
            session.add(
                ViewAuditRow(
                    at=self.clock(),
                    user_name=user,
                    role=role,
                    conference_id=conference_id,
                    what=what,
                )
            )

    def views(
        self,
        *,
        conference_id: int | None = None,
        user: str | None = None,
        since: datetime | None = None,
        limit: int = MOST,
    ) -> list[ViewRecord]:
        """Views, newest first, narrowed by conference, person and time."""
        query = select(ViewAuditRow).order_by(ViewAuditRow.at.desc(), ViewAuditRow.id.desc())
        if conference_id is not None:
            query = query.where(ViewAuditRow.conference_id == conference_id)
        if user:
            query = query.where(ViewAuditRow.user_name == user.strip().lower())
        if since is not None:
            query = query.where(ViewAuditRow.at >= since)
        with self.db.session() as session:
            rows = session.scalars(query.limit(min(limit, MOST))).all()
        return [
            ViewRecord(_aware(r.at), r.user_name, r.role, r.conference_id, r.what) for r in rows
        ]
