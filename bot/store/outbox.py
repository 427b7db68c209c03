"""The outbox's record: one row for every message that left confbot, failed, or was refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import OutboxRow


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One outbox row as the runtime reads it back."""

    id: int
    conference_id: int | None
    channel: str
    sender: str
    purpose: str
    recipients: tuple[str, ...]
    subject: str
    state: str
    detail: str
    at: datetime


class OutboxRecords:
    """Appends and reads outbox rows; rows are never changed once written."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = database
        self.clock = clock

    def record(
        self,
        *,
        conference_id: int | None,
        channel: str,
        sender: str,
        purpose: str,
        recipients: Sequence[str],
        subject: str,
        state: str,
        detail: str = "",
    ) -> None:
        """Append the record of one send (``state``: sent, failed or refused)."""
        with self.db.session() as session:
            session.add(
                OutboxRow(
                    conference_id=conference_id,
                    channel=channel,
                    sender=sender,
                    purpose=purpose,
                    recipients=list(recipients),
                    subject=subject,
                    state=state,
                    detail=detail,
                    at=self.clock(),
                )
            )

    def messages(self, conference_id: int) -> list[SentMessage]:
        """Every record of one conference, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.conference_id == conference_id)
                .order_by(OutboxRow.id)
            ).all()
            return [
                SentMessage(
                    id=r.id,
                    conference_id=r.conference_id,
                    channel=r.channel,
                    sender=r.sender,
                    purpose=r.purpose,
                    recipients=tuple(r.recipients),
                    subject=r.subject,
                    state=r.state,
                    detail=r.detail,
                    at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                )
                for r in rows
            ]
