"""The prompt channel contract: the chair console's hub and Teams, behind one port.

Each channel is real. Teams runs the Agents SDK over the database conversation store, with
a Bot Connector service on loopback standing in for Microsoft's (the SDK's edge, the only
fake here); a chair becomes reachable by saying hello in their personal chat, as in Teams.
The console is the hub its pages subscribe to; a chair's open console is a subscription to
their conference. The console page is redrawn from the run sheet on each message, so what
it shows is the set of prompts it was told about, each once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.runsheet.model import Answer, AnswerOption, Prompt, PromptKind
from bot.runtime.prompt_channel import ChairUnreachable, PromptChannel, PromptChannelError
from bot.store.conversations import ConversationRepository
from bot.store.database import Database
from bot.teams.agent import TeamsBot
from bot.teams.channel import TeamsPromptChannel
from bot.teams.config import agents_configuration
from bot.teams.local_inbox import LocalRunSheets
from bot.teams.routes import add_routes
from bot.web.console_events import ConsoleHub, ConsoleMessage
from tests.unit.test_teams_support import FakeConnector, FixedLookup, activity

# The SDK's own deprecations, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:microsoft_teams.*"),
    pytest.mark.filterwarnings("ignore:It is recommended to use web.RequestKey"),
]

START = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
CHAIR, OTHER_CHAIR = "chair-aad-1", "chair-aad-2"  # Entra object ids, fictional
CONFERENCE, OTHER_CONFERENCE = 41, 42


def prompt(prompt_id: str = "consent.parent-1", answered: Answer | None = None) -> Prompt:
    """A consent prompt, open or answered."""
    return Prompt(
        id=prompt_id,
        kind=PromptKind.CONSENT,
        text="Ask the parent if they agree to the meeting being recorded.",
        answers=(
            AnswerOption(Answer.CONSENTED, "They agree"),
            AnswerOption(Answer.OBJECTED, "They do not agree"),
        ),
        due=START,
        party_id="parent-1",
        answered=answered,
        answered_at=START if answered else None,
    )


class ConsoleRig:
    """The chair console's hub, and the consoles open on it."""

    def __init__(self) -> None:
        self.hub = ConsoleHub()
        self.channel: PromptChannel = self.hub
        self._open = ExitStack()
        self._consoles: dict[str, list[asyncio.Queue[ConsoleMessage | None]]] = {}
        self._logs: dict[str, list[ConsoleMessage]] = {}

    async def reach(self, chair: str, conference_id: int) -> None:
        """The chair opens their conference's console."""
        queue = self._open.enter_context(self.hub.subscribe(conference_id))
        self._consoles.setdefault(chair, []).append(queue)

    def _told(self, chair: str, kind: str) -> list[str]:
        log = self._logs.setdefault(chair, [])
        for queue in self._consoles.get(chair, []):
            while not queue.empty():
                message = queue.get_nowait()
                assert message is not None, "the hub stopped a console mid-test"
                log.append(message)
        # A repeat redraws the page from the run sheet: it shows nothing twice.
        return list(dict.fromkeys(m.prompt_id for m in log if m.kind == kind))

    def shown(self, chair: str) -> list[str]:
        """The prompts the chair's console has shown."""
        return self._told(chair, "prompt")

    def shown_answered(self, chair: str) -> list[str]:
        """The prompts the chair's console has shown answered."""
        return self._told(chair, "answered")

    async def close(self) -> None:
        """Close the consoles and the hub."""
        self._open.close()
        self.hub.close()


class FailingConnector(FakeConnector):
    """The loopback Bot Connector, which can be made to refuse every send."""

    refusing = False

    async def _post(self, request: web.Request) -> web.Response:
        if self.refusing:
            return web.json_response({"error": {"code": "ServiceError"}}, status=500)
        return await super()._post(request)


class TeamsRig:
    """The Teams channel over the database store and a loopback Bot Connector."""

    def __init__(self, tmp_path: Path) -> None:
        self.database = Database(f"sqlite:///{tmp_path / 'teams.sqlite3'}")
        self.database.upgrade()
        self.store = ConversationRepository(self.database)
        self.bot = TeamsBot(
            LocalRunSheets(lambda _conference, _event: None),
            self.store,
            FixedLookup(None),
            agents_configuration({}, anonymous=True),
        )
        self.channel = TeamsPromptChannel(self.bot)
        self.connector = FailingConnector()
        self._stack = AsyncExitStack()
        self.client: TestClient[web.Request, web.Application] | None = None

    async def start(self) -> None:
        """Serve the bot and the connector on loopback."""
        await self._stack.enter_async_context(self.connector.running())
        app = web.Application()
        add_routes(app, self.bot)
        self.client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await self.client.start_server()
        self._stack.push_async_callback(self.client.close)

    async def reach(self, chair: str, conference_id: int) -> None:
        """The chair says hello to the bot in their personal chat."""
        assert self.client is not None
        body = activity(self.connector.url, self.chat_of(chair), user=chair, text="hello")
        response = await self.client.post("/api/messages", json=body)
        assert response.status == 200, await response.text()

    @staticmethod
    def chat_of(chair: str) -> str:
        """The chair's personal chat with the bot."""
        return f"a:personal-{chair}"

    def _cards(self, chair: str) -> dict[str, str]:
        """Activity id to prompt id, for each card sent to the chair's chat."""
        # The connector numbers what it receives: the n-th activity is "activity-n".
        return {
            f"activity-{number}": _prompt_of(sent)
            for number, sent in enumerate(self.connector.sent, start=1)
            if sent["conversation"]["id"] == self.chat_of(chair)
        }

    def shown(self, chair: str) -> list[str]:
        """The prompts whose cards reached the chair's chat, in order."""
        return list(self._cards(chair).values())

    def shown_answered(self, chair: str) -> list[str]:
        """The prompts whose cards in the chair's chat were replaced by their answered state."""
        cards = self._cards(chair)
        return [cards[update["id"]] for update in self.connector.updated if update["id"] in cards]

    async def close(self) -> None:
        """Stop the servers and close the store."""
        await self._stack.aclose()
        self.database.dispose()


def _prompt_of(sent: dict[str, Any]) -> str:
    """The prompt a sent card is for, from its answer buttons' data."""
    (attachment,) = sent["attachments"]
    buttons = [
        action
        for block in attachment["content"]["body"]
        if block.get("type") == "ActionSet"
        for action in block["actions"]
    ]
    return str(buttons[0]["data"]["prompt"])


Rig = ConsoleRig | TeamsRig


@contextlib.asynccontextmanager
async def _served(tmp_path: Path) -> AsyncIterator[TeamsRig]:
    rig = TeamsRig(tmp_path)
    await rig.start()
    try:
        yield rig
    finally:
        await rig.close()


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[TeamsRig]:
    """The Teams channel, served."""
    async with _served(tmp_path) as rig:
        yield rig


@pytest.fixture(params=["console", "teams"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    """Each prompt channel behind the port."""
    if request.param == "console":
        console = ConsoleRig()
        yield console
        await console.close()
        return
    async with _served(tmp_path) as teams_rig:
        yield teams_rig


async def test_a_prompt_reaches_the_chair_it_is_for_and_no_other(rig: Rig) -> None:
    await rig.reach(CHAIR, CONFERENCE)
    await rig.reach(OTHER_CHAIR, OTHER_CONFERENCE)
    await rig.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert rig.shown(CHAIR) == ["consent.parent-1"]
    assert rig.shown(OTHER_CHAIR) == []


async def test_sending_the_same_prompt_twice_shows_it_once(rig: Rig) -> None:
    await rig.reach(CHAIR, CONFERENCE)
    await rig.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    await rig.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert rig.shown(CHAIR) == ["consent.parent-1"]


async def test_an_answered_prompt_is_shown_answered_to_its_chair_only(rig: Rig) -> None:
    await rig.reach(CHAIR, CONFERENCE)
    await rig.reach(OTHER_CHAIR, OTHER_CONFERENCE)
    await rig.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    await rig.channel.mark_answered(CONFERENCE, CHAIR, prompt(answered=Answer.CONSENTED))
    assert rig.shown_answered(CHAIR) == ["consent.parent-1"]
    assert rig.shown_answered(OTHER_CHAIR) == []


@pytest.mark.parametrize("failure", ["the chair never spoke to the bot", "Teams refuses the send"])
async def test_a_teams_prompt_that_cannot_be_delivered_raises_and_is_sent_on_retry(
    teams: TeamsRig, failure: str
) -> None:
    if failure == "Teams refuses the send":
        await teams.reach(CHAIR, CONFERENCE)
        teams.connector.refusing = True
    with pytest.raises(PromptChannelError) as raised:
        await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert (raised.value.conference_id, raised.value.prompt_id) == (CONFERENCE, "consent.parent-1")
    assert isinstance(raised.value, ChairUnreachable) == (failure.startswith("the chair"))
    assert teams.shown(CHAIR) == []
    # Nothing was remembered as sent, so the runtime's retry delivers it, once.
    teams.connector.refusing = False
    await teams.reach(CHAIR, CONFERENCE)
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert teams.shown(CHAIR) == ["consent.parent-1"]


async def test_the_console_takes_a_prompt_with_no_console_open_without_error() -> None:
    # Nothing to deliver is not a failure: the page draws the run sheet's prompts when opened.
    console = ConsoleRig()
    try:
        await console.channel.send_prompt(CONFERENCE, CHAIR, prompt("consent.parent-1"))
        await console.reach(CHAIR, CONFERENCE)
        await console.channel.send_prompt(CONFERENCE, CHAIR, prompt("consent.parent-2"))
        assert console.shown(CHAIR) == ["consent.parent-2"]
    finally:
        await console.close()


def noted(rig: TeamsRig) -> list[tuple[int, str, str, dict[str, object]]]:
    """Give the rig's channel a timeline to write to; returns the lines it writes."""
    lines: list[tuple[int, str, str, dict[str, object]]] = []
    rig.channel = TeamsPromptChannel(
        rig.bot, note=lambda cid, kind, step, detail: lines.append((cid, kind, step, detail))
    )
    return lines


async def test_a_card_teams_refused_outright_is_sent_again_with_no_duplicate_counted(
    teams: TeamsRig,
) -> None:
    lines = noted(teams)
    await teams.reach(CHAIR, CONFERENCE)
    teams.connector.faults = ["refuse"]  # a 403: nothing was shown
    with pytest.raises(PromptChannelError) as raised:
        await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert raised.value.unclear is False and raised.value.reason == "Teams answered 403"
    assert await teams.store.card_delivery(CONFERENCE, "consent.parent-1") is None
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert teams.shown(CHAIR) == ["consent.parent-1"]
    assert lines == []


async def test_a_card_whose_send_had_no_known_outcome_is_sent_again_and_counted_as_twice(
    teams: TeamsRig,
) -> None:
    lines = noted(teams)
    await teams.reach(CHAIR, CONFERENCE)
    teams.connector.faults = ["lost"]  # shown to the chair, then a 504
    with pytest.raises(PromptChannelError) as raised:
        await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert raised.value.unclear is True
    known = await teams.store.card_delivery(CONFERENCE, "consent.parent-1")
    assert known is not None and (known.state, known.attempts) == ("sending", 1)
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    # Teams cannot be asked whether the first went: it did, so the chair has two cards...
    assert teams.shown(CHAIR) == ["consent.parent-1", "consent.parent-1"]
    # ...and that is counted, once, in words with no one's name.
    [(cid, kind, step, detail)] = lines
    assert (cid, kind, step) == (CONFERENCE, "prompt_duplicate", "prompt:consent.parent-1")
    assert detail["words"] == (
        "The chair may see the consent prompt twice in Teams: an earlier send's outcome was "
        "never known, so it was sent again"
    )
    known = await teams.store.card_delivery(CONFERENCE, "consent.parent-1")
    assert known is not None and (known.state, known.attempts) == ("sent", 2)
    # The card now known is the one later answers update, in place.
    await teams.channel.mark_answered(CONFERENCE, CHAIR, prompt(answered=Answer.CONSENTED))
    assert [u["id"] for u in teams.connector.updated] == [known.activity_id]


async def test_a_send_cut_off_by_a_crash_counts_the_resend_as_a_possible_duplicate(
    teams: TeamsRig,
) -> None:
    lines = noted(teams)
    await teams.reach(CHAIR, CONFERENCE)
    # confbot marked the card "sending" and was killed before Teams answered.
    await teams.store.begin_card(CONFERENCE, "consent.parent-1", teams.chat_of(CHAIR))
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    assert teams.shown(CHAIR) == ["consent.parent-1"]
    assert [kind for _cid, kind, _step, _detail in lines] == ["prompt_duplicate"]


async def test_a_card_already_shown_is_brought_up_to_date_in_place_not_posted_again(
    teams: TeamsRig,
) -> None:
    lines = noted(teams)
    await teams.reach(CHAIR, CONFERENCE)
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())
    known = await teams.store.card_delivery(CONFERENCE, "consent.parent-1")
    assert known is not None and known.activity_id
    await teams.channel.send_prompt(CONFERENCE, CHAIR, prompt())  # a retry, a restart
    assert teams.shown(CHAIR) == ["consent.parent-1"]
    assert [u["id"] for u in teams.connector.updated] == [known.activity_id]
    assert lines == []
