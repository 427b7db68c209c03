"""The Teams adapter through POST /api/messages, with deliveryMode expectReplies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.runsheet.model import RunSheetFacts
from bot.core.runsheet.sheet import Answer, Event, PromptKind, compile_run_sheet
from bot.teams.agent import NO_CONFERENCE, TeamsBot
from bot.teams.cards import ANSWER_VERB, CARD_CONTENT_TYPE
from bot.teams.channel import TeamsPromptChannel
from bot.teams.config import TeamsConfigError, agents_configuration
from bot.teams.local_inbox import LocalRunSheets
from bot.teams.routes import add_routes
from playbooks import load_bundled
from tests.unit.test_runsheet_support import PARENT, PROFESSIONALS, START
from tests.unit.test_teams_support import (
    FakeConnector,
    FixedLookup,
    MemoryConversationStore,
    activity,
)

# The SDK's own deprecations, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:microsoft_teams.*"),
    pytest.mark.filterwarnings("ignore:It is recommended to use web.RequestKey"),
]

CONFERENCE = 7
CHAIR = "chair-aad-1"
PERSONAL = "a:personal-chat-1"
MEETING_CHAT = "19:meeting_fictional@thread.v2"
GUEST = {"id": "29:guest", "aadObjectId": "guest-aad", "name": "A Nurse"}
IN_MEETING = {"role": "Attendee", "inMeeting": True}
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_fictional%40thread.v2/0"


@dataclass
class Harness:
    """The bot on a test server, a fake connector, and the recorded timeline."""

    client: TestClient[web.Request, web.Application]
    connector: FakeConnector
    inbox: LocalRunSheets
    store: MemoryConversationStore
    timeline: list[tuple[int, Event]] = field(default_factory=list)
    now: datetime = START

    async def post(self, body: dict[str, Any]) -> tuple[int, Any]:
        response = await self.client.post("/api/messages", json=body)
        data = await response.json() if response.content_length else None
        return response.status, data

    def activity(self, conversation_id: str = PERSONAL, **extra: Any) -> dict[str, Any]:
        return activity(self.connector.url, conversation_id, **extra)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    timeline: list[tuple[int, Event]] = []
    store = MemoryConversationStore()
    inbox = LocalRunSheets(lambda conference, event: timeline.append((conference, event)))
    holder: dict[str, datetime] = {"now": START}
    bot = TeamsBot(
        inbox,
        store,
        FixedLookup(CONFERENCE),
        agents_configuration({}, anonymous=True),
        clock=lambda: holder["now"],
    )
    inbox.channel = TeamsPromptChannel(bot)
    facts = RunSheetFacts(
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        START,
        (*PROFESSIONALS, PARENT),
        confidential=timedelta(minutes=20),
    )
    inbox.add(CONFERENCE, compile_run_sheet(load_bundled("lancashire"), facts), CHAIR)
    app = web.Application()
    add_routes(app, bot)
    connector = FakeConnector()
    async with connector.running():
        client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        try:
            yield Harness(client, connector, inbox, store, timeline)
        finally:
            await client.close()


async def start_meeting(h: Harness) -> None:
    """The chair says hello in their personal chat, then the meeting starts."""
    await h.post(h.activity(text="hello"))
    status, _ = await h.post(
        h.activity(
            MEETING_CHAT,
            kind="event",
            personal=False,
            name="application/vnd.microsoft.meetingStart",
            value={
                "Id": "bWVldGluZy0x",
                "MeetingType": "Scheduled",
                "JoinUrl": JOIN_URL,
                "Title": "Conference",
                "StartTime": START.isoformat(),
            },
        )
    )
    assert status == 200


def invoke(
    h: Harness, prompt_id: str, answer: str, conversation_id: str = PERSONAL
) -> dict[str, Any]:
    return h.activity(
        conversation_id,
        kind="invoke",
        name="adaptiveCard/action",
        expect_replies=False,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": ANSWER_VERB,
                "data": {"conference": CONFERENCE, "prompt": prompt_id, "answer": answer},
            },
            "trigger": "manual",
        },
    )


async def test_a_message_gets_a_reply_in_the_response_body(harness: Harness) -> None:
    status, body = await harness.post(harness.activity(text="status"))
    assert status == 200
    texts = [a.get("text") for a in body["activities"]]
    assert texts == [NO_CONFERENCE]


async def test_first_contact_stores_the_chairs_conversation_reference(harness: Harness) -> None:
    await harness.post(harness.activity(text="hello"))
    reference = await harness.store.conversation_for_user(CHAIR)
    assert reference is not None
    assert reference["conversation_reference"]["serviceUrl"] == harness.connector.url


async def test_meeting_start_sends_consent_cards_to_the_chairs_personal_chat(
    harness: Harness,
) -> None:
    await start_meeting(harness)
    cards = harness.connector.cards()
    assert len(cards) == 4  # social worker, police, school, minute taker; not the chair
    assert all(card["version"] == "1.5" for card in cards)
    actions = cards[0]["body"][-1]["actions"]
    assert {a["type"] for a in actions} == {"Action.Execute"}
    conversations = {a["conversation"]["id"] for a in harness.connector.sent}
    assert conversations == {PERSONAL}
    assert await harness.store.conference_of(MEETING_CHAT) == CONFERENCE


async def test_card_answer_updates_the_timeline_and_returns_the_answered_card(
    harness: Harness,
) -> None:
    await start_meeting(harness)
    status, body = await harness.post(invoke(harness, "consent.police.1", "consented"))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == CARD_CONTENT_TYPE
    texts = [block.get("text", "") for block in body["value"]["body"]]
    assert any(text.startswith("Answered") and "Agrees to recording" in text for text in texts)
    assert "actions" not in str(body["value"])
    answered = [e for _, e in harness.timeline if e.kind == "runsheet.answered"]
    assert [(e.step_id, e.detail["answer"]) for e in answered] == [
        ("consent.police.1", "consented")
    ]
    assert harness.inbox.sheet(CONFERENCE).ledger.status("police").value == "consented"


async def test_an_objection_on_a_card_sends_the_stop_recording_card(harness: Harness) -> None:
    await start_meeting(harness)
    await harness.post(invoke(harness, "consent.school.1", "objected"))
    last = harness.connector.cards()[-1]
    assert "Do not record" in str(last)


async def test_a_card_answer_from_another_chat_is_refused_with_a_typed_error(
    harness: Harness,
) -> None:
    await start_meeting(harness)
    status, body = await harness.post(
        invoke(harness, "consent.police.1", "consented", conversation_id=MEETING_CHAT)
    )
    assert status == 200
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert not [e for _, e in harness.timeline if e.kind == "runsheet.answered"]


async def test_bad_card_data_gets_a_typed_error_not_an_empty_body(harness: Harness) -> None:
    body = invoke(harness, "consent.police.1", "consented")
    body["value"]["action"]["data"] = {"prompt": "x"}
    status, data = await harness.post(body)
    assert status == 200 and data["type"] == "application/vnd.microsoft.error"


async def test_chair_types_next_status_and_help_in_their_chat(harness: Harness) -> None:
    await start_meeting(harness)
    _, body = await harness.post(harness.activity(text="status"))
    assert "Recording consent" in body["activities"][0]["text"]
    _, body = await harness.post(harness.activity(text="help"))
    assert "next" in body["activities"][0]["text"]
    _, body = await harness.post(harness.activity(text="next"))
    assert body["activities"][0]["text"] == "Moved on."
    sheet = harness.inbox.sheet(CONFERENCE)
    assert sheet.current_phase is not None
    assert sheet.current_phase.id == "confidential_section"


async def test_participant_join_asks_for_consent_again(harness: Harness) -> None:
    await start_meeting(harness)
    before = len(harness.connector.cards())
    await harness.post(
        harness.activity(
            MEETING_CHAT,
            kind="event",
            personal=False,
            name="application/vnd.microsoft.meetingParticipantJoin",
            value={
                "members": [{"user": GUEST, "meeting": {"role": "Attendee", "inMeeting": True}}]
            },
        )
    )
    cards = harness.connector.cards()[before:]
    assert len(cards) == 1 and "has joined" in str(cards[0])
    prompts = harness.inbox.sheet(CONFERENCE).open_prompts()
    assert any(p.kind is PromptKind.CONSENT and p.party_id == "teams-guest-aad" for p in prompts)


async def test_the_chair_corrects_a_noted_answer_from_its_answered_card(harness: Harness) -> None:
    await start_meeting(harness)
    for _ in range(10):
        sheet = harness.inbox.sheet(CONFERENCE)
        open_now = [p for p in sheet.open_prompts() if p.kind is PromptKind.AGENCY_SUMMARY]
        if open_now:
            break
        await harness.post(harness.activity(text="next"))
    summary = open_now[0]
    first = invoke(harness, summary.id, "done")
    first["value"]["action"]["data"]["note"] = "First words."  # Teams merges inputs in
    _, answered = await harness.post(first)
    card = answered["value"]
    actions = [a for b in card["body"] if b.get("type") == "ActionSet" for a in b["actions"]]
    [fix] = [a for a in actions if a["type"] == "Action.ShowCard"]
    assert fix["title"] == "Correct this answer"
    box, buttons = fix["card"]["body"]
    assert box["value"] == "First words."  # the saved words, to change
    [again] = [a for a in buttons["actions"] if a["data"]["answer"] == "done"]
    second = invoke(harness, summary.id, "done")
    second["value"]["action"]["data"] = {**again["data"], "note": "Second words."}
    _, corrected = await harness.post(second)
    assert corrected["statusCode"] == 200
    assert harness.inbox.sheet(CONFERENCE).prompt(summary.id).note == "Second words."
    kinds = [e.kind for _, e in harness.timeline if e.step_id == summary.id]
    assert kinds[-2:] == ["runsheet.answered", "runsheet.answer_corrected"]


async def test_answering_elsewhere_replaces_the_teams_card(harness: Harness) -> None:
    await start_meeting(harness)
    await harness.inbox.answer(CONFERENCE, "consent.police.1", Answer.CONSENTED, START)
    assert len(harness.connector.updated) == 1
    assert "Answered" in str(harness.connector.updated[0]["attachments"][0]["content"])


def test_production_needs_the_bots_app_registration() -> None:
    with pytest.raises(TeamsConfigError, match="CLIENTID"):
        agents_configuration({}, anonymous=False)


async def test_production_refuses_a_request_without_a_bot_framework_token() -> None:
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    config = agents_configuration(
        {
            f"{prefix}CLIENTID": "00000000-0000-0000-0000-000000000001",
            f"{prefix}CLIENTSECRET": "not-a-real-secret",
            f"{prefix}TENANTID": "00000000-0000-0000-0000-000000000002",
        },
        anonymous=False,
    )
    inbox = LocalRunSheets(lambda conference, event: None)
    bot = TeamsBot(inbox, MemoryConversationStore(), FixedLookup(None), config)
    app = web.Application()
    add_routes(app, bot)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        response = await client.post(
            "/api/messages", json=activity("http://127.0.0.1:9/", PERSONAL, text="hi")
        )
        assert response.status == 401
        forged = await client.post(
            "/api/messages",
            json=activity("http://127.0.0.1:9/", PERSONAL, text="hi"),
            headers={"Authorization": "Bearer not.a.token"},
        )
        assert forged.status == 401


async def test_a_chair_known_by_address_is_reached_through_the_directory_lookup(
    harness: Harness,
) -> None:
    looked_up: list[str] = []

    async def resolve(address: str) -> str:
        looked_up.append(address)
        return CHAIR  # the Entra object id Teams knows the chair by

    channel = harness.inbox.channel
    assert isinstance(channel, TeamsPromptChannel)
    harness.inbox.channel = TeamsPromptChannel(channel.bot, resolve)
    sheet = harness.inbox.sheet(CONFERENCE)
    harness.inbox.add(CONFERENCE, sheet, "chair.fictional@example.org")
    await start_meeting(harness)
    assert len(harness.connector.cards()) == 4
    assert looked_up == ["chair.fictional@example.org"]  # once, then remembered
