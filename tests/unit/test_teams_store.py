"""Conversation references and prompt cards survive in the database, not in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.conversations import ConversationRepository
from bot.store.database import Database
from bot.teams.storage import ConversationStore


@pytest.fixture
def repo(tmp_path: Path) -> ConversationRepository:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    database.upgrade()
    return ConversationRepository(database)


def reference(conversation_id: str) -> dict[str, object]:
    return {
        "claims": {},
        "conversation_reference": {
            "conversation": {"id": conversation_id},
            "serviceUrl": "http://127.0.0.1:9/",
        },
    }


async def test_a_chairs_reference_survives_a_new_repository(
    repo: ConversationRepository,
) -> None:
    await repo.save_conversation("a:chat-1", reference("a:chat-1"), user_key="chair-aad-1")
    again = ConversationRepository(repo.db)
    assert await again.conversation_for_user("chair-aad-1") == reference("a:chat-1")
    assert await again.conversation_for_user("someone-else") is None


async def test_saving_again_keeps_the_user_and_conference_links(
    repo: ConversationRepository,
) -> None:
    await repo.save_conversation("a:chat-1", reference("a:chat-1"), user_key="chair-aad-1")
    await repo.save_conversation("a:chat-1", reference("a:chat-1"), conference_id=4)
    await repo.save_conversation("a:chat-1", reference("a:chat-1"))
    assert await repo.conference_of("a:chat-1") == 4
    assert await repo.conversation_for_user("chair-aad-1") is not None


async def test_a_meeting_chat_is_found_by_its_conference_but_not_as_a_personal_chat(
    repo: ConversationRepository,
) -> None:
    await repo.save_conversation("19:meeting@thread.v2", reference("m"), conference_id=4)
    await repo.save_conversation("a:chat-1", reference("p"), user_key="u", conference_id=4)
    assert await repo.conversation_for_conference(4) == reference("m")
    assert await repo.conversation_for_conference(5) is None


async def test_a_prompt_card_is_remembered_once_per_prompt(repo: ConversationRepository) -> None:
    await repo.save_card(4, "consent.police.1", "a:chat-1", "activity-1")
    await repo.save_card(4, "consent.police.1", "a:chat-1", "activity-2")
    assert await repo.card(4, "consent.police.1") == ("a:chat-1", "activity-2")
    assert await repo.card(4, "consent.school.1") is None


def test_the_repository_is_the_teams_conversation_store(repo: ConversationRepository) -> None:
    store: ConversationStore = repo  # mypy checks the shape; this checks it at run time too
    assert callable(store.save_conversation) and callable(store.card)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:microsoft_teams.*")
@pytest.mark.filterwarnings("ignore:It is recommended to use web.RequestKey")
async def test_first_contact_through_the_wired_adapter_lands_in_the_database(
    repo: ConversationRepository,
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.teams.agent import TeamsBot
    from bot.teams.config import agents_configuration
    from bot.teams.local_inbox import LocalRunSheets
    from bot.teams.lookup import JoinUrlLookup
    from bot.teams.routes import add_routes
    from tests.unit.test_teams_support import activity

    # Built as bot.app builds it: the bot, its conversation store and the SDK's configuration.
    bot = TeamsBot(
        LocalRunSheets(lambda conference, event: None),
        ConversationRepository(repo.db),
        JoinUrlLookup(list),
        agents_configuration({}, anonymous=True),
    )
    app = web.Application()
    add_routes(app, bot)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        body = activity("http://127.0.0.1:9/", "a:chat-9", text="help")
        response = await client.post("/api/messages", json=body)
        assert response.status == 200
        assert (await response.json())["activities"]
    stored = await ConversationRepository(repo.db).conversation_for_user("chair-aad-1")
    assert stored is not None
