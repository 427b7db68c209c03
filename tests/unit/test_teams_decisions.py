"""Deciding per child and concluding from Teams cards, through POST /api/messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.conference import Child, ConferenceType, MeetingFormat
from bot.core.decisions import (
    ChildDecisionView,
    DecisionSheet,
    checked_child_decision,
    decision_form,
    suggested_dates,
)
from bot.core.errors import ActionRefused
from bot.core.minutes.model import Decisions
from bot.core.runsheet.model import RunSheetFacts
from bot.core.runsheet.sheet import compile_run_sheet
from bot.teams.agent import TeamsBot
from bot.teams.channel import TeamsPromptChannel
from bot.teams.config import agents_configuration
from bot.teams.decision_cards import CONCLUDE_VERB, DECIDE_VERB
from bot.teams.local_inbox import LocalRunSheets
from bot.teams.routes import add_routes
from playbooks import load_bundled
from tests.unit.test_runsheet_support import PARENT, PROFESSIONALS, START
from tests.unit.test_teams import CHAIR, CONFERENCE, PERSONAL, Harness, start_meeting
from tests.unit.test_teams_support import FakeConnector, FixedLookup, MemoryConversationStore

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:microsoft_teams.*"),
    pytest.mark.filterwarnings("ignore:It is recommended to use web.RequestKey"),
]
LANCASHIRE = load_bundled("lancashire")
CHILD = Child(5, "TQ", date(2019, 5, 4))


@dataclass
class FakeDecisions:
    """The runtime's decision actions over memory, with the real checks."""

    recorded: list[tuple[int, Decisions, str]] = field(default_factory=list)
    concluded: list[str] = field(default_factory=list)
    refuse_conclusion: str | None = None

    def _sheet(self) -> DecisionSheet:
        return DecisionSheet(
            decision_form(LANCASHIRE, ConferenceType.ICPC),
            suggested_dates(LANCASHIRE, ConferenceType.ICPC, START.date()),
            (ChildDecisionView(CHILD, None),),
            locked=False,
        )

    async def decision_sheet(self, conference_id: int) -> DecisionSheet:
        return self._sheet()

    async def record_decision(
        self, conference_id: int, child_id: int, decision: dict[str, object], by: str
    ) -> Decisions:
        sheet = self._sheet()
        try:
            made = checked_child_decision(decision, sheet.form, sheet.suggested)
        except ValueError as err:
            raise ActionRefused(str(err)) from err
        self.recorded.append((child_id, made, by))
        return made

    async def conclude(
        self, conference_id: int, by: str, decisions: dict[str, object] | None = None
    ) -> str:
        if self.refuse_conclusion:
            raise ActionRefused(self.refuse_conclusion)
        self.concluded.append(by)
        return "https://example.org/minutes.docx"


@pytest.fixture
async def teams() -> AsyncIterator[tuple[Harness, FakeDecisions]]:
    store = MemoryConversationStore()
    inbox = LocalRunSheets(lambda conference, event: None)
    decisions = FakeDecisions()
    bot = TeamsBot(
        inbox,
        store,
        FixedLookup(CONFERENCE),
        agents_configuration({}, anonymous=True),
        clock=lambda: START,
        decisions=decisions,
    )
    inbox.channel = TeamsPromptChannel(bot)
    facts = RunSheetFacts(
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        START,
        (*PROFESSIONALS, PARENT),
        confidential=timedelta(minutes=20),
    )
    inbox.add(CONFERENCE, compile_run_sheet(LANCASHIRE, facts), CHAIR)
    app = web.Application()
    add_routes(app, bot)
    connector = FakeConnector()
    async with connector.running():
        client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        try:
            yield Harness(client, connector, inbox, store, []), decisions
        finally:
            await client.close()


def _press(h: Harness, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return h.activity(
        PERSONAL,
        kind="invoke",
        name="adaptiveCard/action",
        expect_replies=False,
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
    )


async def test_decide_sends_a_card_per_child_with_the_suggested_review_date(
    teams: tuple[Harness, FakeDecisions],
) -> None:
    h, _ = teams
    await start_meeting(h)
    status, body = await h.post(h.activity(text="decide"))
    assert status == 200
    cards = [a["content"] for act in body["activities"] for a in act.get("attachments") or []]
    assert len(cards) == 2  # T.Q.'s decision, then concluding
    inputs = {item.get("id"): item for item in cards[0]["body"] if "id" in item}
    suggested = suggested_dates(LANCASHIRE, ConferenceType.ICPC, START.date())
    assert suggested.review is not None
    assert inputs["review"]["value"] == suggested.review.isoformat()
    assert {"plan", "category", "plan_type", "core_group"} <= set(inputs)


async def test_a_decision_card_records_the_childs_decision_by_the_chair_in_teams(
    teams: tuple[Harness, FakeDecisions],
) -> None:
    h, decisions = teams
    await start_meeting(h)
    data = {"conference": CONFERENCE, "child": CHILD.id, "plan": "yes", "category": "neglect"}
    status, body = await h.post(_press(h, DECIDE_VERB, data))
    assert status == 200 and body["statusCode"] == 200, body
    [(child_id, made, by)] = decisions.recorded
    assert (child_id, made.plan, by.startswith("teams:")) == (CHILD.id, True, True)


async def test_a_refused_decision_or_conclusion_shows_the_reason_on_the_card(
    teams: tuple[Harness, FakeDecisions],
) -> None:
    h, decisions = teams
    await start_meeting(h)
    data = {"conference": CONFERENCE, "child": CHILD.id, "plan": "yes"}
    _status, body = await h.post(_press(h, DECIDE_VERB, data))
    assert "category" in body["value"]["message"]
    decisions.refuse_conclusion = "The meeting has not started yet"
    _status, body = await h.post(_press(h, CONCLUDE_VERB, {"conference": CONFERENCE}))
    assert body["value"]["message"] == "The meeting has not started yet"


async def test_the_conclude_card_concludes_the_conference(
    teams: tuple[Harness, FakeDecisions],
) -> None:
    h, decisions = teams
    await start_meeting(h)
    status, body = await h.post(_press(h, CONCLUDE_VERB, {"conference": CONFERENCE}))
    assert status == 200 and body["statusCode"] == 200, body
    assert len(decisions.concluded) == 1


async def test_a_card_for_another_conference_is_refused(
    teams: tuple[Harness, FakeDecisions],
) -> None:
    h, decisions = teams
    await start_meeting(h)
    _status, body = await h.post(_press(h, CONCLUDE_VERB, {"conference": CONFERENCE + 1}))
    assert body["value"]["message"] == "This card is not for this chat."
    assert decisions.concluded == []
