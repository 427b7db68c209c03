"""The Teams bot: an AgentApplication that turns Teams activities into run-sheet calls.

Prompts go to the chair's personal chat only, never the meeting chat: a parent in the
meeting could otherwise read the number card or press a button meant for the chair.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.proactive import Conversation, ProactiveOptions
from microsoft_agents.hosting.msteams import TeamsAgentExtension

from bot.core.conference import Role
from bot.core.errors import ActionRefused, InvalidInput
from bot.core.runsheet.model import RunSheetError
from bot.runtime.prompt_channel import RunSheetInbox
from bot.teams.cards import (
    ANSWER_VERB,
    CARD_CONTENT_TYPE,
    CardDataError,
    answered_card,
    read_answer,
)
from bot.teams.decision_cards import (
    COMMANDS,
    CONCLUDE_VERB,
    DECIDE_VERB,
    DecisionAction,
    DecisionDataError,
    DecisionPort,
    child_card,
    conclude_card,
    done_card,
    read_action,
)
from bot.teams.storage import ConferenceLookup, ConversationStore

logger = logging.getLogger(__name__)

WELCOME = (
    "Hello. I am confbot. During your child protection conferences I will send you each "
    "step here, with buttons to record what happened. Type help to see what you can type."
)
NO_CONFERENCE = (
    "I cannot tell which conference this chat is for yet. I will write here when your next "
    "conference starts."
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TeamsBot:
    """The Agents SDK application, its adapter, and the handlers that feed the run sheet."""

    def __init__(
        self,
        inbox: RunSheetInbox,
        store: ConversationStore,
        lookup: ConferenceLookup,
        configuration: Mapping[str, Any],
        clock: Callable[[], datetime] = _utcnow,
        decisions: DecisionPort | None = None,
    ) -> None:
        self.inbox = inbox
        self.decisions = decisions
        self.store = store
        self.lookup = lookup
        self.clock = clock
        self.connections = MsalConnectionManager(**configuration)
        self.adapter = CloudAdapter(connection_manager=self.connections)
        # Turn state only; conversation references live in our database (``store``).
        options = ApplicationOptions(
            storage=MemoryStorage(),
            start_typing_timer=False,
            proactive=ProactiveOptions(storage=MemoryStorage()),
        )
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            options, connection_manager=self.connections
        )
        self.teams = TeamsAgentExtension(self.app)
        self._register()

    @property
    def auth_configuration(self) -> Any:
        """The connection settings the JWT check reads (anonymous in local development)."""
        return self.connections.get_default_connection_configuration()

    async def process(self, request: web.Request) -> web.StreamResponse:
        """Handle one POST to /api/messages."""
        response = await self.adapter.process(request, self.app)
        return response if response is not None else web.Response(status=HTTPStatus.ACCEPTED)

    def conversation_of(self, reference: dict[str, Any]) -> Conversation:
        """The SDK's proactive conversation from a stored reference."""
        return Conversation.from_json_to_store_item(reference)

    # -- handlers -----------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.before_turn(self._remember_conversation)
        app.message()(self._on_message)
        app.conversation_update("membersAdded")(self._on_members_added)
        app.adaptive_card.action_execute(ANSWER_VERB)(self._on_answer)
        app.adaptive_card.action_execute(DECIDE_VERB)(self._on_decide)
        app.adaptive_card.action_execute(CONCLUDE_VERB)(self._on_conclude)
        self.teams.meetings.start(self._on_meeting_start)
        self.teams.meetings.end(self._on_meeting_end)
        self.teams.meetings.participants_join(self._on_participants_join)
        app.error(self._on_error)

    async def _remember_conversation(self, context: TurnContext, _state: TurnState) -> bool:
        # Persist on every turn, so a chair who has only ever spoken once can still be reached.
        activity = context.activity
        conversation = Conversation.from_turn_context(context)
        if not conversation.conversation_reference.service_url:
            return True
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        sender = activity.from_property
        user_key = None
        if personal and sender is not None:
            user_key = sender.aad_object_id or sender.id
        await self.store.save_conversation(
            activity.conversation.id, conversation.store_item_to_json(), user_key=user_key
        )
        return True

    async def _on_members_added(self, context: TurnContext, _state: TurnState) -> None:
        recipient = context.activity.recipient
        added = context.activity.members_added or []
        if recipient is not None and any(m.id == recipient.id for m in added):
            await context.send_activity(WELCOME)

    async def _on_message(self, context: TurnContext, _state: TurnState) -> None:
        conference_id = await self.store.conference_of(context.activity.conversation.id)
        if conference_id is None:
            await context.send_activity(NO_CONFERENCE)
            return
        text = (context.activity.text or "").strip().lower()
        if text in COMMANDS and self.decisions is not None:
            await self._send_decision_cards(context, conference_id)
            return
        result = await self.inbox.command(conference_id, context.activity.text or "", self.clock())
        await context.send_activity(result.reply)

    async def _send_decision_cards(self, context: TurnContext, conference_id: int) -> None:
        assert self.decisions is not None
        sheet = await self.decisions.decision_sheet(conference_id)
        cards = [child_card(conference_id, sheet, item) for item in sheet.children]
        cards.append(conclude_card(conference_id))
        await context.send_activity(
            Activity(
                type=ActivityTypes.message,
                summary="The decision for each child, and concluding the conference",
                attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=c) for c in cards],
            )
        )

    async def _decision_action(self, context: TurnContext, data: object) -> DecisionAction | str:
        # Only the chat of this conference's chair may decide or conclude it.
        try:
            action = read_action(data)
        except DecisionDataError as err:
            return str(err)
        own = await self.store.conference_of(context.activity.conversation.id)
        if own != action.conference_id or self.decisions is None:
            return "This card is not for this chat."
        return action

    async def _on_decide(
        self, context: TurnContext, _state: TurnState, data: object
    ) -> AdaptiveCardInvokeResponse:
        action = await self._decision_action(context, data)
        if isinstance(action, str):
            return _error_response(action)
        assert self.decisions is not None and action.child_id is not None
        try:
            await self.decisions.record_decision(
                action.conference_id, action.child_id, action.fields, _who(context)
            )
        except (ActionRefused, InvalidInput) as err:
            return _error_response(str(err))
        return AdaptiveCardInvokeResponse(
            status_code=HTTPStatus.OK, type=CARD_CONTENT_TYPE, value=done_card("Decision saved.")
        )

    async def _on_conclude(
        self, context: TurnContext, _state: TurnState, data: object
    ) -> AdaptiveCardInvokeResponse:
        action = await self._decision_action(context, data)
        if isinstance(action, str):
            return _error_response(action)
        assert self.decisions is not None
        try:
            await self.decisions.conclude(action.conference_id, _who(context))
        except (ActionRefused, InvalidInput) as err:
            return _error_response(str(err))
        done = "The conference is concluded. The draft minutes are waiting for approval."
        return AdaptiveCardInvokeResponse(
            status_code=HTTPStatus.OK, type=CARD_CONTENT_TYPE, value=done_card(done)
        )

    async def _on_answer(
        self, context: TurnContext, _state: TurnState, data: object
    ) -> AdaptiveCardInvokeResponse:
        try:
            given = read_answer(data)
        except CardDataError as err:
            return _error_response(str(err))
        sent_to = await self.store.card(given.conference_id, given.prompt_id)
        if sent_to is None or sent_to[0] != context.activity.conversation.id:
            # Only the chat the card was sent to may answer it.
            logger.warning(
                "card answer from a chat the card was not sent to",
                extra={"conference_id": given.conference_id, "step_id": given.prompt_id},
            )
            return _error_response("This card is not for this chat.")
        try:
            prompt = await self.inbox.answer(
                given.conference_id, given.prompt_id, given.answer, self.clock(), given.note
            )
        except RunSheetError as err:
            return _error_response(str(err))
        logger.info(
            "prompt answered in Teams",
            extra={"conference_id": given.conference_id, "step_id": given.prompt_id},
        )
        return AdaptiveCardInvokeResponse(
            status_code=HTTPStatus.OK,
            type=CARD_CONTENT_TYPE,
            value=answered_card(prompt, given.conference_id),
        )

    async def _on_meeting_start(
        self, context: TurnContext, _state: TurnState, meeting: Any
    ) -> None:
        conference_id = await self._meeting_conference(context, getattr(meeting, "join_url", None))
        if conference_id is not None:
            at = getattr(meeting, "start_time", None) or self.clock()
            await self.inbox.meeting_started(conference_id, _aware(at))

    async def _on_meeting_end(self, context: TurnContext, _state: TurnState, meeting: Any) -> None:
        conference_id = await self._meeting_conference(context, getattr(meeting, "join_url", None))
        if conference_id is not None:
            at = getattr(meeting, "end_time", None) or self.clock()
            await self.inbox.meeting_ended(conference_id, _aware(at))

    async def _on_participants_join(
        self, context: TurnContext, _state: TurnState, details: Any
    ) -> None:
        conference_id = await self._meeting_conference(context, None)
        if conference_id is None:
            return
        for member in getattr(details, "members", None) or []:
            user = member.user
            if user is None:
                continue
            key = user.aad_object_id or user.id
            await self.inbox.participant_joined(
                conference_id, f"teams-{key}", self.clock(), Role.AGENCY, user.name or ""
            )

    async def _meeting_conference(self, context: TurnContext, join_url: str | None) -> int | None:
        conversation_id = context.activity.conversation.id
        conference_id = await self.store.conference_of(conversation_id)
        if conference_id is None:
            conference_id = await self.lookup.conference_for_meeting(join_url, conversation_id)
            if conference_id is not None:
                reference = Conversation.from_turn_context(context).store_item_to_json()
                await self.store.save_conversation(
                    conversation_id, reference, conference_id=conference_id
                )
        if conference_id is None:
            logger.info("meeting event for a meeting confbot does not run")
        return conference_id

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        # The SDK's default reply would show the exception text to the chair.
        logger.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        if context.activity.type == "message":
            await context.send_activity("Sorry, something went wrong. Please try again.")


def _who(context: TurnContext) -> str:
    # The chair's Teams identity, not a name: the timeline says who acted.
    sender = context.activity.from_property
    key = (sender.aad_object_id or sender.id) if sender is not None else "unknown"
    return f"teams:{key}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _error_response(message: str) -> AdaptiveCardInvokeResponse:
    # A typed error, never an empty body: Teams shows "Something went wrong" otherwise.
    return AdaptiveCardInvokeResponse(
        status_code=HTTPStatus.BAD_REQUEST,
        type="application/vnd.microsoft.error",
        value={"code": "BadRequest", "message": message},
    )
