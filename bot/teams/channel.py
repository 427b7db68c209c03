"""The Teams PromptChannel: proactive Adaptive Cards to the chair's personal chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.core.errors import RemoteServiceError
from bot.core.runsheet.model import Prompt
from bot.runtime.prompt_channel import ChairUnreachable, PromptChannelError
from bot.teams.agent import TeamsBot
from bot.teams.cards import CARD_CONTENT_TYPE, answered_card, prompt_card

logger = logging.getLogger(__name__)

_Method = Callable[["TeamsPromptChannel", int, str, Prompt], Coroutine[Any, Any, None]]


def _sdk_errors(func: _Method) -> _Method:
    """Turn anything the SDK or the network raises into a PromptChannelError, at the edge."""

    @wraps(func)
    async def wrapper(
        channel: TeamsPromptChannel, conference_id: int, chair: str, prompt: Prompt
    ) -> None:
        try:
            await func(channel, conference_id, chair, prompt)
        except PromptChannelError:
            raise
        except Exception as err:
            raise PromptChannelError(conference_id, prompt.id, type(err).__name__) from err

    return wrapper


# The chair's Entra object id from their address: Teams knows people by id, conferences by
# address. bot.app gives the Graph gateway's directory lookup.
ChairResolver = Callable[[str], Awaitable[str]]


class TeamsPromptChannel:
    """Sends each prompt once as a card, and replaces the card when the prompt is answered."""

    def __init__(self, bot: TeamsBot, resolve: ChairResolver | None = None) -> None:
        self.bot = bot
        self.store = bot.store
        self.resolve = resolve
        self._ids: dict[str, str] = {}

    async def _user(self, chair: str, conference_id: int, prompt_id: str) -> str:
        """The chair as Teams knows them: an address is looked up once, then remembered."""
        if "@" not in chair or self.resolve is None:
            return chair
        if chair not in self._ids:
            try:
                self._ids[chair] = await self.resolve(chair)
            except RemoteServiceError as err:
                raise ChairUnreachable(conference_id, prompt_id) from err
        return self._ids[chair]

    @_sdk_errors
    async def send_prompt(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Post the prompt's card to the chair's personal chat; a second send does nothing."""
        if await self.store.card(conference_id, prompt.id) is not None:
            return
        user = await self._user(chair, conference_id, prompt.id)
        reference = await self.store.conversation_for_user(user)
        if reference is None:
            raise ChairUnreachable(conference_id, prompt.id)
        conversation = self.bot.conversation_of(reference)
        conversation_id = conversation.conversation_reference.conversation.id
        activity = Activity(
            type=ActivityTypes.message,
            summary=prompt.text[:120],
            attachments=[
                Attachment(
                    content_type=CARD_CONTENT_TYPE, content=prompt_card(conference_id, prompt)
                )
            ],
        )
        sent = await self.bot.app.proactive.send_activity(self.bot.adapter, conversation, activity)
        await self.store.save_card(
            conference_id, prompt.id, conversation_id, (sent.id if sent else None) or ""
        )
        # Typed "next" or "status" in this chat now means this conference.
        await self.store.save_conversation(conversation_id, reference, conference_id=conference_id)
        logger.info(
            "prompt sent to Teams", extra={"conference_id": conference_id, "step_id": prompt.id}
        )

    @_sdk_errors
    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Replace the prompt's card with its answered state, wherever it was answered."""
        sent = await self.store.card(conference_id, prompt.id)
        if sent is None or not sent[1]:
            return
        conversation_id, activity_id = sent
        reference = await self.store.conversation(conversation_id)
        if reference is None:
            return
        conversation = self.bot.conversation_of(reference)
        update = Activity(
            type=ActivityTypes.message,
            id=activity_id,
            attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=answered_card(prompt))],
        )

        async def replace_card(context: TurnContext) -> None:
            update.conversation = context.activity.conversation
            await context.update_activity(update)

        await self.bot.adapter.continue_conversation_with_claims(
            Conversation.identity_from_claims(conversation.claims),
            conversation.conversation_reference.get_continuation_activity(),
            replace_card,
        )
