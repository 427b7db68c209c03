"""Teams conversation references and prompt cards in the database (``ConversationStore``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.cards import SENDING, SENT, CardDelivery
from bot.store.database import Database
from bot.store.teams_models import ConversationReferenceRow, PromptCardRow


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationRepository:
    """Where Teams can reach each chair and meeting chat; async so the bot never blocks."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = database
        self._clock = clock

    async def save_conversation(
        self,
        conversation_id: str,
        reference: dict[str, Any],
        *,
        user_key: str | None = None,
        conference_id: int | None = None,
    ) -> None:
        """Insert or update; a None ``user_key`` or ``conference_id`` keeps the stored one."""
        await asyncio.to_thread(
            self._save_conversation, conversation_id, reference, user_key, conference_id
        )

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The stored reference for a conversation."""
        row = await asyncio.to_thread(self._row, conversation_id)
        return None if row is None else row.reference

    async def conference_of(self, conversation_id: str) -> int | None:
        """The conference a conversation is linked to, if any."""
        row = await asyncio.to_thread(self._row, conversation_id)
        return None if row is None else row.conference_id

    async def conversation_for_conference(self, conference_id: int) -> dict[str, Any] | None:
        """The most recent meeting-chat reference linked to a conference."""
        return await asyncio.to_thread(
            self._latest, ConversationReferenceRow.conference_id == conference_id, True
        )

    async def conversation_for_user(self, user_key: str) -> dict[str, Any] | None:
        """The most recent personal-chat reference for a user (their Entra object id)."""
        return await asyncio.to_thread(
            self._latest, ConversationReferenceRow.user_key == user_key, False
        )

    async def save_card(
        self, conference_id: int, prompt_id: str, conversation_id: str, activity_id: str
    ) -> None:
        """Remember where a prompt's card was sent, so it can be updated once answered."""
        await asyncio.to_thread(
            self._save_card, conference_id, prompt_id, conversation_id, activity_id
        )

    async def card(self, conference_id: int, prompt_id: str) -> tuple[str, str] | None:
        """(conversation id, activity id) of a prompt's card, if one was sent."""
        known = await self.card_delivery(conference_id, prompt_id)
        if known is None or known.state != SENT:
            return None
        return known.conversation_id, known.activity_id

    async def card_delivery(self, conference_id: int, prompt_id: str) -> CardDelivery | None:
        """Where a prompt's card stands: never tried (None), being sent, or sent."""
        return await asyncio.to_thread(self._card, conference_id, prompt_id)

    async def begin_card(self, conference_id: int, prompt_id: str, conversation_id: str) -> None:
        """Mark the card ``sending`` before an attempt, counting the attempt."""
        await asyncio.to_thread(self._begin_card, conference_id, prompt_id, conversation_id)

    async def drop_card(self, conference_id: int, prompt_id: str) -> None:
        """Forget an attempt Teams refused outright: the card certainly was not shown."""
        await asyncio.to_thread(self._drop_card, conference_id, prompt_id)

    # -- blocking work, run in a thread -------------------------------------------------------

    def _row(self, conversation_id: str) -> ConversationReferenceRow | None:
        with self.db.session() as session:
            return session.scalar(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.conversation_id == conversation_id
                )
            )

    def _save_conversation(
        self,
        conversation_id: str,
        reference: dict[str, Any],
        user_key: str | None,
        conference_id: int | None,
    ) -> None:
        for _ in range(2):  # a racing first insert from another replica: update instead
            try:
                with self.db.session() as session:
                    row = session.scalar(
                        select(ConversationReferenceRow).where(
                            ConversationReferenceRow.conversation_id == conversation_id
                        )
                    )
                    if row is None:
                        row = ConversationReferenceRow(
                            conversation_id=conversation_id, reference=reference
                        )
                        session.add(row)
                    row.reference = reference
                    row.updated_at = self._clock()
                    if user_key is not None:
                        row.user_key = user_key
                    if conference_id is not None:
                        row.conference_id = conference_id
                return
            except IntegrityError:
                continue

    def _latest(self, condition: Any, meeting: bool) -> dict[str, Any] | None:
        with self.db.session() as session:
            rows = session.scalars(
                select(ConversationReferenceRow)
                .where(condition)
                .order_by(ConversationReferenceRow.updated_at.desc(), ConversationReferenceRow.id)
            ).all()
        for row in rows:
            # A meeting chat has no user key; a personal chat has one.
            if (row.user_key is None) == meeting:
                return row.reference
        return None

    @staticmethod
    def _card_row(session: Session, conference_id: int, prompt_id: str) -> PromptCardRow | None:
        return session.scalar(
            select(PromptCardRow)
            .where(PromptCardRow.conference_id == conference_id)
            .where(PromptCardRow.prompt_id == prompt_id)
        )

    def _save_card(
        self, conference_id: int, prompt_id: str, conversation_id: str, activity_id: str
    ) -> None:
        with self.db.session() as session:
            row = self._card_row(session, conference_id, prompt_id)
            if row is None:
                row = PromptCardRow(conference_id=conference_id, prompt_id=prompt_id, attempts=1)
                session.add(row)
            row.conversation_id = conversation_id
            row.activity_id = activity_id
            row.sent_at = self._clock()
            row.state = SENT

    def _begin_card(self, conference_id: int, prompt_id: str, conversation_id: str) -> None:
        with self.db.session() as session:
            row = self._card_row(session, conference_id, prompt_id)
            if row is None:
                row = PromptCardRow(conference_id=conference_id, prompt_id=prompt_id, attempts=0)
                session.add(row)
            row.conversation_id = conversation_id
            row.activity_id = ""
            row.sent_at = self._clock()
            row.state = SENDING
            row.attempts = (row.attempts or 0) + 1

    def _drop_card(self, conference_id: int, prompt_id: str) -> None:
        with self.db.session() as session:
            row = self._card_row(session, conference_id, prompt_id)
            if row is not None and row.state == SENDING:
                session.delete(row)

    def _card(self, conference_id: int, prompt_id: str) -> CardDelivery | None:
        with self.db.session() as session:
            row = self._card_row(session, conference_id, prompt_id)
            if row is None:
                return None
            return CardDelivery(row.state, row.conversation_id, row.activity_id, row.attempts)
