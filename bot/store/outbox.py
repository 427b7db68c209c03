"""The outbox's records: a row for every send, failure or refusal, and each message's standing.

``outbox_message`` is the log, appended to and never changed. ``outbox_delivery`` holds one
row per message, by idempotency key: ``sending`` before each attempt, then ``sent`` or
``not_sent``; it is how a retry, or a restart after a crash, knows a message may have gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database
from bot.store.models import OutboxDeliveryRow, OutboxRow

SENDING = "sending"  # an attempt began and no answer is recorded: it may still be in flight
UNCLEAR = "unclear"  # Graph answered with an error after which the mail may have gone
SENT = "sent"
NOT_SENT = "not_sent"


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


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where one message stands: sending or unclear (perhaps sent), sent, or not_sent."""

    key: str
    state: str
    attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _delivery(row: OutboxDeliveryRow) -> Delivery:
    return Delivery(
        key=row.key,
        state=row.state,
        attempts=row.attempts,
        first_attempt_at=_aware(row.first_attempt_at),
        last_attempt_at=_aware(row.last_attempt_at),
    )


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

    def delivery(self, key: str) -> Delivery | None:
        """Where the message with ``key`` stands, or None if it was never tried."""
        with self.db.session() as session:
            row = session.get(OutboxDeliveryRow, key)
            return _delivery(row) if row is not None else None

    def begin(self, key: str, *, conference_id: int | None, sender: str, purpose: str) -> Delivery:
        """Mark the message ``sending`` before an attempt, committed before it goes out."""
        now = self.clock()
        for tries in (1, 2):  # another writer may insert the row between our read and write
            try:
                with self.db.session() as session:
                    row = session.get(OutboxDeliveryRow, key)
                    if row is None:
                        row = OutboxDeliveryRow(
                            key=key,
                            conference_id=conference_id,
                            sender=sender,
                            purpose=purpose,
                            attempts=0,
                            first_attempt_at=now,
                        )
                        session.add(row)
                    row.state = SENDING
                    row.attempts = (row.attempts or 0) + 1
                    row.last_attempt_at = now
                    session.flush()
                    return _delivery(row)
            except IntegrityError:
                if tries == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def settle(self, key: str, state: str) -> None:
        """Record what the last attempt of ``key`` came to: sent, not_sent or unclear."""
        with self.db.session() as session:
            row = session.get(OutboxDeliveryRow, key)
            if row is not None:
                row.state = state

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
