"""What the Teams adapter persists: conversation references and the cards it has sent.

The runtime backs this with the database (``bot.store.conversations``); a reference in
memory would be lost on restart, and then Teams could not reach the chair at all.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.core.cards import CardDelivery


class ConversationStore(Protocol):
    """Conversation references (as the SDK serialises them) and sent-card ids."""

    async def save_conversation(
        self,
        conversation_id: str,
        reference: dict[str, Any],
        *,
        user_key: str | None = None,
        conference_id: int | None = None,
    ) -> None:
        """Insert or update; a None ``user_key`` or ``conference_id`` keeps the stored one."""

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The stored reference for a conversation."""

    async def conference_of(self, conversation_id: str) -> int | None:
        """The conference a conversation is linked to, if any."""

    async def conversation_for_conference(self, conference_id: int) -> dict[str, Any] | None:
        """The most recent meeting-chat reference linked to a conference."""

    async def conversation_for_user(self, user_key: str) -> dict[str, Any] | None:
        """The most recent personal-chat reference for a user (their Entra object id)."""

    async def save_card(
        self, conference_id: int, prompt_id: str, conversation_id: str, activity_id: str
    ) -> None:
        """Remember where a prompt's card was sent, so it can be updated once answered."""

    async def card(self, conference_id: int, prompt_id: str) -> tuple[str, str] | None:
        """(conversation id, activity id) of a prompt's card, if one was sent."""

    async def card_delivery(self, conference_id: int, prompt_id: str) -> CardDelivery | None:
        """Where a prompt's card stands: never tried (None), being sent, or sent."""

    async def begin_card(self, conference_id: int, prompt_id: str, conversation_id: str) -> None:
        """Mark the card ``sending`` before an attempt, counting the attempt."""

    async def drop_card(self, conference_id: int, prompt_id: str) -> None:
        """Forget an attempt Teams refused outright: the card certainly was not shown."""


class ConferenceLookup(Protocol):
    """Finds the conference a Teams meeting belongs to."""

    async def conference_for_meeting(
        self, join_url: str | None, conversation_id: str
    ) -> int | None:
        """The conference whose Teams meeting this is, from its join URL or chat thread."""
