"""The Teams PromptChannel: proactive Adaptive Cards to the chair's personal chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.core.cards import PROMPT_DUPLICATE_KIND, SENDING, SENT
from bot.core.errors import RemoteServiceError
from bot.core.runsheet.model import Prompt
from bot.runtime.prompt_channel import ChairUnreachable, PromptChannelError
from bot.teams.agent import TeamsBot
from bot.teams.cards import CARD_CONTENT_TYPE, answered_card, prompt_card

logger = logging.getLogger(__name__)

_Method = Callable[["TeamsPromptChannel", int, str, Prompt], Coroutine[Any, Any, None]]


def refused(err: BaseException) -> bool:
    """Whether Teams turned the request down itself, so nothing was shown (a 4xx but 408/429)."""
    status = getattr(err, "status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (408, 429)


def _reason(err: BaseException) -> str:
    status = getattr(err, "status", None)
    if isinstance(status, int) and status:
        return f"Teams answered {status}"
    return f"no answer from Teams ({type(err).__name__})"


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
            raise PromptChannelError(
                conference_id, prompt.id, _reason(err), unclear=not refused(err)
            ) from err

    return wrapper


# A line for the conference's timeline: (conference id, kind, step id, detail).
Note = Callable[[int, str, str, dict[str, object]], None]


# The chair's Entra object id from their address: Teams knows people by id, conferences by
# address. bot.app gives the Graph gateway's directory lookup.
ChairResolver = Callable[[str], Awaitable[str]]


class TeamsPromptChannel:
    """Sends each prompt once as a card, and replaces the card when the prompt is answered."""

    def __init__(
        self, bot: TeamsBot, resolve: ChairResolver | None = None, note: Note | None = None
    ) -> None:
        self.bot = bot
        self.store = bot.store
        self.resolve = resolve
        self.note = note
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
        """Post the prompt's card to the chair's personal chat, once.

        A card already shown is brought up to date in place (the same activity), never
        posted again. A card whose last attempt's outcome was never learnt (a timeout, a
        5xx, a crash mid-send) may be on the chair's screen already: Teams cannot be asked,
        so it is posted again and the possible duplicate goes on the timeline.
        """
        known = await self.store.card_delivery(conference_id, prompt.id)
        if known is not None and known.state == SENT:
            if known.activity_id:
                card = prompt_card(conference_id, prompt)
                await self._replace(known.conversation_id, known.activity_id, card)
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
        await self.store.begin_card(conference_id, prompt.id, conversation_id)
        try:
            sent = await self.bot.app.proactive.send_activity(
                self.bot.adapter, conversation, activity
            )
        except Exception as err:
            if refused(err):  # certainly not shown: the next attempt is not a duplicate
                await self.store.drop_card(conference_id, prompt.id)
            raise
        await self.store.save_card(
            conference_id, prompt.id, conversation_id, (sent.id if sent else None) or ""
        )
        if known is not None and known.state == SENDING:
            self._possible_duplicate(conference_id, prompt, known.attempts + 1)
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
        await self._replace(conversation_id, activity_id, answered_card(prompt, conference_id))

    def _possible_duplicate(self, conference_id: int, prompt: Prompt, attempt: int) -> None:
        logger.warning(
            "prompt sent again after an unclear attempt; the chair may see it twice",
            extra={"conference_id": conference_id, "step_id": prompt.id},
        )
        if self.note is None:
            return
        words = (
            f"The chair may see the {prompt.kind.value.replace('_', ' ')} prompt twice in "
            "Teams: an earlier send's outcome was never known, so it was sent again"
        )
        self.note(
            conference_id,
            PROMPT_DUPLICATE_KIND,
            f"prompt:{prompt.id}",
            {"words": words, "attempt": attempt, "prompt": prompt.id},
        )

    async def _replace(self, conversation_id: str, activity_id: str, card: dict[str, Any]) -> None:
        """Show ``card`` in place of the message ``activity_id``: the same activity, updated."""
        reference = await self.store.conversation(conversation_id)
        if reference is None:
            return
        conversation = self.bot.conversation_of(reference)
        update = Activity(
            type=ActivityTypes.message,
            id=activity_id,
            attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        )

        async def replace_card(context: TurnContext) -> None:
            update.conversation = context.activity.conversation
            await context.update_activity(update)

        await self.bot.adapter.continue_conversation_with_claims(
            Conversation.identity_from_claims(conversation.claims),
            conversation.conversation_reference.get_continuation_activity(),
            replace_card,
        )
