"""End to end with a real client: the Agents Playground drives the bot over HTTP.

A meetingStart event starts the run sheet, the consent card reaches the chair's chat, the
chair presses a button, and the answer lands on the conference's timeline in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.runsheet.model import RunSheetFacts
from bot.core.runsheet.sheet import Event, compile_run_sheet
from bot.store.conversations import ConversationRepository
from bot.store.database import Database
from bot.store.repository import Repository
from bot.teams.agent import TeamsBot
from bot.teams.cards import ANSWER_VERB, CARD_CONTENT_TYPE
from bot.teams.channel import TeamsPromptChannel
from bot.teams.config import agents_configuration
from bot.teams.local_inbox import LocalRunSheets
from bot.teams.routes import add_routes
from playbooks import load_bundled
from tests.e2e.playground import (
    Playground,
    PlaygroundUnavailable,
    install,
    loud,
    running_playground,
)
from tests.unit.test_runsheet_support import PARENT, PROFESSIONALS, START
from tests.unit.test_teams_support import FixedLookup

pytestmark = [
    pytest.mark.timeout(90),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:microsoft_teams.*"),
    pytest.mark.filterwarnings("ignore:It is recommended to use web.RequestKey"),
]


# Everyone but the chair is asked about recording at the start; the parent is held back.
CONSENTING = [p for p in PROFESSIONALS if p.id != "chair"]


@dataclass
class Stack:
    """The bot on loopback with a real SQLite store, and the Playground driving it."""

    playground: Playground
    repository: Repository
    conference_id: int
    inbox: LocalRunSheets


@pytest.fixture(scope="module")
def playground_installed() -> None:
    try:
        install()
    except PlaygroundUnavailable as err:
        pytest.skip(loud(str(err)))


@pytest.fixture
async def stack(playground_installed: None, tmp_path: Path) -> AsyncIterator[Stack]:
    database = Database(f"sqlite:///{tmp_path / 'confbot.db'}")
    database.upgrade()
    repository = Repository(database)
    conference = repository.create_conference(
        playbook="lancashire", conference_type=ConferenceType.ICPC
    )

    def record(conference_id: int, event: Event) -> None:
        repository.append_timeline(
            conference_id,
            actor=event.actor,
            kind=event.kind,
            step_id=event.step_id,
            detail=dict(event.detail),
            at=event.at,
        )

    inbox = LocalRunSheets(record)
    bot = TeamsBot(
        inbox,
        ConversationRepository(database),
        FixedLookup(conference.id),
        agents_configuration({}, anonymous=True),
        clock=lambda: START + timedelta(minutes=2),
    )
    inbox.channel = TeamsPromptChannel(bot)
    app = web.Application()
    add_routes(app, bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with running_playground(f"http://127.0.0.1:{port}/api/messages") as playground:
            # The chair is the Playground's signed-in user; the run sheet is theirs.
            facts = RunSheetFacts(
                ConferenceType.ICPC,
                MeetingFormat.TEAMS,
                START,
                (*PROFESSIONALS, PARENT),
                confidential=timedelta(minutes=20),
            )
            sheet = compile_run_sheet(load_bundled("lancashire"), facts)
            inbox.add(conference.id, sheet, playground.user["aadObjectId"])
            yield Stack(playground, repository, conference.id, inbox)
    finally:
        await runner.cleanup()
        database.dispose()


def meeting_start(playground: Playground, conversation_id: str) -> dict[str, Any]:
    return {
        "type": "event",
        "name": "application/vnd.microsoft.meetingStart",
        "id": "meeting-start-1",
        "channelId": "msteams",
        "serviceUrl": playground.service_url,
        "from": {"id": playground.user["id"], "aadObjectId": playground.user["aadObjectId"]},
        "recipient": playground.bot,
        "conversation": {"id": conversation_id, "conversationType": "groupChat"},
        "value": {
            "Id": "bWVldGluZy0x",
            "MeetingType": "Scheduled",
            "JoinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_e2e%40thread.v2/0",
            "Title": "Child protection conference",
            "StartTime": START.isoformat(),
        },
    }


async def test_playground_meeting_start_consent_card_and_answer_reach_the_timeline(
    stack: Stack,
) -> None:
    playground = stack.playground
    personal = playground.config["config"]["personalChat"]["id"]
    group = playground.config["config"]["groupChats"][0]["id"]
    await playground.watch()

    # First contact: the chair says hello, so confbot can reach them later.
    await playground.send_message(personal, "hello")
    greeting = await playground.next_message("createMessage")
    chat = greeting["actionConversationId"]

    await playground.send_activity(meeting_start(playground, group))
    cards = [await playground.next_message("createMessage") for _ in CONSENTING]
    assert {c["actionConversationId"] for c in cards} == {chat}  # the chair's chat only
    created = cards[0]
    card = created["message"]["attachments"][0]
    assert card["contentType"] == CARD_CONTENT_TYPE
    assert card["content"]["version"] == "1.5"
    button = card["content"]["body"][-1]["actions"][0]
    assert button["type"] == "Action.Execute" and button["title"] == "Agrees to recording"

    response = await playground.invoke(
        chat, created["message"]["messageId"], button["data"], ANSWER_VERB
    )
    # The Playground hands back the bot's typed invoke response: the answered card.
    assert response["type"] == CARD_CONTENT_TYPE
    assert "Answered" in str(response["value"])
    assert "actions" not in str(response["value"])
    updated = await playground.next_message("updateMessage")
    assert "Answered" in str(updated["message"])

    prompt_id = button["data"]["prompt"]
    timeline = stack.repository.timeline(stack.conference_id)
    kinds = [(entry.kind, entry.step_id) for entry in timeline]
    assert ("runsheet.meeting_started", None) in kinds
    assert ("runsheet.answered", prompt_id) in kinds
    answered = next(e for e in timeline if e.kind == "runsheet.answered")
    assert answered.actor == "chair" and answered.detail["answer"] == "consented"
    sheet = stack.inbox.sheet(stack.conference_id)
    party = prompt_id.split(".")[1]
    assert sheet.ledger.status(party).value == "consented"


async def test_playground_chair_types_status_and_gets_a_reply(stack: Stack) -> None:
    playground = stack.playground
    personal = playground.config["config"]["personalChat"]["id"]
    group = playground.config["config"]["groupChats"][0]["id"]
    await playground.watch()
    await playground.send_message(personal, "hello")
    chat = (await playground.next_message("createMessage"))["actionConversationId"]
    await playground.send_activity(meeting_start(playground, group))
    for _ in CONSENTING:
        await playground.next_message("createMessage")

    await playground.send_message(chat, "status")
    for _ in range(10):
        message = await playground.next_message("createMessage")
        if message["message"].get("text"):
            break
    assert "Recording consent" in message["message"]["text"]
