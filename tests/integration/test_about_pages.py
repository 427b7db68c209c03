"""The privacy and terms pages the Teams manifest links to answer without a sign-in."""

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
