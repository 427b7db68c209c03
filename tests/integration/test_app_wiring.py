"""What serve mounts: the public pages, the Teams bot endpoint and the chair console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.runtime_harness import Running, running, settings_for


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path)) as app:
        yield app


@pytest.mark.parametrize(("path", "heading"), [("/privacy", "Privacy"), ("/terms", "Terms of use")])
async def test_manifest_links_open_without_signing_in(
    bot: Running, path: str, heading: str
) -> None:
    async with bot.http.get(bot.base + path, allow_redirects=False) as response:
        assert response.status == 200
        assert f"<h1>{heading}</h1>" in await response.text()


async def test_serve_mounts_the_teams_bot_and_answers_a_chair_typing_help(bot: Running) -> None:
    from tests.unit.test_teams_support import activity

    body = activity("http://127.0.0.1:9/", "a:personal-chat", text="help")
    async with bot.http.post(f"{bot.base}/api/messages", json=body) as response:
        assert response.status == 200, await response.text()
        replies = (await response.json())["activities"]
    assert any("next" in (reply.get("text") or "") for reply in replies)


async def test_the_chair_console_needs_a_sign_in(bot: Running) -> None:
    async with bot.http.get(f"{bot.base}/conferences/1/console", allow_redirects=False) as response:
        assert response.status in (302, 401)
